/* Starting and stopping gaitmon-sim for tests: its path from $GM_SIM, its port from its first line. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim-harness.h"

int sim_proc_start(struct sim_proc *p, const char *const *args)
{
        const char *sim = getenv("GM_SIM");
        if (!sim)
                return -ENOENT;
        int pipefd[2];
        if (pipe(pipefd) < 0)
                return -errno;
        const char *argv[32] = { sim };
        size_t n = 1;
        while (args[n - 1] && n < 31) {
                argv[n] = args[n - 1];
                n++;
        }
        argv[n] = NULL;

        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* A test that fails an assertion exits at once: the emulator goes with it
                 * instead of being left behind for meson to wait on. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() == 1)
                        _exit(127);
                dup2(pipefd[1], STDOUT_FILENO);
                close(pipefd[0]);
                close(pipefd[1]);
                execv(sim, (char *const *)argv);
                _exit(127);
        }
        close(pipefd[1]);
        p->pid = pid;

        /* the one line it prints once it listens */
        char line[256];
        size_t len = 0;
        struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
        while (len < sizeof(line) - 1 && (len == 0 || line[len - 1] != '\n')) {
                if (poll(&pfd, 1, 10000) <= 0)
                        break;
                ssize_t r = read(pipefd[0], line + len, sizeof(line) - 1 - len);
                if (r <= 0)
                        break;
                len += (size_t)r;
        }
        close(pipefd[0]);
        line[len] = '\0';
        if (sscanf(line, "gaitmon-sim: listening on 127.0.0.1:%u", &p->port) != 1) {
                fprintf(stderr, "unexpected first line from gaitmon-sim: '%s'\n", line);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return -EPROTO;
        }
        snprintf(p->uri, sizeof(p->uri), "ip:127.0.0.1:%u", p->port);
        return 0;
}

int sim_proc_stop(struct sim_proc *p)
{
        int status = -1;
        kill(p->pid, SIGTERM);
        if (waitpid(p->pid, &status, 0) < 0)
                return -errno;
        return status;
}

const char *sim_test_file(const char *name)
{
        static char path[4096];
        const char *dir = getenv("GM_SIM_TESTDIR");
        snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", name);
        return path;
}
