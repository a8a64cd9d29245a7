/* gaitmonctl status: every property of gaitmond, aligned like timedatectl. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-log.h"
#include "ctl-status.h"
#include "gm_balance.h"
#include "gm_metric.h"

#define LABEL_WIDTH 18

/* Properties shown with their own words, besides the metrics' sides; any other is shown after
 * them as it comes. */
static const char *const known[] = {
        "State",        "Activity",     "Cadence", "StepCount",     "Asymmetry",      "AsymmetryBaseline",
        "FatigueScore", "SessionStart", "Sensors", "SensorReasons", "DroppedSamples", "VerticalOscillation",
};

static bool is_known(const char *name)
{
        char property[48];

        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
                if (strcmp(known[i], name) == 0)
                        return true;
        for (int m = 0; m < GM_METRIC_COUNT; m++)
                for (int side = 0; side < 2; side++)
                        if (gm_metric_property(m, side, property, sizeof property) && strcmp(property, name) == 0)
                                return true;
        return false;
}

int ctl_status_fetch(DBusConnection *bus, struct ctl_props *props)
{
        const char *interface = CTL_BUS_INTERFACE;
        DBusMessage *reply = NULL;
        DBusMessageIter it;
        int r;

        r = ctl_bus_call_method(bus, DBUS_INTERFACE_PROPERTIES, "GetAll", DBUS_TYPE_STRING, &interface, NULL, &reply);
        if (r < 0)
                return r;
        dbus_message_iter_init(reply, &it);
        r = ctl_props_update(props, reply, &it);
        if (r < 0)
                ctl_log("Unexpected reply from gaitmond to GetAll (signature '%s').",
                        dbus_message_get_signature(reply));
        dbus_message_unref(reply);
        return r;
}

static void label(FILE *f, const char *text)
{
        fprintf(f, "%*s: ", LABEL_WIDTH, text);
}

static void line_string(FILE *f, const struct ctl_props *p, const char *name, const char *text)
{
        const char *v = ctl_props_string(p, name);
        if (!v)
                return;
        label(f, text);
        fprintf(f, "%s\n", v);
}

/* "Stance time: 281 ms left, 283 ms right"; the side's words may say more ("on the left leg"). */
static void line_metric(FILE *f, const struct ctl_props *p, enum gm_metric m)
{
        const struct gm_metric_info *info = gm_metric_info(m);
        char left[48], right[48], a[32], b[32];

        if (!gm_metric_property(m, GM_SIDE_LEFT, left, sizeof left) ||
            !gm_metric_property(m, GM_SIDE_RIGHT, right, sizeof right) ||
            (!ctl_props_get(p, left, DBUS_TYPE_DOUBLE) && !ctl_props_get(p, right, DBUS_TYPE_DOUBLE)))
                return;
        label(f, info->label);
        fprintf(f, "%s %s, %s %s\n",
                ctl_format_number(a, sizeof a, ctl_props_double(p, left), info->decimals, info->symbol),
                gm_metric_side_words(m, GM_SIDE_LEFT),
                ctl_format_number(b, sizeof b, ctl_props_double(p, right), info->decimals, info->symbol),
                gm_metric_side_words(m, GM_SIDE_RIGHT));
}

/* The value of key in an a{sd} or a{ss} property: true and *ret set when present. */
static bool dict_lookup(const struct ctl_props *p, const char *name, const char *key, int type, void *ret)
{
        const DBusMessageIter *value = ctl_props_get(p, name, DBUS_TYPE_ARRAY);
        DBusMessageIter it, entries;

        if (!value)
                return false;
        it = *value;
        dbus_message_iter_recurse(&it, &entries);
        for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&entries)) {
                DBusMessageIter entry;
                const char *k;

                dbus_message_iter_recurse(&entries, &entry);
                if (dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_STRING)
                        return false;
                dbus_message_iter_get_basic(&entry, &k);
                if (strcmp(k, key) != 0)
                        continue;
                dbus_message_iter_next(&entry);
                if (dbus_message_iter_get_arg_type(&entry) != type)
                        return false;
                dbus_message_iter_get_basic(&entry, ret);
                return true;
        }
        return false;
}

double ctl_status_si(const struct ctl_props *p, const char *name, const char *metric)
{
        double si = NAN;
        return dict_lookup(p, name, metric, DBUS_TYPE_DOUBLE, &si) ? si : NAN;
}

