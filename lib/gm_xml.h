/* XML text: what the introspection data, the emulator's context and the SVG charts write. */
#pragma once

#include <stdio.h>

/* Writes s with &, <, > and " escaped: fit for element text and double-quoted attributes. */
void gm_xml_put_escaped(FILE *f, const char *s);
