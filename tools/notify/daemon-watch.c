/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-connection.h"
#include "daemon-watch.h"
#include "log.h"

/* The signals of org.gaitmon.Monitor1 and their signatures. */
enum signal_id {
        SIGNAL_ASYMMETRY_SPIKE,
        SIGNAL_FATIGUE_ALERT,
        SIGNAL_RECOVERY_ADVICE,
        SIGNAL_SENSOR_FAULT,
        SIGNAL_SENSOR_RECOVERED,
        _SIGNAL_MAX,
};

static const struct {
        const char *member;
        const char *signature;
} signals[_SIGNAL_MAX] = {
        [SIGNAL_ASYMMETRY_SPIKE] = { "AsymmetrySpike", "sdd" },  [SIGNAL_FATIGUE_ALERT] = { "FatigueAlert", "uas" },
        [SIGNAL_RECOVERY_ADVICE] = { "RecoveryAdvice", "sasu" }, [SIGNAL_SENSOR_FAULT] = { "SensorFault", "ss" },
        [SIGNAL_SENSOR_RECOVERED] = { "SensorRecovered", "s" },
};

/* What can be wrong with a signal; each is logged once per signal. */
enum rejection {
        REJECT_SENDER,
        REJECT_SIGNATURE,
        REJECT_VALUES,
        _REJECT_MAX,
};

struct daemon_watch {
        struct gm_bus *bus;
        char *owner; /* unique name owning GAITMON_BUS_NAME, or NULL */
        daemon_watch_alert_t alert;
        void *userdata;
        bool rejection_logged[_SIGNAL_MAX][_REJECT_MAX];
};

static const char match_gaitmon[] = "type='signal',sender='" GAITMON_BUS_NAME "',path='" GAITMON_PATH
                                    "',interface='" GAITMON_INTERFACE "'";
static const char match_owner[] = "type='signal',sender='" DBUS_SERVICE_DBUS "',path='" DBUS_PATH_DBUS
                                  "',interface='" DBUS_INTERFACE_DBUS
                                  "',"
                                  "member='NameOwnerChanged',arg0='" GAITMON_BUS_NAME "'";

static void reject(struct daemon_watch *w, enum signal_id id, enum rejection why, DBusMessage *m)
{
        const char *sender = dbus_message_get_sender(m);
        char reason[96];

        if (w->rejection_logged[id][why])
                return;
        w->rejection_logged[id][why] = true;
        switch (why) {
        case REJECT_SENDER:
                snprintf(reason, sizeof(reason), "the sender does not own %s", GAITMON_BUS_NAME);
                break;
        case REJECT_SIGNATURE:
                snprintf(reason, sizeof(reason), "the arguments should be (%s)", signals[id].signature);
                break;
        default:
                snprintf(reason, sizeof(reason), "the values make no sense");
                break;
        }
        log_warning("Ignoring %s(%s) from %s: %s; further ones are dropped silently.", signals[id].member,
                    dbus_message_get_signature(m), sender ? sender : "?", reason);
}

static void set_owner(struct daemon_watch *w, const char *owner)
{
        free(w->owner);
        w->owner = owner && owner[0] ? strdup(owner) : NULL;
        if (owner && owner[0] && !w->owner)
                log_error("Out of memory; gaitmond's signals are ignored until it restarts.");
}

static void handle_owner_changed(struct daemon_watch *w, DBusMessage *m)
{
        const char *name, *old_owner, *new_owner;

        if (!dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner, DBUS_TYPE_STRING,
                                   &new_owner, DBUS_TYPE_INVALID) ||
            strcmp(name, GAITMON_BUS_NAME) != 0)
                return;

        if (new_owner[0] == '\0')
                log_notice("gaitmond left the system bus; waiting for it to come back.");
        else if (old_owner[0] == '\0')
                log_notice("gaitmond is on the system bus (%s).", new_owner);
        else
                log_notice("gaitmond was replaced (%s).", new_owner);
        set_owner(w, new_owner);
}

static int parse_alert(enum signal_id id, DBusMessage *m, struct notify_message *ret)
{
        const char *s1 = NULL, *s2 = NULL;
        char **list = NULL;
        int n_list = 0, r = -EINVAL;
        double d1, d2;
        uint32_t u;

        switch (id) {
        case SIGNAL_ASYMMETRY_SPIKE:
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_DOUBLE, &d1, DBUS_TYPE_DOUBLE, &d2,
                                          DBUS_TYPE_INVALID))
                        r = notify_message_asymmetry(s1, d1, d2, ret);
                break;
        case SIGNAL_FATIGUE_ALERT:
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_UINT32, &u, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &list,
                                          &n_list, DBUS_TYPE_INVALID))
                        r = notify_message_fatigue(u, (const char *const *)list, (size_t)n_list, ret);
                break;
        case SIGNAL_RECOVERY_ADVICE:
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &list,
                                          &n_list, DBUS_TYPE_UINT32, &u, DBUS_TYPE_INVALID))
                        r = notify_message_recovery(s1, (const char *const *)list, (size_t)n_list, u, ret);
                break;
        case SIGNAL_SENSOR_FAULT:
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_STRING, &s2, DBUS_TYPE_INVALID))
                        r = notify_message_sensor_fault(s1, s2, ret);
                break;
        case SIGNAL_SENSOR_RECOVERED:
                if (dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &s1, DBUS_TYPE_INVALID))
                        r = notify_message_sensor_recovered(s1, ret);
                break;
        default:
                break;
        }
        dbus_free_string_array(list);
        return r;
}

