/*
 * mpm: the interface every MPM module implements, and the loader.
 *
 * An MPM is a shared object (mpm_NAME.so) exporting one symbol,
 * `const struct mpm_ops mpm_module`. The master loads it at start and on
 * reload (a new generation may use another MPM), asks it to check its
 * settings and how many scoreboard slots one process needs, and after
 * fork() hands the child to child_main(), which never returns.
 *
 * Search order for the module: mpm.module_dir if set; else the build tree
 * next to a mserverd run from it (SRC/../mpm/.libs); else the installed
 * directory MSERVER_MODULE_DIR.
 */
#ifndef MSERVER_MPM_H
#define MSERVER_MPM_H

#include <stddef.h>

#define MPM_ABI_VERSION		1
#define MPM_MODULE_SYMBOL	"mpm_module"

struct conf;
struct child_ctx;

struct mpm_ops {
	int		 abi;		/* MPM_ABI_VERSION */
	const char	*name;
	const char	*description;
	/* Master: check MPM-specific settings; "FILE:LINE: why" into err. */
	int		(*check)(const struct conf *conf, char *err, size_t errlen);
	/* Scoreboard worker slots one process uses (threads, or 1). */
	unsigned	(*nthreads)(const struct conf *conf);
	/* Whether the master keeps idle slots between min/max_spare by
	 * adding and retiring processes; if not, it keeps `workers` alive. */
	int		 manages_spares;
	/* Child: serve until stopped; must not return. */
	void		(*child_main)(struct child_ctx *ctx) __attribute__((noreturn));
};

struct mpm_module;

/* Load conf->mpm.module. Errors are "FILE:LINE: ...". */
struct mpm_module	*mpm_load(const struct conf *conf, char *err, size_t errlen);
const struct mpm_ops	*mpm_ops(const struct mpm_module *m);
const char		*mpm_path(const struct mpm_module *m);
void			 mpm_unload(struct mpm_module *m);
/* Directory the modules are searched in (module_dir may be NULL). */
void			 mpm_dir(const char *module_dir, char *out, size_t len);
/* Names of the loadable MPMs in dir, comma separated, into out. */
void			 mpm_list(const char *dir, char *out, size_t len);

#endif
