/* gaitmond's records (a{sv} keyed by the fields of gm_record.h) read into their structs, and
 * written out as JSON, from the same tables. */
#pragma once

#include <dbus/dbus.h>

#include "ctl-json.h"
#include "gm_record.h"

/* Called for a key that is not a field of the record; it may read the variant's value. */
typedef int (*ctl_record_extra_fn)(const char *key, DBusMessageIter *value, void *userdata);

/* Reads the a{sv} that dict points at into record (cleared first: a missing key reads as
 * unknown; a key of another type than its field's is ignored). Returns 0, or what extra
 * returned when negative. */
int ctl_record_read(DBusMessageIter *dict, const struct gm_record_desc *d, void *record, ctl_record_extra_fn extra,
                    void *userdata);

/* Reads an aa{sv} (or the variant holding one) into a malloc()ed array of records of d. */
int ctl_record_read_array(DBusMessageIter *array, const struct gm_record_desc *d, size_t elem, void **ret,
                          size_t *ret_n);

/* Each field of record as a JSON "key": value (NaN as null), in table order. */
void ctl_record_json_fields(struct ctl_json *j, const struct gm_record_desc *d, const void *record);
