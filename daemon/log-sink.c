/* The journal as a consumer: sensors, asymmetry spikes, fatigue and runs. */
#include "log-sink.h"

#include "log.h"

static void log_spike(void *userdata, const struct gm_view *v, const struct gm_spike *sp)
{
        gm_log_full(LOG_NOTICE, NULL, "asymmetry spike in %s: SI %.1f%% (baseline %.1f%%)", gm_metric_name(sp->metric),
                    sp->si, sp->baseline);
}

static void log_sensor_changed(void *userdata, const struct gm_view *v, enum gm_loc loc,
                               const struct gm_sensor_change *ch)
{
        if (ch->new_status == GM_SENSOR_STREAMING)
                gm_log_full(LOG_NOTICE, gm_loc_name(loc), "%s: streaming from %s", gm_loc_name(loc), ch->device);
        else if (ch->reason[0]) /* a new state or a new reason; a sensor a reload reopens waits without one */
                gm_log_full(ch->new_status == GM_SENSOR_FAULTY ? LOG_WARNING : LOG_NOTICE, gm_loc_name(loc), "%s: %s",
                            gm_loc_name(loc), ch->reason);
}

static void log_fatigue_alert(void *userdata, const struct gm_view *v, const struct gm_fatigue_alert *a)
{
        log_notice("fatigue level %u (score %.2f)", a->level, a->score);
}

static void log_run_start(void *userdata, const struct gm_view *v)
{
        log_info("run started");
}

static void log_run_end(void *userdata, const struct gm_view *v, const struct gm_run_summary *run,
                        const struct gm_advice *advice)
{
        log_info("run ended after %.0f min, %llu steps: %s", run->duration_s / 60, (unsigned long long)run->steps,
                 advice->summary);
}

const struct gm_sink gm_log_sink = {
        .name = "log",
        .spike = log_spike,
        .sensor_changed = log_sensor_changed,
        .fatigue_alert = log_fatigue_alert,
        .run_start = log_run_start,
        .run_end = log_run_end,
};
