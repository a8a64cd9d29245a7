/* Starting and stopping gaitmon-sim for tests: its path from $GM_SIM, its port from its first line. */
#pragma once

#include <sys/types.h>

struct sim_proc {
        pid_t pid;
        unsigned port;
        char uri[64]; /* ip:127.0.0.1:PORT, writable: libiio writes into URIs */
};

/* argv without the program; NULL-terminated. 0 or negative errno. */
int sim_proc_start(struct sim_proc *p, const char *const *args);
/* SIGTERM, then the exit status as waitpid gives it. */
int sim_proc_stop(struct sim_proc *p);
/* Path of a file in the test source directory ($GM_SIM_TESTDIR). */
const char *sim_test_file(const char *name);
