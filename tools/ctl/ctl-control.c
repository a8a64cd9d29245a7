/* gaitmonctl end-run and reset-baseline: the methods that change gaitmond's state. */
#include <errno.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-json.h"
#include "ctl-log.h"

static int call_simple(struct ctl_context *c, const char *method, const char *json_key)
{
        DBusMessage *reply = NULL;
        int r;

        r = ctl_bus_call_method(c->bus, CTL_BUS_INTERFACE, method, DBUS_TYPE_INVALID, NULL, NULL, &reply);
        if (r < 0)
                return r;
        dbus_message_unref(reply);

        if (c->json) {
                struct ctl_json j;
                ctl_json_init(&j, stdout);
                ctl_json_object_begin(&j);
                ctl_json_key(&j, json_key);
                ctl_json_bool(&j, true);
                ctl_json_object_end(&j);
                ctl_json_finish(&j);
        }
        return 0;
}

int ctl_end_run(struct ctl_context *c)
{
        return call_simple(c, "EndSession", "run_ended");
}

int ctl_reset_baseline(struct ctl_context *c)
{
        return call_simple(c, "ResetBaseline", "baseline_reset");
}
