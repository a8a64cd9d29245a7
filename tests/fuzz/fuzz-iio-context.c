/* Fuzz target: an IIO context's XML, as a remote iiod (or a proxy in front of it) sends it,
 * through gaitmond's channel checks, sample conversion and the device name and reason that
 * go on the bus. */
#include <dbus/dbus.h>
#include <iio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-input.h"
#include "iio-channels.h"
#include "sensor.h"

static void must_be_dbus_utf8(const char *text)
{
        if (!dbus_validate_utf8(text, NULL)) {
                fprintf(stderr, "not valid UTF-8 for D-Bus: %s\n", text);
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size == 0 || size > 1 << 16)
                return 0;
        struct iio_context *ctx = iio_create_xml_context_mem((const char *)data, size);
        if (!ctx)
                return 0;

        /* every accepted format reads at most 8 bytes of one sample */
        uint8_t sample[64];
        for (size_t i = 0; i < sizeof(sample); i++)
                sample[i] = data[i % size];

        static struct gm_sensor s = { .wake_fd = -1 };
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        s.lock = lock;
        for (unsigned d = 0; d < iio_context_get_devices_count(ctx); d++) {
                struct iio_device *dev = iio_context_get_device(ctx, d);
                const char *id = iio_device_get_id(dev), *name = iio_device_get_name(dev);
                char device[64], why[160];
                snprintf(device, sizeof(device), "%s (%s)", id ? id : "?", name ? name : "?");
                struct gm_iio_channels ch;
                if (gm_iio_channels_find(dev, device, &ch, why, sizeof(why)) == 0) {
                        const void *p[6] = { sample, sample + 8, sample + 16, sample + 24, sample + 32, sample + 40 };
                        struct gm_raw_sample rs;
                        gm_iio_convert(&ch, p, sample + 48, &rs);
                        snprintf(why, sizeof(why), "%s: read %g", device, (double)rs.acc[0]);
                }
                gm_sensor_set_status(&s, GM_SENSOR_FAULTY, device, why);
                must_be_dbus_utf8(s.device);
                must_be_dbus_utf8(s.reason);
        }
        iio_context_destroy(ctx);
        return 0;
}
