/* Scenario INI: what the emulated runner does and what goes wrong with the sensors. */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-scenario.h"

enum { PHASE_DURATION = 1, PHASE_ACTIVITY = 2, PHASE_SPEED = 4, PHASE_CADENCE = 8 };

struct parse_ctx {
        struct sim_scenario *sc;
        const char *path;
        FILE *f;
        unsigned line;
        char *err;
        size_t errlen;
        int failed;         /* first error kept, the rest ignored */
        unsigned too_long;  /* a line that did not fit the parser's buffer */
        char seen[256][96]; /* "section\nkey" pairs, to refuse repeats */
        size_t n_seen;
        /* per-section bookkeeping for checks after the whole file */
        unsigned phase_line[SIM_MAX_PHASES];
        char fault_name[SIM_MAX_FAULTS][64];
        unsigned fault_line[SIM_MAX_FAULTS];
        unsigned fault_seen[SIM_MAX_FAULTS];
        char asym_name[2][64];
        int asym_side[2];
        unsigned asym_line[2];
        size_t n_asym;
        unsigned mount_line[GM_LOC_COUNT];
        unsigned accel_only_line;
        unsigned mount_mask;
};

static int fail(struct parse_ctx *ctx, unsigned line, const char *fmt, ...)
{
        if (ctx->failed)
                return 0;
        ctx->failed = 1;
        int n = snprintf(ctx->err, ctx->errlen, "%s:%u: ", ctx->path, line);
        if (n >= 0 && (size_t)n < ctx->errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
                va_end(ap);
        }
        return 0;
}

/* libinih reads lines into a fixed buffer and parses what does not fit as a line of its own:
 * a line that does not fit ends the parse here, to be reported. */
static char *count_lines(char *str, int num, void *stream)
{
        struct parse_ctx *ctx = stream;
        char *r = fgets(str, num, ctx->f);
        if (!r)
                return NULL;
        ctx->line++;
        size_t len = strlen(r);
        if (len == (size_t)num - 1 && r[len - 1] != '\n' && !feof(ctx->f)) {
                ctx->too_long = ctx->line;
                return NULL;
        }
        return r;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
                return -EINVAL;
        *out = v;
        return 0;
}

static int parse_locations(const char *value, unsigned *mask)
{
        char buf[256];
        if (snprintf(buf, sizeof(buf), "%s", value) >= (int)sizeof(buf))
                return -EINVAL;
        *mask = 0;
        char *save = NULL;
        for (char *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
                int l = gm_loc_from_name(tok);
                if (l < 0 || (*mask & 1u << l))
                        return -EINVAL;
                *mask |= 1u << l;
        }
        return *mask ? 0 : -EINVAL;
}

/* Splits "kind name" into its two words; name may be empty. */
static void split_section(const char *section, char *kind, size_t klen, char *name, size_t nlen)
{
        size_t k = strcspn(section, " \t");
        snprintf(kind, klen, "%.*s", (int)k, section);
        const char *rest = section + k;
        rest += strspn(rest, " \t");
        snprintf(name, nlen, "%s", rest);
}

#define NUM(key, lo, hi, dst, what)                                                                                    \
        if (strcmp(name, key) == 0) {                                                                                  \
                if (parse_num(value, lo, hi, dst) < 0)                                                                 \
                        return fail(ctx, ctx->line, "[%s] %s = '%s': expected %s from %g to %g", section, name, value, \
                                    what, (double)(lo), (double)(hi));                                                 \
                return 1;                                                                                              \
        }

