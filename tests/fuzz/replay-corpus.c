/* Replays every file of the corpus directories given through a fuzz target: the targets'
 * regression test where the fuzzer itself is not built. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-input.h"

static int replay_file(const char *path)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
                if (len == cap) {
                        cap = cap ? 2 * cap : 4096;
                        uint8_t *b = realloc(buf, cap);
                        if (!b) {
                                free(buf);
                                fclose(f);
                                return -1;
                        }
                        buf = b;
                }
                size_t n = fread(buf + len, 1, cap - len, f);
                if (!n)
                        break;
                len += n;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "--help") == 0) {
                fprintf(argc < 2 ? stderr : stdout,
                        "Usage: %s CORPUS_DIR...\n"
                        "Runs every file of each directory through this fuzz target once.\n",
                        argv[0]);
                return argc < 2 ? 2 : 0;
        }
        unsigned files = 0;
        for (int a = 1; a < argc; a++) {
                DIR *d = opendir(argv[a]);
                if (!d) {
                        fprintf(stderr, "%s: %s\n", argv[a], strerror(errno));
                        return 1;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char path[4096];
                        snprintf(path, sizeof(path), "%s/%s", argv[a], de->d_name);
                        if (replay_file(path) < 0) {
                                closedir(d);
                                return 1;
                        }
                        files++;
                }
                closedir(d);
        }
        printf("%u inputs replayed\n", files);
        return files ? 0 : 1;
}
