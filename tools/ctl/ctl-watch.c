/* gaitmonctl watch: the status, redrawn in place on PropertiesChanged, and gaitmond's alerts. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-log.h"
#include "ctl-status.h"
#include "gm_balance.h"
#include "gm_metric.h"
#include "notify-message.h"

#define EVENTS_SHOWN 4
#define EVENT_MAX 1024

struct watch {
        struct ctl_context *ctl;
        struct ctl_props props;
        bool tty;
        bool gone; /* gaitmond left the bus */
        char events[EVENTS_SHOWN][EVENT_MAX];
        unsigned n_events;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
        stop_requested = 1;
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void redraw(struct watch *w)
{
        if (w->ctl->json) {
                struct ctl_json j;
                ctl_json_init(&j, stdout);
                ctl_status_json(&j, &w->props);
                ctl_json_finish(&j);
                return;
        }
        if (!w->tty)
                return; /* plain output prints changes as they come, see print_changes() */

        /* Home and clear on the alternate screen: no line counting to get wrong on wrapping. */
        fputs("\033[H\033[J", stdout);
        printf("gaitmond, live (Ctrl-C to stop)\n\n");
        ctl_status_print(stdout, &w->props);
        if (w->n_events > 0) {
                printf("\nRecent alerts:\n");
                for (unsigned i = 0; i < w->n_events; i++)
                        printf("  %s\n", w->events[i]);
        }
        fflush(stdout);
}

static void stamp_now(char *buf, size_t size)
{
        time_t t = time(NULL);
        struct tm tm;
        strftime(buf, size, "%H:%M:%S", localtime_r(&t, &tm));
}

/* ", stance 281 ms/283 ms (49.8 % L / 50.2 % R)": left/right, as the line ends by saying, and
 * the balance when gaitmond measures the metric's asymmetry. */
static void pair(FILE *f, const struct ctl_props *p, const char *what, enum gm_metric m)
{
        const struct gm_metric_info *info = gm_metric_info(m);
        char left[48], right[48], a[32], b[32], balance[40];
        double si = ctl_status_si(p, "Asymmetry", info->key);

        gm_metric_property(m, GM_SIDE_LEFT, left, sizeof left);
        gm_metric_property(m, GM_SIDE_RIGHT, right, sizeof right);
        if (!isfinite(ctl_props_double(p, left)) && !isfinite(ctl_props_double(p, right))) {
                fprintf(f, ", %s n/a", what);
                return;
        }
        fprintf(f, ", %s %s/%s", what,
                ctl_format_number(a, sizeof a, ctl_props_double(p, left), info->decimals, info->symbol),
                ctl_format_number(b, sizeof b, ctl_props_double(p, right), info->decimals, info->symbol));
        if (isfinite(si))
                fprintf(f, " (%s)", gm_balance_format(balance, sizeof balance, si));
}

/* Not on a terminal: one line a second, the live values in words and units. */
static void print_changes(struct watch *w, DBusMessage *m, DBusMessageIter *changed)
{
        const struct ctl_props *p = &w->props;
        const char *state = ctl_props_string(p, "State");
        char stamp[16], num[32];

        if (w->tty || w->ctl->json)
                return;
        stamp_now(stamp, sizeof stamp);
        printf("%s %s, %s, %llu steps", stamp, state ? state : "unknown",
               ctl_format_number(num, sizeof num, ctl_props_double(p, "Cadence"), 0, " steps/min"),
               (unsigned long long)ctl_props_u64(p, "StepCount"));
        /* The words of a line that must stay short. */
        pair(stdout, p, "stance", GM_METRIC_STANCE);
        pair(stdout, p, "hip extension", GM_METRIC_HIP_EXT);
        pair(stdout, p, "pelvic drop", GM_METRIC_PELVIC_DROP);
        fputs(" (left/right; pelvic drop while on the left/right leg)\n", stdout);
        fflush(stdout);
}

