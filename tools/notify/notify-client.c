/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bus-connection.h"
#include "notify-client.h"
#include "log.h"

#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"
#define NOTIFICATIONS_PATH "/org/freedesktop/Notifications"
#define NOTIFICATIONS_INTERFACE "org.freedesktop.Notifications"

#define APP_NAME "gaitmon"
#define DESKTOP_ENTRY "gaitmon-notify"

#define CALL_TIMEOUT_MS 10000
#define RETRY_FIRST_USEC (2ULL * 1000000)
#define RETRY_MAX_USEC (60ULL * 1000000)

struct notify_client;

/* One desktop notification, kept in place across updates. */
struct slot {
        struct notify_client *client;
        uint32_t id;                   /* from the server; 0: none yet */
        DBusPendingCall *call;         /* Notify in flight */
        struct notify_message sending; /* what that call shows */
        struct notify_message queued;  /* the next to show, if summary set */
};

struct notify_client {
        struct gm_bus *bus;
        struct slot slots[_NOTIFY_KIND_MAX];

        bool server_missing;
        sd_event_source *retry_source;
        uint64_t retry_usec;
};

static const char match_server[] = "type='signal',sender='" DBUS_SERVICE_DBUS "',path='" DBUS_PATH_DBUS
                                   "',interface='" DBUS_INTERFACE_DBUS
                                   "',"
                                   "member='NameOwnerChanged',arg0='" NOTIFICATIONS_NAME "'";

static bool message_is_set(const struct notify_message *m)
{
        return m->summary != NULL;
}

static int append_hints(DBusMessageIter *args, const struct notify_message *m)
{
        DBusMessageIter hints, entry, variant;
        const char *key_urgency = "urgency", *key_entry = "desktop-entry", *entry_name = DESKTOP_ENTRY;
        unsigned char urgency = (unsigned char)m->urgency;

        if (!dbus_message_iter_open_container(args, DBUS_TYPE_ARRAY, "{sv}", &hints))
                return -ENOMEM;

        if (!dbus_message_iter_open_container(&hints, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
            !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key_urgency) ||
            !dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "y", &variant) ||
            !dbus_message_iter_append_basic(&variant, DBUS_TYPE_BYTE, &urgency) ||
            !dbus_message_iter_close_container(&entry, &variant) || !dbus_message_iter_close_container(&hints, &entry))
                goto fail;

        if (!dbus_message_iter_open_container(&hints, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
            !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key_entry) ||
            !dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "s", &variant) ||
            !dbus_message_iter_append_basic(&variant, DBUS_TYPE_STRING, &entry_name) ||
            !dbus_message_iter_close_container(&entry, &variant) || !dbus_message_iter_close_container(&hints, &entry))
                goto fail;

        if (!dbus_message_iter_close_container(args, &hints))
                goto fail;
        return 0;

fail:
        dbus_message_iter_abandon_container_if_open(args, &hints);
        return -ENOMEM;
}

/* Notify(s app_name, u replaces_id, s app_icon, s summary, s body, as actions,
 *        a{sv} hints, i expire_timeout) → u id */
static DBusMessage *notify_call_new(uint32_t replaces_id, const struct notify_message *m)
{
        const char *app_name = APP_NAME, *icon = "";
        int32_t expire_timeout = -1; /* the server's default */
        DBusMessageIter args, actions;
        DBusMessage *call;

        call = dbus_message_new_method_call(NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, NOTIFICATIONS_INTERFACE, "Notify");
        if (!call)
                return NULL;
        dbus_message_iter_init_append(call, &args);
        if (!dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &app_name) ||
            !dbus_message_iter_append_basic(&args, DBUS_TYPE_UINT32, &replaces_id) ||
            !dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &icon) ||
            !dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &m->summary) ||
            !dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &m->body) ||
            !dbus_message_iter_open_container(&args, DBUS_TYPE_ARRAY, "s", &actions) ||
            !dbus_message_iter_close_container(&args, &actions) || append_hints(&args, m) < 0 ||
            !dbus_message_iter_append_basic(&args, DBUS_TYPE_INT32, &expire_timeout)) {
                dbus_message_unref(call);
                return NULL;
        }
        return call;
}

