/*
 * util: see util.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/stat.h>

#include "core/util.h"

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t
wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

char *
path_resolve(const char *dir, const char *path)
{
	size_t dl, pl;
	char *out;

	if (path[0] == '/' || dir == NULL || dir[0] == '\0')
		return strdup(path);
	dl = strlen(dir);
	pl = strlen(path);
	if ((out = malloc(dl + pl + 2)) == NULL)
		return NULL;
	memcpy(out, dir, dl);
	out[dl] = '/';
	memcpy(out + dl + 1, path, pl + 1);
	return out;
}

int
path_mkdir_parent(const char *path, char *err, size_t len)
{
	char dir[4096], *slash;

	strlcpy_(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		snprintf(err, len, "cannot create directory %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

size_t
strlcpy_(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n > 0) {
		size_t c = len < n - 1 ? len : n - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

int
fd_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

int
fd_set_cloexec(int fd, int on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1)
		return -1;
	fl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
	return fcntl(fd, F_SETFD, fl);
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
proc_runs(int pid, const char *name)
{
	char link[64], exe[4096], *base;
	size_t nlen = strlen(name);
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	if ((n = readlink(link, exe, sizeof(exe) - 1)) == -1)
		return errno == ENOENT ? 0 : -1;
	exe[n] = '\0';
	base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	return strncmp(base, name, nlen) == 0 &&
	    (base[nlen] == '\0' || strcmp(base + nlen, " (deleted)") == 0);
}