static int handle_sim(struct parse_ctx *ctx, const char *section, const char *name, const char *value)
{
        struct sim_scenario *sc = ctx->sc;
        if (strcmp(name, "seed") == 0) {
                char *end;
                errno = 0;
                unsigned long long v = strtoull(value, &end, 10);
                if (errno || end == value || *end || value[0] == '-')
                        return fail(ctx, ctx->line, "[sim] seed = '%s': expected a non-negative integer", value);
                sc->seed = v;
                return 1;
        }
        if (strcmp(name, "rate") == 0) {
                double hz;
                if (parse_num(value, 0, 1e6, &hz) < 0 || !sim_rate_supported(hz, 0, &hz))
                        return fail(ctx, ctx->line, "[sim] rate = '%s': expected one of 12.5 26 52 104 208 416 833",
                                    value);
                sc->rate_hz = hz;
                return 1;
        }
        if (strcmp(name, "locations") == 0) {
                if (parse_locations(value, &sc->loc_mask) < 0)
                        return fail(ctx, ctx->line,
                                    "[sim] locations = '%s': expected distinct names among pelvis, left_hip, "
                                    "right_hip, left_shank, right_shank, left_foot, right_foot",
                                    value);
                return 1;
        }
        if (strcmp(name, "accel_only") == 0) {
                if (parse_locations(value, &sc->accel_only_mask) < 0)
                        return fail(ctx, ctx->line,
                                    "[sim] accel_only = '%s': expected distinct names among pelvis, left_hip, "
                                    "right_hip, left_shank, right_shank, left_foot, right_foot",
                                    value);
                ctx->accel_only_line = ctx->line;
                return 1;
        }
        return fail(ctx, ctx->line, "unknown key '%s' in [%s] (seed, rate, locations, accel_only)", name, section);
}

static int handle_phase(struct parse_ctx *ctx, const char *section, const char *pname, const char *name,
                        const char *value)
{
        struct sim_scenario *sc = ctx->sc;
        struct sim_phase *p = NULL;
        for (size_t i = 0; i < sc->n_phases; i++)
                if (strcmp(sc->phases[i].name, pname) == 0)
                        p = &sc->phases[i];
        if (!p) {
                if (sc->n_phases >= SIM_MAX_PHASES)
                        return fail(ctx, ctx->line, "more than %d phases", SIM_MAX_PHASES);
                if (strlen(pname) >= sizeof(p->name))
                        return fail(ctx, ctx->line, "phase name '%s' is too long", pname);
                ctx->phase_line[sc->n_phases] = ctx->line;
                p = &sc->phases[sc->n_phases++];
                snprintf(p->name, sizeof(p->name), "%s", pname);
        }
        if (strcmp(name, "activity") == 0) {
                int a = gm_activity_from_name(value);
                if (a < 0)
                        return fail(ctx, ctx->line, "[%s] activity = '%s': expected idle, walking or running", section,
                                    value);
                p->activity = a;
                p->seen |= PHASE_ACTIVITY;
                return 1;
        }
        if (strcmp(name, "duration") == 0)
                p->seen |= PHASE_DURATION;
        else if (strcmp(name, "speed") == 0)
                p->seen |= PHASE_SPEED;
        else if (strcmp(name, "cadence") == 0)
                p->seen |= PHASE_CADENCE;
        NUM("duration", 0.001, 864000, &p->duration_s, "seconds");
        NUM("speed", 0, 12, &p->speed_mps, "m/s");
        NUM("cadence", 40, 260, &p->cadence_spm, "steps/min");
        return fail(ctx, ctx->line, "unknown key '%s' in [%s] (duration, activity, speed, cadence)", name, section);
}

