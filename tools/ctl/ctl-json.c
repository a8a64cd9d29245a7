/* Streaming JSON writer for gaitmonctl --json. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "ctl-json.h"

void ctl_json_init(struct ctl_json *j, FILE *out)
{
        *j = (struct ctl_json){ .out = out };
}

/* Separates a value from the previous one in the same container. */
static void value_prefix(struct ctl_json *j)
{
        if (j->after_key) {
                j->after_key = false;
                return;
        }
        if (j->need_comma[j->depth])
                fputc(',', j->out);
        j->need_comma[j->depth] = true;
}

static void open_container(struct ctl_json *j, char c)
{
        value_prefix(j);
        fputc(c, j->out);
        if (j->depth + 1 < CTL_JSON_DEPTH_MAX)
                j->depth++;
        j->need_comma[j->depth] = false;
}

static void close_container(struct ctl_json *j, char c)
{
        fputc(c, j->out);
        if (j->depth > 0)
                j->depth--;
}

void ctl_json_object_begin(struct ctl_json *j)
{
        open_container(j, '{');
}

void ctl_json_object_end(struct ctl_json *j)
{
        close_container(j, '}');
}

void ctl_json_array_begin(struct ctl_json *j)
{
        open_container(j, '[');
}

void ctl_json_array_end(struct ctl_json *j)
{
        close_container(j, ']');
}

static void write_string(FILE *out, const char *s)
{
        fputc('"', out);
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
                switch (*p) {
                case '"':
                        fputs("\\\"", out);
                        break;
                case '\\':
                        fputs("\\\\", out);
                        break;
                case '\n':
                        fputs("\\n", out);
                        break;
                case '\r':
                        fputs("\\r", out);
                        break;
                case '\t':
                        fputs("\\t", out);
                        break;
                default:
                        if (*p < 0x20)
                                fprintf(out, "\\u%04x", *p);
                        else
                                fputc(*p, out); /* D-Bus strings are valid UTF-8 already */
                }
        }
        fputc('"', out);
}

void ctl_json_key(struct ctl_json *j, const char *key)
{
        value_prefix(j);
        write_string(j->out, key);
        fputc(':', j->out);
        j->after_key = true;
}

void ctl_json_string(struct ctl_json *j, const char *s)
{
        value_prefix(j);
        write_string(j->out, s);
}

void ctl_json_double(struct ctl_json *j, double v)
{
        value_prefix(j);
        if (isfinite(v)) {
                /* The shortest of these that reads back as the same double: exports round-trip. */
                char buf[32];
                for (int digits = 15; digits <= 17; digits++) {
                        snprintf(buf, sizeof buf, "%.*g", digits, v);
                        if (strtod(buf, NULL) == v)
                                break;
                }
                fputs(buf, j->out);
        } else
                fputs("null", j->out);
}

void ctl_json_uint(struct ctl_json *j, uint64_t v)
{
        value_prefix(j);
        fprintf(j->out, "%" PRIu64, v);
}

void ctl_json_int(struct ctl_json *j, int64_t v)
{
        value_prefix(j);
        fprintf(j->out, "%" PRId64, v);
}

void ctl_json_bool(struct ctl_json *j, bool v)
{
        value_prefix(j);
        fputs(v ? "true" : "false", j->out);
}

void ctl_json_null(struct ctl_json *j)
{
        value_prefix(j);
        fputs("null", j->out);
}

void ctl_json_finish(struct ctl_json *j)
{
        fputc('\n', j->out);
        fflush(j->out);
}

void ctl_json_field_string(struct ctl_json *j, const char *key, const char *s)
{
        ctl_json_key(j, key);
        ctl_json_string(j, s);
}

void ctl_json_field_double(struct ctl_json *j, const char *key, double v)
{
        ctl_json_key(j, key);
        ctl_json_double(j, v);
}

void ctl_json_field_uint(struct ctl_json *j, const char *key, uint64_t v)
{
        ctl_json_key(j, key);
        ctl_json_uint(j, v);
}
