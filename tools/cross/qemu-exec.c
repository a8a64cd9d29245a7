/* Preloaded (the sysroot's etc/ld.so.preload) into every arm64 program that qemu-user
 * runs from the sysroot. Without binfmt_misc the kernel cannot execute an arm64 program,
 * and criterion runs each test in a re-executed copy of the test program: an exec of an
 * arm64 program goes through qemu again, with the same sysroot and argv[0].
 * Built by tools/run cross with QEMU and SYSROOT defined. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int is_arm64_elf(const char *path)
{
        unsigned char h[EI_NIDENT + 4];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, h, sizeof h);
        close(fd);
        /* e_machine follows e_ident and the 16-bit e_type, little endian. */
        return n == (ssize_t)sizeof h && memcmp(h, ELFMAG, SELFMAG) == 0 && h[EI_NIDENT + 2] == (EM_AARCH64 & 0xff) &&
               h[EI_NIDENT + 3] == (EM_AARCH64 >> 8);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
        int (*real)(const char *, char *const[],
                    char *const[]) = (int (*)(const char *, char *const[], char *const[]))dlsym(RTLD_NEXT, "execve");
        if (!real) {
                errno = ENOSYS;
                return -1;
        }
        if (!is_arm64_elf(path))
                return real(path, argv, envp);

        size_t argc = 0;
        while (argv[argc])
                argc++;
        char **qargv = calloc(argc + 7, sizeof *qargv);
        if (!qargv) {
                errno = ENOMEM;
                return -1;
        }
        size_t i = 0;
        qargv[i++] = (char *)QEMU;
        qargv[i++] = (char *)"-L";
        qargv[i++] = (char *)SYSROOT;
        if (argc > 0) {
                qargv[i++] = (char *)"-0";
                qargv[i++] = argv[0];
        }
        qargv[i++] = (char *)path;
        for (size_t a = 1; a < argc; a++)
                qargv[i++] = argv[a];
        int r = real(QEMU, qargv, envp);
        int e = errno;
        free(qargv);
        errno = e;
        return r;
}

int execv(const char *path, char *const argv[])
{
        return execve(path, argv, environ);
}