static int handle_asymmetry(struct parse_ctx *ctx, const char *section, const char *aname, const char *name,
                            const char *value)
{
        size_t i;
        for (i = 0; i < ctx->n_asym; i++)
                if (strcmp(ctx->asym_name[i], aname) == 0)
                        break;
        if (i == ctx->n_asym) {
                if (ctx->n_asym >= 2)
                        return fail(ctx, ctx->line, "at most two asymmetry sections, one per side");
                snprintf(ctx->asym_name[i], sizeof(ctx->asym_name[i]), "%s", aname);
                ctx->asym_side[i] = -1;
                ctx->asym_line[i] = ctx->line;
                ctx->n_asym++;
        }
        if (strcmp(name, "side") == 0) {
                int s = gm_side_from_name(value);
                if (s != GM_SIDE_LEFT && s != GM_SIDE_RIGHT)
                        return fail(ctx, ctx->line, "[%s] side = '%s': expected left or right", section, value);
                ctx->asym_side[i] = s;
                return 1;
        }
        /* slot i belongs to this section until check() puts it on its side */
        struct gm_model_weakness *dst = &ctx->sc->weak[i];
        NUM("onset", 0, 864000, &dst->onset_s, "seconds");
        NUM("ramp", 0, 86400, &dst->ramp_s, "seconds");
        NUM("hip_extension_loss", 0, 0.9, &dst->hip_ext_frac, "a fraction");
        NUM("extra_stance", 0, 0.5, &dst->stance_frac, "a fraction");
        NUM("extra_pelvic_drop", 0, 20, &dst->pelvic_drop_deg, "degrees");
        return fail(ctx, ctx->line,
                    "unknown key '%s' in [%s] (side, onset, ramp, hip_extension_loss, "
                    "extra_stance, extra_pelvic_drop)",
                    name, section);
}

static int handle_mount(struct parse_ctx *ctx, const char *section, const char *loc_name, const char *name,
                        const char *value)
{
        int loc = gm_loc_from_name(loc_name);
        if (loc < 0)
                return fail(ctx, ctx->line, "[%s]: '%s' is not a sensor location", section, loc_name);
        if (!(ctx->mount_mask & 1u << loc))
                ctx->mount_line[loc] = ctx->line;
        ctx->mount_mask |= 1u << loc;
        double deg;
        int axis = strcmp(name, "roll") == 0 ? 0 : strcmp(name, "pitch") == 0 ? 1 : strcmp(name, "yaw") == 0 ? 2 : -1;
        if (axis < 0)
                return fail(ctx, ctx->line, "unknown key '%s' in [%s] (roll, pitch, yaw)", name, section);
        if (parse_num(value, -360, 360, &deg) < 0)
                return fail(ctx, ctx->line, "[%s] %s = '%s': expected degrees from -360 to 360", section, name, value);
        ctx->sc->mount_rpy[loc][axis] = deg * M_PI / 180.0;
        return 1;
}

enum { FAULT_TYPE = 1, FAULT_LOC = 2, FAULT_CHAN = 4, FAULT_FROM = 8, FAULT_TO = 16 };

