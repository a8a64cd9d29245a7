/* gaitmond's configuration: gaitmon.conf plus its drop-ins, parsed with libinih. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gm_config_default(struct gm_config *c)
{
        *c = (struct gm_config){
                .uri = "local:",
                .sample_rate_hz = 416,
                .buffer_samples = 32,
                .warmup_s = 60,
                .baseline_s = 60,
                .asymmetry_threshold_pct = 6,
                .asymmetry_strides = 4,
                .fatigue_threshold = 0.5,
                .idle_timeout_s = 120,
                .age = 35,
                .stride_retention_days = 90,
                .state_directory = "/var/lib/gaitmon",
        };
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                if (loc == GM_LOC_LEFT_FOOT || loc == GM_LOC_RIGHT_FOOT)
                        continue;
                c->sensor[loc].kind = GM_MATCH_LABEL;
                snprintf(c->sensor[loc].value, sizeof(c->sensor[loc].value), "%s", gm_loc_name(loc));
        }
}

unsigned gm_config_sensor_mask(const struct gm_config *c)
{
        unsigned mask = 0;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                if (c->sensor[loc].kind != GM_MATCH_NONE)
                        mask |= 1u << loc;
        return mask;
}

const char *gm_match_kind_name(enum gm_match_kind k)
{
        switch (k) {
        case GM_MATCH_LABEL:
                return "label";
        case GM_MATCH_NAME:
                return "name";
        case GM_MATCH_SYSFS:
                return "sysfs";
        default:
                return "none";
        }
}

struct parse_state {
        struct gm_config *cfg;
        char error[256]; /* the first problem; inih gives its line */
        FILE *f;
        int line;
        int too_long;      /* a line that did not fit the parser's buffer */
        char seen[64][80]; /* "section\nkey" of this file: a key given twice is a mistake */
        unsigned n_seen;
};

/* libinih reads lines into a fixed buffer and parses what does not fit as a line of its own
 * (a comment's tail would become a setting): a line that does not fit ends the parse. */
static char *read_line(char *str, int num, void *stream)
{
        struct parse_state *st = stream;
        char *r = fgets(str, num, st->f);
        if (!r)
                return NULL;
        st->line++;
        size_t len = strlen(r);
        if (len == (size_t)num - 1 && r[len - 1] != '\n' && !feof(st->f)) {
                st->too_long = st->line;
                return NULL;
        }
        return r;
}

/* False (and the error set) when this file gave section/name before. */
static bool first_time(struct parse_state *st, const char *section, const char *name)
{
        char key[80];
        snprintf(key, sizeof(key), "%s\n%s", section, name);
        for (unsigned i = 0; i < st->n_seen; i++)
                if (strcmp(st->seen[i], key) == 0) {
                        snprintf(st->error, sizeof(st->error), "[%.64s] %.64s given twice", section, name);
                        return false;
                }
        if (st->n_seen < sizeof(st->seen) / sizeof(st->seen[0]))
                memcpy(st->seen[st->n_seen++], key, sizeof(key));
        return true;
}

static int parse_double(const char *v, double lo, double hi, double *out)
{
        char *end;
        errno = 0;
        double d = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(d) || d < lo || d > hi)
                return -EINVAL;
        *out = d;
        return 0;
}

static int parse_unsigned(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
        char *end;
        errno = 0;
        unsigned long u = strtoul(v, &end, 10);
        if (errno || end == v || *end || v[0] == '-' || u < lo || u > hi)
                return -EINVAL;
        *out = (unsigned)u;
        return 0;
}

static int parse_match(const char *v, struct gm_sensor_match *m)
{
        static const struct {
                const char *prefix;
                enum gm_match_kind kind;
        } kinds[] = {
                { "label:", GM_MATCH_LABEL },
                { "name:", GM_MATCH_NAME },
                { "sysfs:", GM_MATCH_SYSFS },
        };
        if (strcmp(v, "none") == 0) {
                *m = (struct gm_sensor_match){ .kind = GM_MATCH_NONE };
                return 0;
        }
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
                size_t n = strlen(kinds[i].prefix);
                if (strncmp(v, kinds[i].prefix, n) == 0 && v[n] && strlen(v + n) < sizeof(m->value)) {
                        m->kind = kinds[i].kind;
                        snprintf(m->value, sizeof(m->value), "%s", v + n);
                        return 0;
                }
        }
        return -EINVAL;
}

struct number_key {
        const char *section, *name;
        double lo, hi;
        size_t offset; /* of a double, or of an unsigned when is_unsigned */
        bool is_unsigned;
        const char *what;
};

