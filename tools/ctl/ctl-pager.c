/* Long output through a pager on a terminal, as systemctl does. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl-pager.h"

static pid_t pager_pid;
static unsigned pager_columns;
static struct sigaction old_pipe;

static const char *pager_command(void)
{
        const char *p = getenv("SYSTEMD_PAGER");
        if (!p)
                p = getenv("PAGER");
        return p;
}

/* The pager's end: the command asked for, or less, or more, or the bytes copied through. */
_Noreturn static void run_pager(const char *command)
{
        char buf[4096];
        ssize_t n;

        if (setenv("LESS", "FRSX", 0) < 0)
                _exit(EXIT_FAILURE);
        if (command)
                execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        else {
                execlp("less", "less", (char *)NULL);
                execlp("more", "more", (char *)NULL);
        }
        while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
                if (write(STDOUT_FILENO, buf, (size_t)n) != n)
                        break;
        _exit(n < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}

int ctl_pager_open(bool no_pager)
{
        const char *command = pager_command();
        struct sigaction ignore = { .sa_handler = SIG_IGN };
        struct winsize ws;
        int fds[2];

        if (no_pager || pager_pid > 0 || !isatty(STDOUT_FILENO))
                return 0;
        if (command && (!command[0] || strcmp(command, "cat") == 0))
                return 0;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
                pager_columns = ws.ws_col;
        fflush(stdout);
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(fds[0]);
                close(fds[1]);
                return r;
        }
        if (pid == 0) {
                if (dup2(fds[0], STDIN_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                run_pager(command);
        }
        if (dup2(fds[1], STDOUT_FILENO) < 0) {
                int r = -errno;
                close(fds[0]);
                close(fds[1]);
                kill(pid, SIGTERM);
                waitpid(pid, NULL, 0);
                return r;
        }
        close(fds[0]);
        close(fds[1]);
        pager_pid = pid;
        /* Quitting the pager early must not kill us with SIGPIPE: writes just fail. */
        sigaction(SIGPIPE, &ignore, &old_pipe);
        return 0;
}

void ctl_pager_close(void)
{
        struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int;

        if (pager_pid <= 0)
                return;
        fflush(stdout);
        fclose(stdout);
        /* Ctrl-C belongs to the pager while it runs. */
        sigaction(SIGINT, &ignore, &old_int);
        while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGPIPE, &old_pipe, NULL);
        pager_pid = 0;
        pager_columns = 0;
}

unsigned ctl_pager_columns(void)
{
        return pager_columns;
}