static int handle_fault(struct parse_ctx *ctx, const char *section, const char *fname, const char *name,
                        const char *value)
{
        struct sim_scenario *sc = ctx->sc;
        size_t i;
        for (i = 0; i < sc->n_faults; i++)
                if (strcmp(ctx->fault_name[i], fname) == 0)
                        break;
        if (i == sc->n_faults) {
                if (sc->n_faults >= SIM_MAX_FAULTS)
                        return fail(ctx, ctx->line, "more than %d faults", SIM_MAX_FAULTS);
                snprintf(ctx->fault_name[i], sizeof(ctx->fault_name[i]), "%s", fname);
                ctx->fault_line[i] = ctx->line;
                sc->n_faults++;
        }
        struct sim_fault *f = &sc->faults[i];
        if (strcmp(name, "type") == 0) {
                if (strcmp(value, "unplug") == 0)
                        f->type = SIM_FAULT_UNPLUG;
                else if (strcmp(value, "stuck") == 0)
                        f->type = SIM_FAULT_STUCK;
                else if (strcmp(value, "saturated") == 0)
                        f->type = SIM_FAULT_SATURATED;
                else
                        return fail(ctx, ctx->line, "[%s] type = '%s': expected unplug, stuck or saturated", section,
                                    value);
                ctx->fault_seen[i] |= FAULT_TYPE;
                return 1;
        }
        if (strcmp(name, "location") == 0) {
                int loc = gm_loc_from_name(value);
                if (loc < 0)
                        return fail(ctx, ctx->line, "[%s] location = '%s': not a sensor location", section, value);
                f->loc = loc;
                ctx->fault_seen[i] |= FAULT_LOC;
                return 1;
        }
        if (strcmp(name, "channel") == 0) {
                if (sim_chan_mask_from_name(value, &f->chan_mask) < 0)
                        return fail(ctx, ctx->line,
                                    "[%s] channel = '%s': expected accel_x .. anglvel_z, "
                                    "accel, anglvel or all",
                                    section, value);
                ctx->fault_seen[i] |= FAULT_CHAN;
                return 1;
        }
        if (strcmp(name, "from") == 0)
                ctx->fault_seen[i] |= FAULT_FROM;
        else if (strcmp(name, "to") == 0)
                ctx->fault_seen[i] |= FAULT_TO;
        NUM("from", 0, 864000, &f->from_s, "seconds");
        NUM("to", 0, 864000, &f->to_s, "seconds");
        return fail(ctx, ctx->line, "unknown key '%s' in [%s] (type, location, channel, from, to)", name, section);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
        struct parse_ctx *ctx = user;
        if (ctx->failed)
                return 1;

        /* the same key twice in a section is a mistake, not an override */
        char pair[96];
        snprintf(pair, sizeof(pair), "%s\n%s", section, name);
        for (size_t i = 0; i < ctx->n_seen; i++)
                if (strcmp(ctx->seen[i], pair) == 0)
                        return fail(ctx, ctx->line, "[%s] %s is given twice", section, name);
        if (ctx->n_seen >= sizeof(ctx->seen) / sizeof(ctx->seen[0]))
                return fail(ctx, ctx->line, "too many keys");
        snprintf(ctx->seen[ctx->n_seen++], sizeof(ctx->seen[0]), "%s", pair);

        char kind[32], sname[64], canonical[100];
        split_section(section, kind, sizeof(kind), sname, sizeof(sname));
        /* [phase  a] and [phase a] would be one phase under two spellings. */
        snprintf(canonical, sizeof(canonical), "%s%s%s", kind, *sname ? " " : "", sname);
        if (strcmp(canonical, section) != 0 || strpbrk(sname, " \t"))
                return fail(ctx, ctx->line,
                            "[%s]: write a section as [KIND] or [KIND NAME], one space, "
                            "a name without spaces",
                            section);
        if (strcmp(kind, "sim") == 0 && !*sname)
                return handle_sim(ctx, section, name, value);
        if (strcmp(kind, "phase") == 0)
                return handle_phase(ctx, section, sname, name, value);
        if (strcmp(kind, "asymmetry") == 0)
                return handle_asymmetry(ctx, section, sname, name, value);
        if (strcmp(kind, "fatigue") == 0 && !*sname) {
                NUM("per_hour", 0, 2, &ctx->sc->fatigue_per_hour, "a fraction per hour");
                return fail(ctx, ctx->line, "unknown key '%s' in [fatigue] (per_hour)", name);
        }
        if (strcmp(kind, "noise") == 0 && !*sname) {
                NUM("acc", 0, 5, &ctx->sc->noise_acc, "m/s² rms");
                NUM("gyr", 0, 1, &ctx->sc->noise_gyr, "rad/s rms");
                return fail(ctx, ctx->line, "unknown key '%s' in [noise] (acc, gyr)", name);
        }
        if (strcmp(kind, "mount") == 0 && *sname)
                return handle_mount(ctx, section, sname, name, value);
        if (strcmp(kind, "fault") == 0)
                return handle_fault(ctx, section, sname, name, value);
        if (!*section)
                return fail(ctx, ctx->line, "key '%s' before any section", name);
        return fail(ctx, ctx->line,
                    "unknown section [%s] (sim, phase NAME, asymmetry, fatigue, noise, "
                    "mount LOCATION, fault NAME)",
                    section);
}

