/* Scenario INI: what the emulated runner does and what goes wrong with the sensors. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "gm_model.h"
#include "sim-device.h"

#define SIM_MAX_PHASES 64
#define SIM_MAX_FAULTS 64

struct sim_phase {
        char name[32];
        double duration_s;
        enum gm_activity activity;
        double speed_mps;
        double cadence_spm;
        unsigned seen; /* keys given, to tell what is missing */
};

struct sim_scenario {
        uint64_t seed;
        double rate_hz; /* sampling_frequency the devices start with */
        unsigned loc_mask;
        unsigned accel_only_mask; /* locations served as an accelerometer alone */
        struct sim_phase phases[SIM_MAX_PHASES];
        size_t n_phases;
        struct gm_model_weakness weak[2];
        double fatigue_per_hour;
        double noise_acc, noise_gyr;
        double mount_rpy[GM_LOC_COUNT][3]; /* rad */
        struct sim_fault faults[SIM_MAX_FAULTS];
        size_t n_faults;
};

/* Reads and checks a scenario. 0, or a negative errno with "FILE:LINE: what" in err. */
int sim_scenario_load(const char *path, struct sim_scenario *sc, char *err, size_t errlen);
double sim_scenario_duration(const struct sim_scenario *sc);