static void slot_flush(struct slot *s);

static void client_flush(struct notify_client *c)
{
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                slot_flush(&c->slots[k]);
}

/* Shown notifications belong to the server that showed them. */
static void client_forget_ids(struct notify_client *c)
{
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                c->slots[k].id = 0;
}

/* A message that did not reach the screen goes back in line, unless a newer
 * one of its kind is already waiting. */
static void slot_requeue(struct slot *s)
{
        if (!message_is_set(&s->queued))
                notify_message_move(&s->queued, &s->sending);
        else
                notify_message_done(&s->sending);
}

static void client_server_missing(struct notify_client *c, const char *why)
{
        if (!c->server_missing)
                log_warning(
                        "No notification server answers on the session bus (%s); "
                        "alerts wait and are tried again.",
                        why);
        c->server_missing = true;
        (void)sd_event_source_set_time_relative(c->retry_source, c->retry_usec);
        (void)sd_event_source_set_enabled(c->retry_source, SD_EVENT_ONESHOT);
        c->retry_usec = c->retry_usec * 2 > RETRY_MAX_USEC ? RETRY_MAX_USEC : c->retry_usec * 2;
}

static bool error_means_no_server(const char *name)
{
        static const char *const names[] = {
                DBUS_ERROR_SERVICE_UNKNOWN, DBUS_ERROR_NAME_HAS_NO_OWNER, DBUS_ERROR_NO_REPLY,  DBUS_ERROR_TIMEOUT,
                DBUS_ERROR_TIMED_OUT,       DBUS_ERROR_DISCONNECTED,      DBUS_ERROR_NO_SERVER,
        };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (strcmp(name, names[i]) == 0)
                        return true;
        /* Activation of a server that failed to start. */
        return strncmp(name, "org.freedesktop.DBus.Error.Spawn.", 33) == 0;
}

static void on_notify_reply(DBusPendingCall *call, void *userdata)
{
        struct slot *s = userdata;
        struct notify_client *c = s->client;
        DBusMessage *reply;
        uint32_t id;

        reply = dbus_pending_call_steal_reply(call);
        dbus_pending_call_unref(s->call);
        s->call = NULL;
        if (!reply) {
                slot_requeue(s);
                return;
        }

        if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
                const char *name = dbus_message_get_error_name(reply);

                if (error_means_no_server(name)) {
                        slot_requeue(s);
                        client_server_missing(c, name);
                } else {
                        log_warning("The notification server refused \"%s\": %s", s->sending.summary, name);
                        notify_message_done(&s->sending);
                }
                dbus_message_unref(reply);
                return;
        }

        if (dbus_message_get_args(reply, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID))
                s->id = id;
        dbus_message_unref(reply);
        notify_message_done(&s->sending);

        if (c->server_missing) {
                log_info("The notification server answers again.");
                c->server_missing = false;
                c->retry_usec = RETRY_FIRST_USEC;
                (void)sd_event_source_set_enabled(c->retry_source, SD_EVENT_OFF);
                client_flush(c);
        } else
                slot_flush(s);
}

/* Sends what waits in the slot, one call at a time so that the next one can
 * name the id this one gets. */
static void slot_flush(struct slot *s)
{
        DBusConnection *conn = gm_bus_get_connection(s->client->bus);
        DBusMessage *call;

        if (!conn || s->call || !message_is_set(&s->queued))
                return;

        call = notify_call_new(s->id, &s->queued);
        if (!call || !dbus_connection_send_with_reply(conn, call, &s->call, CALL_TIMEOUT_MS) || !s->call ||
            !dbus_pending_call_set_notify(s->call, on_notify_reply, s, NULL)) {
                log_error("Cannot send a notification (out of memory or connection closed).");
                if (s->call) {
                        dbus_pending_call_cancel(s->call);
                        dbus_pending_call_unref(s->call);
                        s->call = NULL;
                }
                if (call)
                        dbus_message_unref(call);
                return;
        }
        dbus_message_unref(call);
        notify_message_move(&s->sending, &s->queued);
}