static int check(struct parse_ctx *ctx)
{
        struct sim_scenario *sc = ctx->sc;
        if (sc->n_phases == 0)
                return fail(ctx, ctx->line, "no [phase NAME] section: the scenario needs at least one phase"), -EINVAL;
        for (size_t i = 0; i < sc->n_phases; i++) {
                struct sim_phase *p = &sc->phases[i];
                if (!(p->seen & PHASE_DURATION) || !(p->seen & PHASE_ACTIVITY))
                        return fail(ctx, ctx->phase_line[i], "[phase %s] needs duration and activity", p->name),
                               -EINVAL;
                if (!(p->seen & PHASE_SPEED))
                        p->speed_mps = p->activity == GM_ACTIVITY_RUNNING   ? 3.0
                                       : p->activity == GM_ACTIVITY_WALKING ? 1.3
                                                                            : 0;
                if (!(p->seen & PHASE_CADENCE))
                        p->cadence_spm = p->activity == GM_ACTIVITY_RUNNING ? 170 : 110;
                /* What a body does in each activity; standing has neither speed nor cadence. */
                static const struct body_range {
                        double speed_lo, speed_hi, cadence_lo, cadence_hi;
                } body[] = {
                        [GM_ACTIVITY_IDLE] = { 0, 0, 0, 1e9 },
                        [GM_ACTIVITY_WALKING] = { 0.2, 2.5, 40, 150 },
                        [GM_ACTIVITY_RUNNING] = { 1.5, 8, 120, 230 },
                };
                const struct body_range *b = &body[p->activity];
                if (p->activity == GM_ACTIVITY_IDLE && (p->seen & (PHASE_SPEED | PHASE_CADENCE)) && p->speed_mps > 0)
                        return fail(ctx, ctx->phase_line[i], "[phase %s]: standing still has no speed", p->name),
                               -EINVAL;
                if (p->speed_mps < b->speed_lo || p->speed_mps > b->speed_hi || p->cadence_spm < b->cadence_lo ||
                    p->cadence_spm > b->cadence_hi)
                        return fail(ctx, ctx->phase_line[i],
                                    "[phase %s]: %s at %.3g m/s and %.3g steps/min is not "
                                    "what a body does (%.3g to %.3g m/s, %.3g to %.3g steps/min)",
                                    p->name, gm_activity_name(p->activity), p->speed_mps, p->cadence_spm, b->speed_lo,
                                    b->speed_hi, b->cadence_lo, b->cadence_hi),
                               -EINVAL;
        }

        struct gm_model_weakness by_side[2] = { 0 };
        bool have[2] = { false, false };
        for (size_t i = 0; i < ctx->n_asym; i++) {
                int s = ctx->asym_side[i];
                if (s < 0)
                        return fail(ctx, ctx->asym_line[i], "[asymmetry %s] needs side = left or right",
                                    ctx->asym_name[i]),
                               -EINVAL;
                if (have[s])
                        return fail(ctx, ctx->asym_line[i], "two asymmetry sections for the %s side", gm_side_name(s)),
                               -EINVAL;
                have[s] = true;
                by_side[s] = sc->weak[i];
        }
        sc->weak[0] = by_side[0];
        sc->weak[1] = by_side[1];

        for (int l = 0; l < GM_LOC_COUNT; l++)
                if ((ctx->mount_mask & 1u << l) && !(sc->loc_mask & 1u << l))
                        return fail(ctx, ctx->mount_line[l], "[mount %s]: no such location in [sim] locations",
                                    gm_loc_name(l)),
                               -EINVAL;

        if (sc->accel_only_mask & ~sc->loc_mask)
                return fail(ctx, ctx->accel_only_line, "[sim] accel_only names a location not in [sim] locations"),
                       -EINVAL;

        unsigned per_loc[GM_LOC_COUNT] = { 0 };
        for (size_t i = 0; i < sc->n_faults; i++) {
                struct sim_fault *f = &sc->faults[i];
                unsigned need = FAULT_TYPE | FAULT_LOC | FAULT_FROM | FAULT_TO;
                if ((ctx->fault_seen[i] & need) != need)
                        return fail(ctx, ctx->fault_line[i], "[fault %s] needs type, location, from and to",
                                    ctx->fault_name[i]),
                               -EINVAL;
                if (!(sc->loc_mask & 1u << f->loc))
                        return fail(ctx, ctx->fault_line[i], "[fault %s]: %s is not in [sim] locations",
                                    ctx->fault_name[i], gm_loc_name(f->loc)),
                               -EINVAL;
                if (!(f->to_s > f->from_s))
                        return fail(ctx, ctx->fault_line[i], "[fault %s]: 'to' must be after 'from'",
                                    ctx->fault_name[i]),
                               -EINVAL;
                if (f->from_s >= sim_scenario_duration(sc))
                        return fail(ctx, ctx->fault_line[i],
                                    "[fault %s]: starts at %g s, after the scenario's "
                                    "end at %g s",
                                    ctx->fault_name[i], f->from_s, sim_scenario_duration(sc)),
                               -EINVAL;
                /* each device keeps its own fault table (sim-device.h) */
                if (++per_loc[f->loc] > SIM_MAX_DEVICE_FAULTS)
                        return fail(ctx, ctx->fault_line[i], "[fault %s]: more than %d faults on %s",
                                    ctx->fault_name[i], SIM_MAX_DEVICE_FAULTS, gm_loc_name(f->loc)),
                               -EINVAL;
                if (f->type == SIM_FAULT_UNPLUG && (ctx->fault_seen[i] & FAULT_CHAN))
                        return fail(ctx, ctx->fault_line[i],
                                    "[fault %s]: an unplugged sensor loses every "
                                    "channel; drop 'channel'",
                                    ctx->fault_name[i]),
                               -EINVAL;
                if (f->type != SIM_FAULT_UNPLUG && !(ctx->fault_seen[i] & FAULT_CHAN))
                        f->chan_mask = (1u << SIM_AXES) - 1;
        }
        return 0;
}

