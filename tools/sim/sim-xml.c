/* Context XML: the description libiio clients build their context from (PRINT). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-xml.h"
#include "gm_xml.h"

/* The document type libiio 0.24 declares for its contexts. */
static const char dtd[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        "<!DOCTYPE context ["
        "<!ELEMENT context (device | context-attribute)*>"
        "<!ELEMENT context-attribute EMPTY>"
        "<!ELEMENT device (channel | attribute | debug-attribute | buffer-attribute)*>"
        "<!ELEMENT channel (scan-element?, attribute*)>"
        "<!ELEMENT attribute EMPTY>"
        "<!ELEMENT scan-element EMPTY>"
        "<!ELEMENT debug-attribute EMPTY>"
        "<!ELEMENT buffer-attribute EMPTY>"
        "<!ATTLIST context name CDATA #REQUIRED version-major CDATA #REQUIRED "
        "version-minor CDATA #REQUIRED version-git CDATA #REQUIRED description CDATA #IMPLIED>"
        "<!ATTLIST context-attribute name CDATA #REQUIRED value CDATA #REQUIRED>"
        "<!ATTLIST device id CDATA #REQUIRED name CDATA #IMPLIED label CDATA #IMPLIED>"
        "<!ATTLIST channel id CDATA #REQUIRED type (input|output) #REQUIRED name CDATA #IMPLIED>"
        "<!ATTLIST scan-element index CDATA #REQUIRED format CDATA #REQUIRED scale CDATA #IMPLIED>"
        "<!ATTLIST attribute name CDATA #REQUIRED filename CDATA #IMPLIED>"
        "<!ATTLIST debug-attribute name CDATA #REQUIRED>"
        "<!ATTLIST buffer-attribute name CDATA #REQUIRED>"
        "]>";

/* Channel c at scan index: the kernel numbers a device's scan elements without gaps. */
static void put_channel(FILE *f, int c, unsigned index)
{
        const struct sim_chan_info *ci = &sim_chans[c];
        fprintf(f, "<channel id=\"%s\" type=\"input\">", ci->id);
        if (ci->scale > 0)
                fprintf(f, "<scan-element index=\"%u\" format=\"le:s16/16&gt;&gt;0\" scale=\"%.9f\" />", index,
                        ci->scale);
        else
                fprintf(f, "<scan-element index=\"%u\" format=\"le:s64/64&gt;&gt;0\" />", index);
        /* the kernel names a shared attribute after the type, a separate one after the channel */
        for (const char *const *a = sim_device_attr_names(SIM_ATTR_CHANNEL, c); *a; a++)
                fprintf(f, "<attribute name=\"%s\" filename=\"in_%s_%s\" />", *a,
                        strcmp(*a, "scale") == 0 ? ci->type : ci->id, *a);
        fputs("</channel>", f);
}

int sim_xml_context(const struct sim_engine *e, const char *description, char **xml, size_t *len)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -errno;

        fputs(dtd, f);
        fprintf(f,
                "<context name=\"network\" version-major=\"%d\" version-minor=\"%d\" version-git=\"%s\" "
                "description=\"",
                SIM_VERSION_MAJOR, SIM_VERSION_MINOR, SIM_VERSION_GIT);
        gm_xml_put_escaped(f, description);
        fputs("\" >", f);
        fputs("<context-attribute name=\"hw_model\" value=\"gaitmon belt pack (emulated)\" />", f);
        for (size_t d = 0; d < sim_engine_n_devices(e); d++) {
                fprintf(f, "<device id=\"%s\" name=\"%s\" label=\"%s\" >", sim_engine_device_id(e, d),
                        sim_engine_device_chip(e, d), gm_loc_name(sim_engine_device_loc(e, d)));
                int chans[SIM_CHAN_COUNT];
                unsigned n = sim_engine_device_channels(e, d, chans);
                for (unsigned i = 0; i < n; i++)
                        put_channel(f, chans[i], i);
                for (const char *const *a = sim_device_attr_names(SIM_ATTR_DEVICE, -1); *a; a++)
                        fprintf(f, "<attribute name=\"%s\" />", *a);
                for (const char *const *a = sim_device_attr_names(SIM_ATTR_BUFFER, -1); *a; a++)
                        fprintf(f, "<buffer-attribute name=\"%s\" />", *a);
                fputs("</device>", f);
        }
        fputs("</context>", f);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *xml = buf;
        *len = size;
        return 0;
}
