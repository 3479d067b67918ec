/*
 * mserverd: command line, start-up checks, daemonizing, pid file; then the
 * master takes over (master.c).
 *
 * Start-up errors reach the terminal even when daemonizing: the daemon
 * reports "ok" or its error through a pipe, and the parent exits 0 or 1
 * accordingly, so `mserverd -f FILE && ...` means the server is serving.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "core/conf.h"
#include "core/listen.h"
#include "core/log.h"
#include "daemon/master.h"
#include "core/mpm.h"
#include "core/util.h"

#ifndef MSERVER_SYSCONFDIR
#define MSERVER_SYSCONFDIR "/usr/local/etc/mserver"
#endif

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: mserverd [-DhtV] [-f file]\n"
	    "  -f file  configuration file (default %s/mserver.conf)\n"
	    "  -t       test the configuration and exit\n"
	    "  -D       stay in the foreground, log to stderr\n"
	    "  -V       print version, build options and the MPMs found (with -f,\n"
	    "           in that file's mpm.module_dir)\n"
	    "  -h       this help\n", MSERVER_SYSCONFDIR);
}

/* module_dir: the configuration's mpm.module_dir, or NULL. */
static void
version(const char *module_dir)
{
	char dir[PATH_MAX], mpms[512];

	mpm_dir(module_dir, dir, sizeof(dir));
	mpm_list(dir, mpms, sizeof(mpms));
	printf("mserverd %s\n", PACKAGE_VERSION);
	printf("configure: %s\n", MSERVER_CONFIGURE_ARGS);
#ifdef HAVE_JEMALLOC
	printf("allocator: jemalloc\n");
#else
	printf("allocator: libc\n");
#endif
	printf("module directory: %s\n", dir);
	printf("MPMs: %s\n", mpms[0] ? mpms : "(none found)");
}

/* Refuse to start over a live master; a stale pid file (its pid gone, or
 * now another program's) is replaced. */
static int
check_pid_file(const char *path, char *err, size_t len)
{
	char buf[32];
	long pid;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	if (pid <= 0 || pid == getpid() || (kill((pid_t)pid, 0) == -1 && errno != EPERM))
		return 0;
	/* A live process that is not mserverd got the pid of one that died
	 * without removing its file: the file is stale, not a conflict. */
	if (proc_runs((int)pid, "mserverd") == 0) {
		fprintf(stderr, "mserverd: pid file %s names pid %ld, which is not mserverd:"
		    " replacing it\n", path, pid);
		return 0;
	}
	snprintf(err, len, "mserverd is already running as pid %ld (pid file %s)", pid, path);
	return -1;
}

static int
write_pid_file(const char *path, char *err, size_t len)
{
	char tmp[PATH_MAX], buf[32];
	int fd, n;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1 ||
	    write_all(fd, buf, (size_t)n) == -1 || close(fd) == -1 || rename(tmp, path) == -1) {
		snprintf(err, len, "cannot write pid file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Fork into the background. Returns in the daemon with *ready_fd set; the
 * parent waits for the daemon's verdict and exits with it. */
static void
daemonize(int *ready_fd)
{
	char msg[1024];
	ssize_t n;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		fatal("cannot daemonize");
	if (pid > 0) {
		close(p[1]);
		n = read(p[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = '\0';
		waitpid(pid, NULL, 0);	/* the intermediate child exits at once */
		if (strcmp(msg, "ok") == 0)
			_exit(0);
		fprintf(stderr, "mserverd: %s\n", n > 0 ? msg : "failed to start (see the error log)");
		_exit(1);
	}
	close(p[0]);
	setsid();
	if ((pid = fork()) == -1)
		fatal("cannot daemonize");
	if (pid > 0)
		_exit(0);
	*ready_fd = p[1];
	if (chdir("/") == -1)
		fatal("chdir /");
}

static void
null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd == -1)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	if (log_fd() != STDERR_FILENO)
		dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static int
start(struct master_opts *opts, struct conf *conf, struct mpm_module *mpm)
{
	struct lst_set lst;
	char err[1024], pid_file[PATH_MAX];
	int rc;

	if (check_pid_file(conf->pid_file, err, sizeof(err)) == -1 ||
	    path_mkdir_parent(conf->pid_file, err, sizeof(err)) == -1 ||
	    path_mkdir_parent(conf->scoreboard_file, err, sizeof(err)) == -1 ||
	    (!opts->log_stderr && (path_mkdir_parent(conf->error_log, err, sizeof(err)) == -1 ||
	    log_open(conf->error_log, err, sizeof(err)) == -1)) ||
	    lst_open(&lst, conf, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "mserverd: %s\n", err);
		goto bad;
	}
	log_set_level(log_level_from_name(conf->log_level));
	if (conf->daemon && !opts->log_stderr) {
		daemonize(&opts->ready_fd);
		null_stdio();
	}
	if (write_pid_file(conf->pid_file, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		if (opts->ready_fd != -1)
			(void)!write(opts->ready_fd, err, strlen(err));
		lst_close_all(&lst);
		goto bad;
	}
	strlcpy_(pid_file, conf->pid_file, sizeof(pid_file));
	rc = master_run(opts, conf, mpm, &lst);	/* owns and frees conf, mpm */
	unlink(pid_file);
	return rc;
bad:
	mpm_unload(mpm);
	conf_free(conf);
	return 1;
}

int
main(int argc, char **argv)
{
	struct master_opts opts = { MSERVER_SYSCONFDIR "/mserver.conf", 0, -1 };
	struct mpm_module *mpm;
	struct conf *conf;
	char err[1024], *abs_path;
	int ch, test = 0, show_version = 0, conf_given = 0;

	while ((ch = getopt(argc, argv, "f:tDVh")) != -1) {
		switch (ch) {
		case 'f': opts.conf_path = optarg; conf_given = 1; break;
		case 't': test = 1; break;
		case 'D': opts.log_stderr = 1; break;
		case 'V': show_version = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	/* -V with -f: the modules that configuration would load. */
	if (show_version && !conf_given) {
		version(NULL);
		return 0;
	}
	if (show_version) {
		if ((conf = conf_load(opts.conf_path, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		version(conf->mpm.module_dir);
		conf_free(conf);
		return 0;
	}
	if ((conf = conf_load(opts.conf_path, err, sizeof(err))) == NULL ||
	    (mpm = mpm_load(conf, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		conf_free(conf);
		return 1;
	}
	if (test) {
		printf("%s: configuration OK\n", opts.conf_path);
		mpm_unload(mpm);
		conf_free(conf);
		return 0;
	}
	/* The daemon runs in /: reloads need the file's absolute path. */
	if ((abs_path = realpath(opts.conf_path, NULL)) == NULL) {
		fprintf(stderr, "mserverd: %s: %s\n", opts.conf_path, strerror(errno));
		return 1;
	}
	opts.conf_path = abs_path;
	ch = start(&opts, conf, mpm);
	free(abs_path);
	return ch;
}