#define D(sec, key, lo, hi, field, what)                                         \
        {                                                                        \
                sec, key, lo, hi, offsetof(struct gm_config, field), false, what \
        }
#define U(sec, key, lo, hi, field, what)                                        \
        {                                                                       \
                sec, key, lo, hi, offsetof(struct gm_config, field), true, what \
        }
static const struct number_key number_keys[] = {
        D("iio", "sample_rate_hz", 50, 1000, sample_rate_hz, "a rate from 50 to 1000 Hz"),
        U("iio", "buffer_samples", 1, 1000, buffer_samples, "a count from 1 to 1000"),
        D("alerts", "warmup_s", 0, 3600, warmup_s, "seconds from 0 to 3600"),
        D("alerts", "baseline_s", 10, 3600, baseline_s, "seconds from 10 to 3600"),
        D("alerts", "asymmetry_threshold_pct", 0.5, 100, asymmetry_threshold_pct, "percent points from 0.5 to 100"),
        U("alerts", "asymmetry_strides", 1, 100, asymmetry_strides, "a count from 1 to 100"),
        D("alerts", "fatigue_threshold", 0.05, 1, fatigue_threshold, "a score from 0.05 to 1"),
        D("session", "idle_timeout_s", 5, 86400, idle_timeout_s, "seconds from 5 to 86400"),
        U("runner", "age", 5, 120, age, "years from 5 to 120"),
        U("daemon", "stride_retention_days", 0, 36500, stride_retention_days, "days from 0 (forever) to 36500"),
};
#undef D
#undef U

/* libiio's backends. Anything else fails only when the context is opened,
 * after --check-config said ok, and with libiio's "Function not implemented". */
static bool is_iio_uri(const char *v)
{
        static const char *const schemes[] = { "local:", "ip:", "usb:", "serial:", "xml:" };
        for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
                if (strncmp(v, schemes[i], strlen(schemes[i])) == 0)
                        return strcmp(schemes[i], "ip:") != 0 || v[3] != 0;
        return false;
}

static const char *const sections[] = { "iio", "sensors", "alerts", "session", "runner", "daemon" };

static bool is_section(const char *section)
{
        for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
                if (strcmp(section, sections[i]) == 0)
                        return true;
        return false;
}

static int handle_key(void *user, const char *section, const char *name, const char *value)
{
        struct parse_state *st = user;
        struct gm_config *c = st->cfg;

        if (st->error[0])
                return 1; /* only the first problem is reported */
        if (!is_section(section)) {
                /* The section is the mistake, not each key in it. */
                if (section[0])
                        snprintf(st->error, sizeof(st->error),
                                 "unknown section [%.64s] (sections: [iio], [sensors], [alerts], [session], [runner], "
                                 "[daemon])",
                                 section);
                else
                        snprintf(st->error, sizeof(st->error), "'%.64s' is outside any [section]", name);
                return 0;
        }
        if (!first_time(st, section, name))
                return 0;

        if (strcmp(section, "iio") == 0 && strcmp(name, "uri") == 0) {
                if (!value[0] || strlen(value) >= sizeof(c->uri)) {
                        snprintf(st->error, sizeof(st->error),
                                 "[iio] uri: expected a libiio URI such as local: or ip:HOST:PORT");
                        return 0;
                }
                if (!is_iio_uri(value)) {
                        snprintf(st->error, sizeof(st->error),
                                 "[iio] uri: '%.64s' is not a libiio URI: local: for this machine's sensors, ip:%.64s "
                                 "for a network iiod or gaitmon-sim",
                                 value, strchr(value, ':') && strncmp(value, "ip", 2) != 0 ? value : "HOST:PORT");
                        return 0;
                }
                snprintf(c->uri, sizeof(c->uri), "%s", value);
                return 1;
        }
        if (strcmp(section, "daemon") == 0 && strcmp(name, "state_directory") == 0) {
                if (value[0] != '/' || strlen(value) >= sizeof(c->state_directory)) {
                        snprintf(st->error, sizeof(st->error), "[daemon] state_directory: expected an absolute path");
                        return 0;
                }
                snprintf(c->state_directory, sizeof(c->state_directory), "%s", value);
                return 1;
        }
        if (strcmp(section, "sensors") == 0) {
                int loc = gm_loc_from_name(name);
                if (loc < 0) {
                        snprintf(st->error, sizeof(st->error),
                                 "[sensors] unknown location '%.64s' (pelvis, left_hip, right_hip, left_shank, "
                                 "right_shank, left_foot, right_foot)",
                                 name);
                        return 0;
                }
                if (parse_match(value, &c->sensor[loc]) < 0) {
                        snprintf(st->error, sizeof(st->error),
                                 "[sensors] %s: expected label:TEXT, name:TEXT, sysfs:PATH or none, got '%.64s'", name,
                                 value);
                        return 0;
                }
                return 1;
        }
        for (size_t i = 0; i < sizeof(number_keys) / sizeof(number_keys[0]); i++) {
                const struct number_key *k = &number_keys[i];
                if (strcmp(section, k->section) || strcmp(name, k->name))
                        continue;
                int r;
                if (k->is_unsigned)
                        r = parse_unsigned(value, (unsigned)k->lo, (unsigned)k->hi,
                                           (unsigned *)((char *)c + k->offset));
                else
                        r = parse_double(value, k->lo, k->hi, (double *)((char *)c + k->offset));
                if (r < 0) {
                        snprintf(st->error, sizeof(st->error), "[%s] %s: expected %s, got '%.64s'", section, name,
                                 k->what, value);
                        return 0;
                }
                return 1;
        }
        snprintf(st->error, sizeof(st->error), "unknown key '%.64s' in section [%.64s]", name, section);
        return 0;
}

