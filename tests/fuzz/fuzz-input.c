/* Hands a fuzz input to parsers that open files: a memory file under /proc/self/fd. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-input.h"

const char *fuzz_input_path(const uint8_t *data, size_t size, const char *suffix)
{
        static int fd = -1;
        static char path[64];
        if (fd >= 0)
                close(fd);
        fd = memfd_create("gaitmon-fuzz", MFD_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t done = 0;
        while (done < size) {
                ssize_t w = write(fd, data + done, size - done);
                if (w <= 0)
                        return NULL;
                done += (size_t)w;
        }
        /* The reader opens the path anew; the suffix only matters to readers that look at it. */
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        (void)suffix;
        return path;
}
