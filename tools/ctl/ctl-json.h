/* A streaming JSON writer: valid output by construction, NaN and infinities written as null. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CTL_JSON_DEPTH_MAX 32

struct ctl_json {
        FILE *out;
        unsigned depth;
        bool need_comma[CTL_JSON_DEPTH_MAX];
        bool after_key;
};

void ctl_json_init(struct ctl_json *j, FILE *out);
void ctl_json_object_begin(struct ctl_json *j);
void ctl_json_object_end(struct ctl_json *j);
void ctl_json_array_begin(struct ctl_json *j);
void ctl_json_array_end(struct ctl_json *j);
void ctl_json_key(struct ctl_json *j, const char *key);
void ctl_json_string(struct ctl_json *j, const char *s);
void ctl_json_double(struct ctl_json *j, double v);
void ctl_json_uint(struct ctl_json *j, uint64_t v);
void ctl_json_int(struct ctl_json *j, int64_t v);
void ctl_json_bool(struct ctl_json *j, bool v);
void ctl_json_null(struct ctl_json *j);
/* Ends the document with a newline. */
void ctl_json_finish(struct ctl_json *j);

/* "key": value in the current object. */
void ctl_json_field_string(struct ctl_json *j, const char *key, const char *s);
void ctl_json_field_double(struct ctl_json *j, const char *key, double v);
void ctl_json_field_uint(struct ctl_json *j, const char *key, uint64_t v);