/* One metric a line: its balance now and the runner's usual one (the baseline); whether that is known. */
static bool line_balance_metric(FILE *f, const struct ctl_props *p, const char *metric, bool first)
{
        char noun_buf[64], now[40], usual[40];
        double si = ctl_status_si(p, "Asymmetry", metric), base = ctl_status_si(p, "AsymmetryBaseline", metric);

        if (!first)
                fprintf(f, "%*s  ", LABEL_WIDTH, "");
        fprintf(f, "%-20s %s", gm_balance_metric_noun(metric, noun_buf, sizeof noun_buf),
                gm_balance_format(now, sizeof now, si));
        if (isfinite(base))
                fprintf(f, ", usually %s\n", gm_balance_format(usual, sizeof usual, base));
        else
                fprintf(f, "\n");
        return isfinite(base);
}

/* Every metric of Asymmetry, then those only the baseline has. */
static void line_asymmetry(FILE *f, const struct ctl_props *p)
{
        const char *names[] = { "Asymmetry", "AsymmetryBaseline" };
        bool first = true, usual = false;

        if (!ctl_props_get(p, "Asymmetry", DBUS_TYPE_ARRAY) && !ctl_props_get(p, "AsymmetryBaseline", DBUS_TYPE_ARRAY))
                return;
        label(f, "Asymmetry");
        for (int n = 0; n < 2; n++) {
                const DBusMessageIter *value = ctl_props_get(p, names[n], DBUS_TYPE_ARRAY);
                DBusMessageIter it, entries;

                if (!value)
                        continue;
                it = *value;
                dbus_message_iter_recurse(&it, &entries);
                for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY;
                     dbus_message_iter_next(&entries)) {
                        DBusMessageIter entry;
                        const char *metric;
                        double unused;

                        dbus_message_iter_recurse(&entries, &entry);
                        if (dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_STRING)
                                break;
                        dbus_message_iter_get_basic(&entry, &metric);
                        if (n == 1 && dict_lookup(p, "Asymmetry", metric, DBUS_TYPE_DOUBLE, &unused))
                                continue;
                        usual = line_balance_metric(f, p, metric, first) || usual;
                        first = false;
                }
        }
        if (first)
                fprintf(f, "none measured yet\n");
        else if (!usual)
                fprintf(f, "%*s  (the usual balance is learned early in a run)\n", LABEL_WIDTH, "");
}

static void line_session(FILE *f, const struct ctl_props *p)
{
        char ts[64], dur[32];
        uint64_t start;
        struct timespec now;

        if (!ctl_props_get(p, "SessionStart", DBUS_TYPE_UINT64))
                return;
        start = ctl_props_u64(p, "SessionStart");
        label(f, "Run started");
        if (start == 0) {
                fprintf(f, "no run in progress\n");
                return;
        }
        clock_gettime(CLOCK_REALTIME, &now);
        double elapsed = (double)now.tv_sec + now.tv_nsec / 1e9 - (double)start / 1e6;
        fprintf(f, "%s (%s ago)\n", ctl_format_timestamp(ts, sizeof ts, start),
                ctl_format_duration(dur, sizeof dur, elapsed));
}

static void line_sensors(FILE *f, const struct ctl_props *p)
{
        const DBusMessageIter *value = ctl_props_get(p, "Sensors", DBUS_TYPE_ARRAY);
        DBusMessageIter it, sensors;
        bool first = true;

        if (!value)
                return;
        it = *value;
        label(f, "Sensors");
        dbus_message_iter_recurse(&it, &sensors);
        for (; dbus_message_iter_get_arg_type(&sensors) == DBUS_TYPE_STRUCT; dbus_message_iter_next(&sensors)) {
                const char *fields[3] = { "?", "?", "?" };
                DBusMessageIter field;

                dbus_message_iter_recurse(&sensors, &field);
                for (int i = 0; i < 3 && dbus_message_iter_get_arg_type(&field) == DBUS_TYPE_STRING; i++) {
                        dbus_message_iter_get_basic(&field, &fields[i]);
                        dbus_message_iter_next(&field);
                }
                const char *reason = NULL;
                if (!first)
                        fprintf(f, "%*s  ", LABEL_WIDTH, "");
                if (strcmp(fields[2], "streaming") == 0 ||
                    !dict_lookup(p, "SensorReasons", fields[0], DBUS_TYPE_STRING, &reason) || !reason[0])
                        fprintf(f, "%-12s %s%s(%s)\n", fields[0], fields[1], fields[1][0] ? " " : "", fields[2]);
                else
                        fprintf(f, "%-12s %s%s(%s: %s)\n", fields[0], fields[1], fields[1][0] ? " " : "", fields[2],
                                reason);
                first = false;
        }
        if (first)
                fprintf(f, "none configured\n");
}

