/*
 * thread-echo: the classic thread-per-connection echo server (RFC 862),
 * kept only as a baseline row for the benchmarks: a blocking accept loop
 * and one detached pthread per client, with a small (64 KiB) stack, that
 * echoes until EOF.
 *
 *   usage: thread-echo PORT [ADDR]   (ADDR defaults to 127.0.0.1)
 *
 * Invariants: the main thread only accepts; each client fd is owned and
 * closed by exactly one thread. Threads share nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG	4096
#define BUFSZ	16384
#define STACKSZ	(64 * 1024)

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

static void *
echo(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[BUFSZ];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(fd, buf, (size_t)n) == -1)
			break;
	}
	close(fd);
	return NULL;
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
		fprintf(stderr, "thread-echo: %s: %s\n", addr, gai_strerror(rc));
		exit(2);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, BACKLOG) == -1) {
		perror("thread-echo: listen");
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
		fprintf(stderr, "thread-echo: accept: %s\n", strerror(err));
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)
		nanosleep(&ms, NULL);
}

int
main(int argc, char **argv)
{
	pthread_attr_t attr;
	int ls;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: thread-echo PORT [ADDR]\n");
		return 2;
	}
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, STACKSZ);
	ls = listen_on(argc == 3 ? argv[2] : "127.0.0.1", argv[1]);
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		pthread_t tid;
		int rc;

		if (fd == -1) {
			accept_failed();
			continue;
		}
		rc = pthread_create(&tid, &attr, echo, (void *)(intptr_t)fd);
		if (rc != 0) {
			fprintf(stderr, "thread-echo: pthread_create: %s\n",
			    strerror(rc));
			close(fd);
		}
	}
}