/* gaitmond's alert in the words of gaitmon-notify: 0 and *ret filled, or negative. */
static int alert_message(DBusMessage *m, struct notify_message *ret)
{
        const char *member = dbus_message_get_member(m), *s1 = NULL, *s2 = NULL;
        char **list = NULL;
        int n_list = 0, r = -EINVAL;
        double d1, d2;
        uint32_t u;

        if (!member)
                return -EINVAL;
        if (strcmp(member, "AsymmetrySpike") == 0) {
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_DOUBLE, &d1, DBUS_TYPE_DOUBLE, &d2,
                                          DBUS_TYPE_INVALID))
                        r = notify_message_asymmetry(s1, d1, d2, ret);
        } else if (strcmp(member, "FatigueAlert") == 0) {
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_UINT32, &u, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &list,
                                          &n_list, DBUS_TYPE_INVALID))
                        r = notify_message_fatigue(u, (const char *const *)list, (size_t)n_list, ret);
        } else if (strcmp(member, "RecoveryAdvice") == 0) {
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &list,
                                          &n_list, DBUS_TYPE_UINT32, &u, DBUS_TYPE_INVALID))
                        r = notify_message_recovery(s1, (const char *const *)list, (size_t)n_list, u, ret);
        } else if (strcmp(member, "SensorFault") == 0) {
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_STRING, &s2, DBUS_TYPE_INVALID))
                        r = notify_message_sensor_fault(s1, s2, ret);
        } else if (strcmp(member, "SensorRecovered") == 0) {
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_INVALID))
                        r = notify_message_sensor_recovered(s1, ret);
        }
        dbus_free_string_array(list);
        return r;
}

/* A notification body is markup: the five entities it escapes, back to text. */
static void put_plain(FILE *f, const char *s, const char *newline)
{
        static const struct {
                const char *entity;
                char c;
        } entities[] = {
                { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
        };
        while (*s) {
                size_t i;
                for (i = 0; i < sizeof entities / sizeof entities[0]; i++)
                        if (strncmp(s, entities[i].entity, strlen(entities[i].entity)) == 0)
                                break;
                if (i < sizeof entities / sizeof entities[0]) {
                        fputc(entities[i].c, f);
                        s += strlen(entities[i].entity);
                } else if (*s == '\n') {
                        fputs(newline, f);
                        s++;
                } else {
                        fputc(*s++, f);
                }
        }
}

/* Returns whether the in-place view changed. */
static bool add_event(struct watch *w, DBusMessage *m)
{
        char text[EVENT_MAX], stamp[16];
        DBusMessageIter it;
        FILE *f;

        if (w->ctl->json) {
                struct ctl_json j;
                ctl_json_init(&j, stdout);
                ctl_json_object_begin(&j);
                ctl_json_key(&j, "event");
                ctl_json_string(&j, dbus_message_get_member(m));
                ctl_json_key(&j, "arguments");
                ctl_json_array_begin(&j);
                if (dbus_message_iter_init(m, &it))
                        do
                                ctl_value_json(&j, &it);
                        while (dbus_message_iter_next(&it));
                ctl_json_array_end(&j);
                ctl_json_object_end(&j);
                ctl_json_finish(&j);
                return false;
        }

        stamp_now(stamp, sizeof stamp);
        struct notify_message msg = { 0 };
        if (alert_message(m, &msg) < 0) {
                /* A signal this version does not know: its name and values. */
                f = fmemopen(text, sizeof text, "w");
                if (!f)
                        return false;
                fprintf(f, "%s %s:", stamp, dbus_message_get_member(m));
                if (dbus_message_iter_init(m, &it))
                        do {
                                fputc(' ', f);
                                ctl_value_text(f, &it);
                        } while (dbus_message_iter_next(&it));
                fclose(f);
                text[sizeof text - 1] = 0;
        } else if (!w->tty) {
                /* The whole alert, its body indented under its time. */
                printf("%s %s\n         ", stamp, msg.summary);
                put_plain(stdout, msg.body, "\n         ");
                putchar('\n');
                fflush(stdout);
                notify_message_done(&msg);
                return false;
        } else {
                /* On the screen, one line per alert: the summary and what to do first. */
                f = fmemopen(text, sizeof text, "w");
                if (!f) {
                        notify_message_done(&msg);
                        return false;
                }
                fprintf(f, "%s %s: ", stamp, msg.summary);
                put_plain(f, msg.body, " ");
                fclose(f);
                text[sizeof text - 1] = 0;
                notify_message_done(&msg);
        }

        if (!w->tty) {
                printf("%s\n", text);
                fflush(stdout);
                return false;
        }
        if (w->n_events == EVENTS_SHOWN) {
                memmove(w->events[0], w->events[1], sizeof w->events[0] * (EVENTS_SHOWN - 1));
                w->n_events--;
        }
        memcpy(w->events[w->n_events++], text, sizeof text);
        return true;
}

/* Returns 1 when the view changed, 0 when not, negative on a bad message. */
static int handle(struct watch *w, DBusMessage *m)
{
        if (dbus_message_is_signal(m, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged")) {
                DBusMessageIter it, changed;
                const char *interface;

                if (!dbus_message_iter_init(m, &it) || dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_STRING)
                        return 0;
                dbus_message_iter_get_basic(&it, &interface);
                if (strcmp(interface, CTL_BUS_INTERFACE) != 0 || !dbus_message_iter_next(&it))
                        return 0;
                changed = it;
                if (ctl_props_update(&w->props, m, &changed) < 0)
                        return 0;
                print_changes(w, m, &it);
                /* Invalidated properties (the third argument) are fetched again with GetAll. */
                if (dbus_message_iter_next(&it) && dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_ARRAY) {
                        DBusMessageIter names;
                        dbus_message_iter_recurse(&it, &names);
                        if (dbus_message_iter_get_arg_type(&names) == DBUS_TYPE_STRING)
                                return ctl_status_fetch(w->ctl->bus, &w->props) < 0 ? -EIO : 1;
                }
                return 1;
        }
        if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged")) {
                const char *name, *old_owner, *new_owner;
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner,
                                          DBUS_TYPE_STRING, &new_owner, DBUS_TYPE_INVALID) &&
                    strcmp(name, CTL_BUS_NAME) == 0 && new_owner[0] == 0)
                        w->gone = true;
                return 0;
        }
        if (dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_SIGNAL && dbus_message_has_interface(m, CTL_BUS_INTERFACE)) {
                return add_event(w, m);
        }
        return 0;
}

