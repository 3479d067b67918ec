/*
 * log: see log.h. The descriptor is process-global; log_reopen() swaps it
 * atomically with dup2() so threads writing concurrently never see a closed
 * descriptor.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

static int log_fd_ = STDERR_FILENO;
static char log_path[4096];
static enum log_level log_level_ = LOG_LVL_INFO;
static char log_role[32] = "mserverd";

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static int
open_log_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

int
log_open(const char *path, char *err, size_t errlen)
{
	int fd;

	if (path == NULL) {
		log_path[0] = '\0';
		log_fd_ = STDERR_FILENO;
		return 0;
	}
	if ((fd = open_log_file(path)) == -1) {
		snprintf(err, errlen, "cannot open error log %s: %s", path, strerror(errno));
		return -1;
	}
	if (log_fd_ != STDERR_FILENO)
		close(log_fd_);
	log_fd_ = fd;
	snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

int
log_reopen(void)
{
	int fd;

	if (log_path[0] == '\0')
		return 0;
	if ((fd = open_log_file(log_path)) == -1)
		return -1;
	/* dup3 replaces the descriptor in one step (no window where it is
	 * closed) and, unlike dup2, keeps it close-on-exec. */
	if (dup3(fd, log_fd_, O_CLOEXEC) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void
log_set_level(enum log_level level)
{
	log_level_ = level;
}

int
log_level_from_name(const char *name)
{
	int i;

	for (i = LOG_LVL_ERROR; i <= LOG_LVL_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void
log_set_role(const char *role)
{
	snprintf(log_role, sizeof(log_role), "%s", role);
}

int
log_fd(void)
{
	return log_fd_;
}

static void
log_vwrite(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	if (level > log_level_)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ld [%s] %s[%d]: ",
	    ts.tv_nsec / 1000000, level_names[level], log_role, (int)getpid());
	n += (r > 0) ? (size_t)r : 0;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = (r > 0 && n + (size_t)r < sizeof(line)) ? n + (size_t)r : sizeof(line) - 1;
	if (errnum != 0 && n < sizeof(line) - 1) {
		r = snprintf(line + n, sizeof(line) - n, ": %s", strerror(errnum));
		n = (r > 0 && n + (size_t)r < sizeof(line)) ? n + (size_t)r : sizeof(line) - 1;
	}
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line; a failed log write has nowhere to be reported. */
	(void)!write(log_fd_, line, n);
}

/* Each keeps errno as it found it, so a caller can log and then test it. */
void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_WARN, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_INFO, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_DEBUG, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

char *
log_escape(char *out, size_t outlen, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (outlen == 0)
		return out;
	for (i = 0; i < len && o + 5 <= outlen; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			out[o++] = (char)ch;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 0xf];
	}
	out[o < outlen ? o : outlen - 1] = '\0';
	return out;
}