static int load_file(struct gm_config *c, const char *path, char *err, size_t err_size)
{
        FILE *f = fopen(path, "re");
        if (!f) {
                int r = -errno;
                snprintf(err, err_size, "%s: %s", path, strerror(-r));
                return r;
        }
        struct parse_state st = { .cfg = c, .f = f };
        int line = ini_parse_stream(read_line, &st, handle_key, &st);
        fclose(f);
        if (st.too_long && !st.error[0]) {
                snprintf(err, err_size, "%s:%d: line longer than %d characters", path, st.too_long, INI_MAX_LINE - 2);
                return -EINVAL;
        }
        if (line == 0)
                return 0;
        if (line < 0)
                snprintf(err, err_size, "%s: could not be read", path);
        else if (st.error[0])
                snprintf(err, err_size, "%s:%d: %s", path, line, st.error);
        else
                snprintf(err, err_size, "%s:%d: not a 'key = value' line or [section]", path, line);
        return -EINVAL;
}

static int filter_conf(const struct dirent *d)
{
        size_t n = strlen(d->d_name);
        return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

int gm_config_load(struct gm_config *c, const char *path, bool allow_missing, char *err, size_t err_size)
{
        struct gm_config next = *c;
        int r = load_file(&next, path, err, err_size);
        if (r == -ENOENT && allow_missing)
                r = 0;
        if (r < 0)
                return r;

        char dir[PATH_MAX];
        if (snprintf(dir, sizeof(dir), "%s.d", path) >= (int)sizeof(dir)) {
                snprintf(err, err_size, "%s: path too long", path);
                return -ENAMETOOLONG;
        }
        struct dirent **names = NULL;
        int n = scandir(dir, &names, filter_conf, alphasort);
        if (n < 0 && errno != ENOENT && errno != ENOTDIR) {
                r = -errno;
                snprintf(err, err_size, "%s: %s", dir, strerror(errno));
                return r;
        }
        for (int i = 0; i < n; i++) {
                char file[PATH_MAX];
                if (r == 0) {
                        if (snprintf(file, sizeof(file), "%s/%s", dir, names[i]->d_name) >= (int)sizeof(file)) {
                                snprintf(err, err_size, "%s/%s: path too long", dir, names[i]->d_name);
                                r = -ENAMETOOLONG;
                        } else {
                                r = load_file(&next, file, err, err_size);
                        }
                }
                free(names[i]);
        }
        free(names);
        if (r < 0)
                return r;
        /* A sensor's block of samples reaches the analysis at once, when it is full: blocks longer
         * than a second put the sensors too far apart for their strides to be matched. */
        if (next.buffer_samples > next.sample_rate_hz) {
                snprintf(err, err_size,
                         "%s: [iio] buffer_samples: %u samples last %.1f s at sample_rate_hz = %g; the sensors' blocks "
                         "would reach the analysis too far apart: at most %.0f (1 s)",
                         path, next.buffer_samples, next.buffer_samples / next.sample_rate_hz, next.sample_rate_hz,
                         floor(next.sample_rate_hz));
                return -EINVAL;
        }
        *c = next; /* all or nothing: a bad drop-in leaves the caller's config untouched */
        return 0;
}
