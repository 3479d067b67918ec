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
#include "ctl/status_print.h"

#ifndef MSERVER_SBINDIR
#define MSERVER_SBINDIR "/usr/local/sbin"
#endif
#ifndef MSERVER_SYSCONFDIR
#define MSERVER_SYSCONFDIR "/usr/local/etc/mserver"
#endif

#define POLL_MS		20
#define RELOAD_WAIT_MS	30000
#define STOP_WAIT_MS	30000

/* How long a command waits for the master to exit after its signal. */
enum ctl_wait { WAIT_NONE, WAIT_STOP, WAIT_GRACEFUL };

struct ctl_args {
	const char		*path;		/* the configuration file */
	struct conf_where	 where;
	pid_t			 pid;
	int			 json;		/* status --json */
};

/* What a command does when no master runs. */
enum ctl_absent { ABSENT_FAIL, ABSENT_OK, ABSENT_NA };

struct ctl_cmd {
	const char	*name;
	const char	*help;
	int		(*run)(const struct ctl_cmd *, const struct ctl_args *);
	int		 signo;		/* for signal_and_wait() */
	enum ctl_wait	 wait;
	const char	*done;		/* printed once done */
	enum ctl_absent	 absent;	/* FAIL: exit 3; OK: "not running", exit 0
					 * (LSB stop); NA: needs no master */
};

static int	cmd_status(const struct ctl_cmd *, const struct ctl_args *);
static int	cmd_reload(const struct ctl_cmd *, const struct ctl_args *);
static int	cmd_configtest(const struct ctl_cmd *, const struct ctl_args *);
static int	signal_and_wait(const struct ctl_cmd *, const struct ctl_args *);

