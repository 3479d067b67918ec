/*
 * fork-echo: the classic fork-per-connection echo server (RFC 862), kept
 * only as a baseline row for the benchmarks. It is what a textbook would
 * write: a blocking accept loop, one child process per client that echoes
 * until EOF, and a SIGCHLD handler that reaps every exited child.
 *
 *   usage: fork-echo PORT [ADDR]     (ADDR defaults to 127.0.0.1)
 *
 * Invariants: the parent never reads or writes a client socket; a child
 * never accepts. The SIGCHLD handler only calls waitpid() and preserves
 * errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG	4096
#define BUFSZ	16384

static void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
echo(int fd)
{
	char buf[BUFSZ];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(fd, buf, (size_t)n) == -1)
			break;
	}
	close(fd);
}

static int
listen_on(const char *addr, const char *port)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV
	};
	struct addrinfo *ai;
	int fd, one = 1, rc;

	if ((rc = getaddrinfo(addr, port, &hints, &ai)) != 0) {
		fprintf(stderr, "fork-echo: %s: %s\n", addr, gai_strerror(rc));
		exit(2);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, BACKLOG) == -1) {
		perror("fork-echo: listen");
		exit(1);
	}
	freeaddrinfo(ai);
	return fd;
}

/* Out of fds: the client stays queued; back off instead of spinning. */
static void
accept_failed(void)
{
	static unsigned long failures;
	struct timespec ms = { 0, 1000000 };
	int err = errno;

	if (err == EINTR || err == ECONNABORTED)
		return;
	if (failures++ % 1000 == 0)	/* do not flood the terminal */
		fprintf(stderr, "fork-echo: accept: %s\n", strerror(err));
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)
		nanosleep(&ms, NULL);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	int ls;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: fork-echo PORT [ADDR]\n");
		return 2;
	}
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	ls = listen_on(argc == 3 ? argv[2] : "127.0.0.1", argv[1]);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		pid_t pid;

		if (fd == -1) {
			accept_failed();
			continue;
		}
		pid = fork();
		if (pid == 0) {
			close(ls);
			echo(fd);
			_exit(0);
		}
		if (pid == -1)
			perror("fork-echo: fork");
		close(fd);
	}
}