static int add_match(DBusConnection *bus, const char *rule)
{
        DBusError error;
        int r = 0;

        dbus_error_init(&error);
        dbus_bus_add_match(bus, rule, &error);
        if (dbus_error_is_set(&error)) {
                r = ctl_bus_log_error(&error, "watch gaitmond's signals");
                dbus_error_free(&error);
        }
        return r;
}

int ctl_watch(struct ctl_context *c)
{
        struct watch w = { .ctl = c, .tty = isatty(STDOUT_FILENO) && !c->json };
        struct sigaction sa = { .sa_handler = on_stop_signal }, old_int, old_term;
        double deadline = c->duration_s > 0 ? now_s() + c->duration_s : INFINITY;
        int r;

        /* Subscribe before reading the properties, so no change falls in between. */
        r = add_match(c->bus, "type='signal',sender='" CTL_BUS_NAME "',path='" CTL_BUS_PATH "'");
        if (r >= 0)
                r = add_match(c->bus, "type='signal',sender='" DBUS_SERVICE_DBUS
                                      "',member='NameOwnerChanged',"
                                      "arg0='" CTL_BUS_NAME "'");
        if (r >= 0)
                r = ctl_status_fetch(c->bus, &w.props);
        if (r < 0) {
                ctl_props_clear(&w.props);
                return r;
        }

        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        stop_requested = 0;

        if (w.tty)
                fputs("\033[?1049h\033[?25l", stdout); /* alternate screen, cursor hidden */
        if (w.tty || c->json)
                redraw(&w);
        else {
                ctl_status_print(stdout, &w.props);
                fflush(stdout);
        }

        while (!stop_requested && !w.gone) {
                double left = deadline - now_s();
                if (left <= 0)
                        break;
                /* Short waits: a signal does not interrupt libdbus' poll. */
                int timeout_ms = left > 0.25 ? 250 : (int)ceil(left * 1000);
                if (!dbus_connection_read_write(c->bus, timeout_ms)) {
                        w.gone = true;
                        break;
                }
                bool changed = false;
                DBusMessage *m;
                while ((m = dbus_connection_pop_message(c->bus))) {
                        int k = handle(&w, m);
                        dbus_message_unref(m);
                        if (k < 0) {
                                r = k;
                                stop_requested = 1;
                                break;
                        }
                        changed = changed || k > 0;
                }
                if (changed && (w.tty || (c->json && !w.gone)))
                        redraw(&w);
        }

        if (w.tty)
                fputs("\033[?25h\033[?1049l", stdout);
        fflush(stdout);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        ctl_props_clear(&w.props);

        if (r >= 0 && w.gone) {
                ctl_log("gaitmond stopped (" CTL_BUS_NAME " left the system bus).");
                r = -ESRCH;
        }
        return r;
}