static const struct ctl_cmd commands[] = {
	{ "status", "status [--json]  show the scoreboard",
	    cmd_status, 0, WAIT_NONE, NULL, ABSENT_FAIL },
	{ "reload", "reload           reload the configuration (SIGHUP) and report the verdict",
	    cmd_reload, SIGHUP, WAIT_NONE, NULL, ABSENT_FAIL },
	{ "graceful", "graceful         the same as reload (as apachectl says it)",
	    cmd_reload, SIGHUP, WAIT_NONE, NULL, ABSENT_FAIL },
	{ "configtest", "configtest       check the configuration as mserverd -t does",
	    cmd_configtest, 0, WAIT_NONE, NULL, ABSENT_NA },
	{ "stop", "stop             fast stop (SIGTERM) and wait for the exit",
	    signal_and_wait, SIGTERM, WAIT_STOP, "stopped", ABSENT_OK },
	{ "graceful-stop", "graceful-stop    graceful stop (SIGQUIT) and wait for the exit",
	    signal_and_wait, SIGQUIT, WAIT_GRACEFUL, "stopped", ABSENT_OK },
	{ "reopen-logs", "reopen-logs      reopen log files (SIGUSR1)",
	    signal_and_wait, SIGUSR1, WAIT_NONE, "logs reopened", ABSENT_FAIL },
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: mserverctl [-f file] command\ncommands:\n");
	for (i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(fp, "  %s\n", commands[i].help);
}

static const struct ctl_cmd *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
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
	/* Never signal a process that got the pid of a master that died
	 * without removing its file. (If /proc cannot tell, the scoreboard
	 * check in attach() still must pass.) */
	if (proc_runs((int)pid, "mserverd") == 0) {
		fprintf(stderr, "mserverctl: mserverd is not running (stale pid file %s: pid %ld"
		    " is another program)\n", conf->pid_file, pid);
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
cmd_status(const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	struct sb *sb = attach(&a->where, a->pid);

	if (sb == NULL)
		return 1;
	if (a->json)
		status_json(sb, stdout);
	else
		status_text(sb, stdout);
	sb_close(sb, 0);
	return 0;
}

static int
cmd_reload(const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	pid_t pid = a->pid;
	struct sb *sb = attach(&a->where, pid);
	struct sb_header *h;
	uint32_t seq;
	int waited, rc = 1;

	if (sb == NULL)
		return 1;
	h = sb_header(sb);
	/* A reload already running read the configuration before this
	 * request: its verdict is not ours, so wait for it to be given. */
	for (waited = 0; waited < RELOAD_WAIT_MS; waited += POLL_MS) {
		if (SHARED_ACQUIRE(h->reload_begun) ==
		    SHARED_ACQUIRE(h->reload_seq) || !pid_alive(pid))
			break;
		pause_ms(POLL_MS);
	}
	seq = SHARED_ACQUIRE(h->reload_seq);
	if (kill(pid, cmd->signo) == -1) {
		fprintf(stderr, "mserverctl: cannot signal pid %d: %s\n", (int)pid, strerror(errno));
		goto out;
	}
	for (waited = 0; waited < RELOAD_WAIT_MS; waited += POLL_MS) {
		if (SHARED_ACQUIRE(h->reload_seq) != seq) {
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
signal_and_wait(const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	int waited, wait_ms = cmd->wait == WAIT_STOP ? STOP_WAIT_MS :
	    cmd->wait == WAIT_GRACEFUL ? (a->where.graceful_timeout + 10) * 1000 : 0;

	if (kill(a->pid, cmd->signo) == -1) {
		fprintf(stderr, "mserverctl: cannot signal pid %d: %s\n", (int)a->pid,
		    strerror(errno));
		return 1;
	}
	for (waited = 0; waited < wait_ms && pid_alive(a->pid); waited += POLL_MS)
		pause_ms(POLL_MS);
	if (wait_ms > 0 && pid_alive(a->pid)) {
		fprintf(stderr, "mserverctl: pid %d still running after %d s\n", (int)a->pid,
		    wait_ms / 1000);
		return 1;
	}
	printf("%s\n", cmd->done);
	return 0;
}

/* mserverd -t, as apachectl configtest runs httpd -t: the mserverd beside
 * this program (build tree or sbindir), else the installed one. Only
 * mserverd can load an MPM module: the modules call back into it. */
static int
cmd_configtest(const struct ctl_cmd *cmd, const struct ctl_args *a)
{
	char self[4096], daemon[4096 + 16], *slash;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL)
			*slash = '\0';
		snprintf(daemon, sizeof(daemon), "%s/mserverd", self);
	}
	if (n <= 0 || access(daemon, X_OK) == -1)
		snprintf(daemon, sizeof(daemon), "%s/mserverd", MSERVER_SBINDIR);
	fflush(stdout);
	execl(daemon, "mserverd", "-t", "-f", a->path, (char *)NULL);
	fprintf(stderr, "mserverctl: cannot run %s: %s\n", daemon, strerror(errno));
	return 1;
}

/* The command and its one option from argv; NULL on a usage error. */
static const struct ctl_cmd *
parse_command(int argc, char **argv, struct ctl_args *a)
{
	const struct ctl_cmd *cmd;

	if (optind >= argc)
		return NULL;
	if ((cmd = find_command(argv[optind])) == NULL) {
		fprintf(stderr, "mserverctl: unknown command '%s'\n", argv[optind]);
		return NULL;
	}
	optind++;
	if (optind < argc && cmd->run == cmd_status && strcmp(argv[optind], "--json") == 0) {
		a->json = 1;
		optind++;
	}
	return optind == argc ? cmd : NULL;
}

int
main(int argc, char **argv)
{
	const char *path = MSERVER_SYSCONFDIR "/mserver.conf";
	const struct ctl_cmd *cmd;
	struct ctl_args a;
	struct conf *conf;
	char err[1024];
	int ch;

	memset(&a, 0, sizeof(a));
	while ((ch = getopt(argc, argv, "+f:h")) != -1) {
		switch (ch) {
		case 'f': path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if ((cmd = parse_command(argc, argv, &a)) == NULL) {
		usage(stderr);
		return 2;
	}
	a.path = path;
	if (cmd->absent == ABSENT_NA)
		return cmd->run(cmd, &a);
	/* Like apachectl graceful: a config that would fail is not sent. */
	if ((conf = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mserverctl: %s\n", err);
		if (cmd->run == cmd_reload) {
			fprintf(stderr, "mserverctl: not reloading: the running server is unchanged\n");
			return 1;
		}
	}
	conf_free(conf);
	if (conf_locate(path, &a.where) == -1) {
		fprintf(stderr, "mserverctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((a.pid = master_pid(&a.where)) == 0) {
		if (cmd->absent != ABSENT_OK)
			return 3;
		printf("not running\n");
		return 0;
	}
	return cmd->run(cmd, &a);
}