int sim_scenario_load(const char *path, struct sim_scenario *sc, char *err, size_t errlen)
{
        struct parse_ctx *ctx = calloc(1, sizeof(*ctx));
        if (!ctx) {
                snprintf(err, errlen, "%s: out of memory", path);
                return -ENOMEM;
        }
        memset(sc, 0, sizeof(*sc));
        sc->seed = 1;
        sc->rate_hz = 416;
        sc->loc_mask = 1u << GM_LOC_PELVIS | 1u << GM_LOC_LEFT_HIP | 1u << GM_LOC_RIGHT_HIP | 1u << GM_LOC_LEFT_SHANK |
                       1u << GM_LOC_RIGHT_SHANK;
        sc->noise_acc = 0.05;
        sc->noise_gyr = 0.01;
        sc->weak[0].ramp_s = sc->weak[1].ramp_s = 30;

        ctx->sc = sc;
        ctx->path = path;
        ctx->err = err;
        ctx->errlen = errlen;
        ctx->f = fopen(path, "re");
        if (!ctx->f) {
                int r = -errno;
                snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
                free(ctx);
                return r;
        }
        int r = ini_parse_stream(count_lines, ctx, handler, ctx);
        if (ctx->too_long && !ctx->failed)
                fail(ctx, ctx->too_long, "line longer than %d characters", INI_MAX_LINE - 2);
        else if (r > 0 && !ctx->failed)
                fail(ctx, (unsigned)r, "not a key = value line or a [section]");
        else if (r < 0 && !ctx->failed)
                fail(ctx, ctx->line, "cannot read the file");
        r = ctx->failed ? -EINVAL : check(ctx);
        fclose(ctx->f);
        free(ctx);
        return r;
}

double sim_scenario_duration(const struct sim_scenario *sc)
{
        double d = 0;
        for (size_t i = 0; i < sc->n_phases; i++)
                d += sc->phases[i].duration_s;
        return d;
}