void ctl_status_print(FILE *f, const struct ctl_props *p)
{
        char buf[64];

        line_string(f, p, "State", "State");
        line_string(f, p, "Activity", "Activity");
        if (ctl_props_get(p, "Cadence", DBUS_TYPE_DOUBLE)) {
                label(f, "Cadence");
                fprintf(f, "%s\n", ctl_format_number(buf, sizeof buf, ctl_props_double(p, "Cadence"), 1, " steps/min"));
        }
        if (ctl_props_get(p, "StepCount", DBUS_TYPE_UINT64)) {
                label(f, "Steps");
                fprintf(f, "%llu\n", (unsigned long long)ctl_props_u64(p, "StepCount"));
        }
        if (ctl_props_get(p, "VerticalOscillation", DBUS_TYPE_DOUBLE)) {
                label(f, "Vertical osc.");
                fprintf(f, "%s\n",
                        ctl_format_number(buf, sizeof buf, ctl_props_double(p, "VerticalOscillation"), 1, " cm"));
        }
        for (int m = 0; m < GM_METRIC_COUNT; m++)
                line_metric(f, p, m);
        line_asymmetry(f, p);
        if (ctl_props_get(p, "FatigueScore", DBUS_TYPE_DOUBLE)) {
                label(f, "Fatigue");
                fprintf(f, "%s\n",
                        ctl_format_number(buf, sizeof buf, ctl_props_double(p, "FatigueScore"), 2,
                                          " (0 fresh, 1 exhausted)"));
        }
        line_session(f, p);
        line_sensors(f, p);
        if (ctl_props_get(p, "DroppedSamples", DBUS_TYPE_UINT64)) {
                label(f, "Dropped samples");
                fprintf(f, "%llu\n", (unsigned long long)ctl_props_u64(p, "DroppedSamples"));
        }
        for (size_t i = 0; i < p->n; i++) {
                if (is_known(p->items[i].name))
                        continue;
                label(f, p->items[i].name);
                ctl_value_text(f, &p->items[i].value);
                fputc('\n', f);
        }
}

void ctl_status_json(struct ctl_json *j, const struct ctl_props *p)
{
        ctl_json_object_begin(j);
        for (size_t i = 0; i < p->n; i++) {
                const struct ctl_prop *prop = &p->items[i];

                ctl_json_key(j, prop->name);
                if (strcmp(prop->name, "Sensors") != 0 || !ctl_props_get(p, "Sensors", DBUS_TYPE_ARRAY)) {
                        ctl_value_json(j, &prop->value);
                        continue;
                }
                /* a(sss) reads better as named fields. */
                static const char *const keys[] = { "location", "device", "status" };
                DBusMessageIter it = prop->value, sensors;
                dbus_message_iter_recurse(&it, &sensors);
                ctl_json_array_begin(j);
                for (; dbus_message_iter_get_arg_type(&sensors) == DBUS_TYPE_STRUCT; dbus_message_iter_next(&sensors)) {
                        DBusMessageIter field;
                        dbus_message_iter_recurse(&sensors, &field);
                        ctl_json_object_begin(j);
                        for (int k = 0; k < 3 && dbus_message_iter_get_arg_type(&field) == DBUS_TYPE_STRING; k++) {
                                ctl_json_key(j, keys[k]);
                                ctl_value_json(j, &field);
                                dbus_message_iter_next(&field);
                        }
                        ctl_json_object_end(j);
                }
                ctl_json_array_end(j);
        }
        ctl_json_object_end(j);
}

int ctl_status(struct ctl_context *c)
{
        struct ctl_props props = {};
        int r;

        r = ctl_status_fetch(c->bus, &props);
        if (r >= 0) {
                if (c->json) {
                        struct ctl_json j;
                        ctl_json_init(&j, stdout);
                        ctl_status_json(&j, &props);
                        ctl_json_finish(&j);
                } else
                        ctl_status_print(stdout, &props);
        }
        ctl_props_clear(&props);
        return r;
}
