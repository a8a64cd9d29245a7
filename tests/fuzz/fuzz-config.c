/* Fuzz target: gaitmon.conf through gaitmond's configuration parser. */
#include "config.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *path = fuzz_input_path(data, size, ".conf");
        if (!path)
                return 0;
        struct gm_config c;
        char err[512];
        gm_config_default(&c);
        (void)gm_config_load(&c, path, false, err, sizeof(err));
        return 0;
}
