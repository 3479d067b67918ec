/*
 * master: the supervising process. It owns the configuration, the
 * listeners, the scoreboard and the MPM module of the current generation,
 * forks the workers and never touches a connection.
 */
#ifndef MSERVER_MASTER_H
#define MSERVER_MASTER_H

struct conf;
struct mpm_module;
struct lst_set;

struct master_opts {
	const char	*conf_path;
	int		 log_stderr;	/* -D */
	int		 ready_fd;	/* write "ok" or the error, then close; or -1 */
};

/* Run the master on an already loaded conf, module and listener set (all
 * now owned by the master). Returns the process exit status. */
int	master_run(const struct master_opts *opts, struct conf *conf,
	    struct mpm_module *mpm, struct lst_set *lst);

#endif
