/* Fuzz targets of gaitmon: each reads one input through a parser that takes files. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point; also called by replay-corpus.c for every file of a corpus. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file the parsers can open (a memfd path under /proc/self/fd), or NULL. The
 * descriptor stays open until the next call. */
const char *fuzz_input_path(const uint8_t *data, size_t size, const char *suffix);