void notify_client_post(struct notify_client *c, struct notify_message *m)
{
        struct slot *s = &c->slots[m->kind];

        notify_message_move(&s->queued, m);
        slot_flush(s);
}

static int on_retry(sd_event_source *source, uint64_t usec, void *userdata)
{
        client_flush(userdata);
        return 0;
}

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *m, void *userdata)
{
        struct notify_client *c = userdata;
        const char *sender = dbus_message_get_sender(m), *name, *old_owner, *new_owner;

        if (!dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged") || !sender ||
            strcmp(sender, DBUS_SERVICE_DBUS) != 0)
                return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
        if (!dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner, DBUS_TYPE_STRING,
                                   &new_owner, DBUS_TYPE_INVALID) ||
            strcmp(name, NOTIFICATIONS_NAME) != 0)
                return DBUS_HANDLER_RESULT_HANDLED;

        client_forget_ids(c);
        if (new_owner[0] != '\0') {
                log_debug("A notification server appeared on the session bus (%s).", new_owner);
                client_flush(c);
        }
        return DBUS_HANDLER_RESULT_HANDLED;
}

static int on_connected(struct gm_bus *bus, DBusConnection *conn, void *userdata)
{
        struct notify_client *c = userdata;
        DBusError error;

        dbus_error_init(&error);
        dbus_bus_add_match(conn, match_server, &error);
        if (dbus_error_is_set(&error)) {
                log_error("Cannot follow the notification server: %s", error.message);
                dbus_error_free(&error);
                return -EIO;
        }
        client_forget_ids(c);
        client_flush(c);
        return 0;
}

static void on_disconnected(struct gm_bus *bus, void *userdata)
{
        struct notify_client *c = userdata;

        for (int k = 0; k < _NOTIFY_KIND_MAX; k++) {
                struct slot *s = &c->slots[k];

                if (s->call) {
                        dbus_pending_call_cancel(s->call);
                        dbus_pending_call_unref(s->call);
                        s->call = NULL;
                        slot_requeue(s);
                }
        }
        client_forget_ids(c);
}

static const struct gm_bus_callbacks bus_callbacks = {
        .connected = on_connected,
        .disconnected = on_disconnected,
        .message = on_message,
};

int notify_client_new(sd_event *event, const char *address, struct notify_client **ret)
{
        struct notify_client *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->retry_usec = RETRY_FIRST_USEC;
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                c->slots[k].client = c;

        r = sd_event_add_time_relative(event, &c->retry_source, CLOCK_MONOTONIC, RETRY_FIRST_USEC, 0, on_retry, c);
        if (r < 0)
                goto fail;
        (void)sd_event_source_set_enabled(c->retry_source, SD_EVENT_OFF);

        r = gm_bus_new(event, &c->bus);
        if (r < 0)
                goto fail;
        gm_bus_set_log(c->bus, gm_log_bus_sentence, NULL);
        gm_bus_set_callbacks(c->bus, &bus_callbacks, c);
        r = gm_bus_set_bus(c->bus, DBUS_BUS_SESSION, address);
        if (r < 0)
                goto fail;
        r = gm_bus_start_client(c->bus);
        if (r < 0)
                goto fail;
        *ret = c;
        return 0;

fail:
        notify_client_free(c);
        return r;
}

struct notify_client *notify_client_free(struct notify_client *c)
{
        if (!c)
                return NULL;
        /* Cancels calls in flight through on_disconnected. */
        gm_bus_free(c->bus);
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++) {
                notify_message_done(&c->slots[k].sending);
                notify_message_done(&c->slots[k].queued);
        }
        sd_event_source_disable_unref(c->retry_source);
        free(c);
        return NULL;
}
