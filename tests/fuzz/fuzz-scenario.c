/* Fuzz target: an emulator scenario through gaitmon-sim's scenario parser. */
#include "fuzz-input.h"
#include "sim-scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *path = fuzz_input_path(data, size, ".ini");
        if (!path)
                return 0;
        static struct sim_scenario sc;
        char err[512];
        (void)sim_scenario_load(path, &sc, err, sizeof(err));
        return 0;
}
