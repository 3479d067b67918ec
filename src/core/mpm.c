/*
 * mpm: the module loader (see mpm.h).
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/conf.h"
#include "core/mpm.h"
#include "core/util.h"

struct mpm_module {
	void			*handle;
	const struct mpm_ops	*ops;
	char			 path[PATH_MAX];
};

/* SRC/../mpm/.libs when this binary sits in a build tree. */
static int
build_tree_dir(char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	snprintf(out, len, "%s/../mpm/.libs", exe);
	return stat(out, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

void
mpm_dir(const char *module_dir, char *out, size_t len)
{
	if (module_dir != NULL)
		strlcpy_(out, module_dir, len);
	else if (build_tree_dir(out, len) == -1)
		strlcpy_(out, MSERVER_MODULE_DIR, len);
}

static int
valid_name(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return p != name;
}

static int
open_module(struct mpm_module *m, const char *dir, const char *name, char *why, size_t len)
{
	snprintf(m->path, sizeof(m->path), "%s/mpm_%s.so", dir, name);
	if ((m->handle = dlopen(m->path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(why, len, "%s", dlerror());
		return -1;
	}
	if ((m->ops = dlsym(m->handle, MPM_MODULE_SYMBOL)) == NULL) {
		snprintf(why, len, "%s has no symbol %s", m->path, MPM_MODULE_SYMBOL);
		return -1;
	}
	if (m->ops->abi != MPM_ABI_VERSION || m->ops->child_main == NULL ||
	    m->ops->nthreads == NULL || m->ops->name == NULL || strcmp(m->ops->name, name) != 0) {
		snprintf(why, len, "%s is not an mserver MPM of ABI %d named '%s'",
		    m->path, MPM_ABI_VERSION, name);
		return -1;
	}
	return 0;
}

struct mpm_module *
mpm_load(const struct conf *conf, char *err, size_t errlen)
{
	struct mpm_module *m = calloc(1, sizeof(*m));
	char dir[PATH_MAX], why[PATH_MAX + 128];

	if (m == NULL) {
		snprintf(err, errlen, "%s:%d: out of memory", conf->mpm.file, conf->mpm.module_line);
		return NULL;
	}
	if (!valid_name(conf->mpm.module)) {
		snprintf(why, sizeof(why), "invalid module name");
		goto bad;
	}
	mpm_dir(conf->mpm.module_dir, dir, sizeof(dir));
	if (open_module(m, dir, conf->mpm.module, why, sizeof(why)) == -1)
		goto bad;
	if (m->ops->check != NULL && m->ops->check(conf, err, errlen) == -1) {
		mpm_unload(m);
		return NULL;
	}
	if (m->ops->nthreads(conf) > (unsigned)conf->mpm.thread_limit) {
		snprintf(err, errlen, "%s:%d: mpm.threads (%u) exceeds mpm.thread_limit (%d)",
		    conf->mpm.file, conf->mpm.line, m->ops->nthreads(conf), conf->mpm.thread_limit);
		mpm_unload(m);
		return NULL;
	}
	return m;
bad:
	snprintf(err, errlen, "%s:%d: cannot load MPM '%s': %s", conf->mpm.file,
	    conf->mpm.module_line, conf->mpm.module, why);
	mpm_unload(m);
	return NULL;
}

const struct mpm_ops *
mpm_ops(const struct mpm_module *m)
{
	return m->ops;
}

const char *
mpm_path(const struct mpm_module *m)
{
	return m->path;
}

void
mpm_unload(struct mpm_module *m)
{
	if (m == NULL)
		return;
	if (m->handle != NULL)
		dlclose(m->handle);
	free(m);
}

void
mpm_list(const char *dir, char *out, size_t len)
{
	struct dirent **ents;
	size_t used = 0;
	int i, n;

	out[0] = '\0';
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		size_t l = strlen(nm);
		char name[64], why[256];
		struct mpm_module m;

		if (l > 7 && l - 7 < sizeof(name) && strncmp(nm, "mpm_", 4) == 0 &&
		    strcmp(nm + l - 3, ".so") == 0) {
			memcpy(name, nm + 4, l - 7);
			name[l - 7] = '\0';
			memset(&m, 0, sizeof(m));
			if (open_module(&m, dir, name, why, sizeof(why)) == 0 && used < len)
				used += (size_t)snprintf(out + used, len - used, "%s%s",
				    used ? ", " : "", name);
			if (m.handle)
				dlclose(m.handle);
		}
		free(ents[i]);
	}
	free(ents);
}
