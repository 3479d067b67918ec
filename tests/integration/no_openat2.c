/*
 * no_openat2: an LD_PRELOAD shim for the tests that makes openat2(2)
 * fail with ENOSYS, as on kernels before 5.6 or under a seccomp filter
 * that refuses it, so mserverd's fallback path check runs. Every other
 * system call made through syscall(3) is passed on unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>

long
syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

#ifdef SYS_openat2
	if (nr == SYS_openat2) {
		errno = ENOSYS;
		return -1;
	}
#endif
	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (real == NULL)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
