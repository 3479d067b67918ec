/*
 * mserverctl: control a running mserverd, found through the pid file and
 * scoreboard named in its config.
 *
 * Every wait here is a bounded poll on a condition (the reload verdict in
 * the scoreboard, the master's pid gone), never a fixed sleep.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/scoreboard.h"
#include "core/status.h"
#include "core/util.h"

#ifndef MSERVER_SYSCONFDIR
#define MSERVER_SYSCONFDIR "/usr/local/etc/mserver"
#endif

#define POLL_MS		20
#define RELOAD_WAIT_MS	30000
#define STOP_WAIT_MS	30000

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: mserverctl [-f file] command\n"
	    "commands:\n"
	    "  status [--json]  show the scoreboard\n"
	    "  reload           reload the configuration (SIGHUP) and report the verdict\n"
	    "  stop             fast stop (SIGTERM) and wait for the exit\n"
	    "  graceful-stop    graceful stop (SIGQUIT) and wait for the exit\n"
	    "  reopen-logs      reopen log files (SIGUSR1)\n");
}

static void
pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Alive and not a zombie. */
static int
pid_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) == -1 && errno != EPERM)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strrchr(buf, ')');
	return !(p != NULL && p[1] == ' ' && p[2] == 'Z');
}

/* The running master's pid, or 0 with the reason printed. */
static pid_t
master_pid(const struct conf_where *conf)
{
	char buf[32];
	ssize_t n;
	long pid;
	int fd;

	if ((fd = open(conf->pid_file, O_RDONLY)) == -1) {
		fprintf(stderr, "mserverctl: mserverd is not running (no pid file %s)\n", conf->pid_file);
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	pid = strtol(buf, NULL, 10);
	if (pid <= 0 || !pid_alive((pid_t)pid)) {
		fprintf(stderr, "mserverctl: mserverd is not running (stale pid file %s)\n", conf->pid_file);
		return 0;
	}
	return (pid_t)pid;
}

static struct sb *
attach(const struct conf_where *conf, pid_t pid)
{
	char err[512];
	struct sb *sb = sb_attach(conf->scoreboard_file, err, sizeof(err));

	if (sb == NULL) {
		fprintf(stderr, "mserverctl: %s\n", err);
		return NULL;
	}
	if (sb_header(sb)->master_pid != pid) {
		fprintf(stderr, "mserverctl: scoreboard %s belongs to pid %d, not to the running master %d\n",
		    conf->scoreboard_file, (int)sb_header(sb)->master_pid, (int)pid);
		sb_close(sb, 0);
		return NULL;
	}
	return sb;
}

static int
cmd_status(const struct conf_where *conf, pid_t pid, int json)
{
	struct sb *sb = attach(conf, pid);

	if (sb == NULL)
		return 1;
	if (json)
		status_json(sb, stdout);
	else
		status_text(sb, stdout);
	sb_close(sb, 0);
	return 0;
}

static int
cmd_reload(const struct conf_where *conf, pid_t pid)
{
	struct sb *sb = attach(conf, pid);
	struct sb_header *h;
	uint32_t seq;
	int waited, rc = 1;

	if (sb == NULL)
		return 1;
	h = sb_header(sb);
	/* A reload already running read the configuration before this
	 * request: its verdict is not ours, so wait for it to be given. */
	for (waited = 0; waited < RELOAD_WAIT_MS; waited += POLL_MS) {
		if (__atomic_load_n(&h->reload_begun, __ATOMIC_ACQUIRE) ==
		    __atomic_load_n(&h->reload_seq, __ATOMIC_ACQUIRE) || !pid_alive(pid))
			break;
		pause_ms(POLL_MS);
	}
	seq = __atomic_load_n(&h->reload_seq, __ATOMIC_ACQUIRE);
	if (kill(pid, SIGHUP) == -1) {
		fprintf(stderr, "mserverctl: cannot signal pid %d: %s\n", (int)pid, strerror(errno));
		goto out;
	}
	for (waited = 0; waited < RELOAD_WAIT_MS; waited += POLL_MS) {
		if (__atomic_load_n(&h->reload_seq, __ATOMIC_ACQUIRE) != seq) {
			char msg[sizeof(h->reload_msg)];

			memcpy(msg, h->reload_msg, sizeof(msg));
			msg[sizeof(msg) - 1] = '\0';
			if (h->reload_ok) {
				printf("%s\n", msg);
				rc = 0;
			} else
				fprintf(stderr, "mserverctl: reload failed: %s\n", msg);
			goto out;
		}
		if (!pid_alive(pid)) {
			fprintf(stderr, "mserverctl: mserverd exited during the reload\n");
			goto out;
		}
		pause_ms(POLL_MS);
	}
	fprintf(stderr, "mserverctl: no reload verdict within %d s\n", RELOAD_WAIT_MS / 1000);
out:
	sb_close(sb, 0);
	return rc;
}

static int
signal_and_wait(pid_t pid, int signo, int wait_ms, const char *done)
{
	int waited;

	if (kill(pid, signo) == -1) {
		fprintf(stderr, "mserverctl: cannot signal pid %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	for (waited = 0; wait_ms > 0 && waited < wait_ms; waited += POLL_MS) {
		if (!pid_alive(pid))
			break;
		pause_ms(POLL_MS);
	}
	if (wait_ms > 0 && pid_alive(pid)) {
		fprintf(stderr, "mserverctl: pid %d still running after %d s\n", (int)pid, wait_ms / 1000);
		return 1;
	}
	printf("%s\n", done);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *path = MSERVER_SYSCONFDIR "/mserver.conf", *cmd;
	struct conf_where where;
	struct conf *conf;
	char err[1024];
	int ch, json = 0, rc;
	pid_t pid;

	while ((ch = getopt(argc, argv, "+f:h")) != -1) {
		switch (ch) {
		case 'f': path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	if (optind < argc && strcmp(cmd, "status") == 0 && strcmp(argv[optind], "--json") == 0) {
		json = 1;
		optind++;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "status") && strcmp(cmd, "reload") && strcmp(cmd, "stop") &&
	    strcmp(cmd, "graceful-stop") && strcmp(cmd, "reopen-logs")) {
		usage(stderr);
		return 2;
	}
	/* Like apachectl graceful: a config that would fail is not sent. */
	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mserverctl: %s\n", err);
		if (strcmp(cmd, "reload") == 0) {
			fprintf(stderr, "mserverctl: not reloading: the running server is unchanged\n");
			return 1;
		}
	}
	conf_free(conf);
	if (conf_locate(path, &where) == -1) {
		fprintf(stderr, "mserverctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((pid = master_pid(&where)) == 0)
		rc = 3;
	else if (strcmp(cmd, "status") == 0)
		rc = cmd_status(&where, pid, json);
	else if (strcmp(cmd, "reload") == 0)
		rc = cmd_reload(&where, pid);
	else if (strcmp(cmd, "stop") == 0)
		rc = signal_and_wait(pid, SIGTERM, STOP_WAIT_MS, "stopped");
	else if (strcmp(cmd, "graceful-stop") == 0)
		rc = signal_and_wait(pid, SIGQUIT, (where.graceful_timeout + 10) * 1000, "stopped");
	else
		rc = signal_and_wait(pid, SIGUSR1, 0, "logs reopened");
	return rc;
}