static void handle_gaitmon_signal(struct daemon_watch *w, DBusMessage *m)
{
        const char *member = dbus_message_get_member(m);
        const char *sender = dbus_message_get_sender(m);
        struct notify_message msg;
        enum signal_id id;
        int r;

        for (id = 0; id < _SIGNAL_MAX; id++)
                if (strcmp(member, signals[id].member) == 0)
                        break;
        if (id == _SIGNAL_MAX) {
                log_debug("Ignoring %s: not an alert this agent shows.", member);
                return;
        }
        /* Match rules filter on the sender, but a signal sent straight to
         * this connection passes no match rule. */
        if (!w->owner || !sender || strcmp(sender, w->owner) != 0 || !dbus_message_has_path(m, GAITMON_PATH)) {
                reject(w, id, REJECT_SENDER, m);
                return;
        }
        if (!dbus_message_has_signature(m, signals[id].signature)) {
                reject(w, id, REJECT_SIGNATURE, m);
                return;
        }

        r = parse_alert(id, m, &msg);
        if (r == -ENOMEM) {
                log_error("Out of memory; dropping a %s.", member);
                return;
        }
        if (r < 0) {
                reject(w, id, REJECT_VALUES, m);
                return;
        }
        w->alert(&msg, w->userdata);
        notify_message_done(&msg);
}

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *m, void *userdata)
{
        struct daemon_watch *w = userdata;

        if (dbus_message_get_type(m) != DBUS_MESSAGE_TYPE_SIGNAL)
                return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

        if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged")) {
                const char *sender = dbus_message_get_sender(m);

                if (sender && strcmp(sender, DBUS_SERVICE_DBUS) == 0)
                        handle_owner_changed(w, m);
                return DBUS_HANDLER_RESULT_HANDLED;
        }
        if (dbus_message_has_interface(m, GAITMON_INTERFACE)) {
                handle_gaitmon_signal(w, m);
                return DBUS_HANDLER_RESULT_HANDLED;
        }
        return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

/* Who owns the name right now; the matches are in place already, so an
 * owner change after this answer still arrives as a signal. */
static int query_owner(struct daemon_watch *w, DBusConnection *conn)
{
        DBusMessage *call, *reply;
        const char *name = GAITMON_BUS_NAME, *owner;
        DBusError error;

        call = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "GetNameOwner");
        if (!call || !dbus_message_append_args(call, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)) {
                if (call)
                        dbus_message_unref(call);
                return -ENOMEM;
        }
        dbus_error_init(&error);
        reply = dbus_connection_send_with_reply_and_block(conn, call, 5000, &error);
        dbus_message_unref(call);
        if (!reply) {
                int r = dbus_error_has_name(&error, DBUS_ERROR_NAME_HAS_NO_OWNER) ? 0 : -EIO;

                if (r < 0)
                        log_warning("Cannot ask the system bus who owns %s: %s", GAITMON_BUS_NAME, error.message);
                dbus_error_free(&error);
                set_owner(w, NULL);
                return r;
        }
        if (dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID))
                set_owner(w, owner);
        dbus_message_unref(reply);
        return 0;
}

static int on_connected(struct gm_bus *bus, DBusConnection *conn, void *userdata)
{
        struct daemon_watch *w = userdata;
        DBusError error;
        int r;

        dbus_error_init(&error);
        dbus_bus_add_match(conn, match_owner, &error);
        if (!dbus_error_is_set(&error))
                dbus_bus_add_match(conn, match_gaitmon, &error);
        if (dbus_error_is_set(&error)) {
                log_error("Cannot subscribe to gaitmond's signals: %s", error.message);
                dbus_error_free(&error);
                return -EIO;
        }
        r = query_owner(w, conn);
        if (r < 0)
                return r;
        if (w->owner)
                log_notice("Following gaitmond on the system bus (%s).", w->owner);
        else
                log_notice("Waiting for gaitmond (%s) on the system bus.", GAITMON_BUS_NAME);
        return 0;
}

static void on_disconnected(struct gm_bus *bus, void *userdata)
{
        struct daemon_watch *w = userdata;

        set_owner(w, NULL);
}

static const struct gm_bus_callbacks bus_callbacks = {
        .connected = on_connected,
        .disconnected = on_disconnected,
        .message = on_message,
};

int daemon_watch_new(sd_event *event, const char *address, daemon_watch_alert_t alert, void *userdata,
                     struct daemon_watch **ret)
{
        struct daemon_watch *w;
        int r;

        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->alert = alert;
        w->userdata = userdata;

        r = gm_bus_new(event, &w->bus);
        if (r < 0)
                goto fail;
        gm_bus_set_log(w->bus, gm_log_bus_sentence, NULL);
        gm_bus_set_callbacks(w->bus, &bus_callbacks, w);
        r = gm_bus_set_bus(w->bus, DBUS_BUS_SYSTEM, address);
        if (r < 0)
                goto fail;
        r = gm_bus_start_client(w->bus);
        if (r < 0)
                goto fail;
        *ret = w;
        return 0;

fail:
        daemon_watch_free(w);
        return r;
}

struct daemon_watch *daemon_watch_free(struct daemon_watch *w)
{
        if (!w)
                return NULL;
        gm_bus_free(w->bus);
        free(w->owner);
        free(w);
        return NULL;
}
