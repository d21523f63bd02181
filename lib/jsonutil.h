/* Small jansson helpers the library repeats otherwise. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_JSONUTIL_H
#define AIPKG_JSONUTIL_H

#include <jansson.h>
#include <stdbool.h>

#include "buf.h"

/* Sort ARRAY in place; CMP gets pointers to json_t * elements (qsort). */
void aipkg_json_sort(json_t *array, int (*cmp)(const void *a, const void *b));

/* The elements of array A that array B lacks (json_equal), in A's order,
 * as a new array ([] when A or B is not an array: nothing to compare). */
json_t *aipkg_json_minus(const json_t *a, const json_t *b);

/* Append ARRAY's strings to B with SEP between them ("a, b, c");
 * 0 or -ENOMEM. */
int aipkg_json_join(struct aipkg_buf *b, const json_t *array, const char *sep);

/* true when ARRAY holds the string S (an array of strings). */
bool aipkg_json_has_string(const json_t *array, const char *s);

/* Every string value in V (object members and array items at any depth;
 * not object keys) replaced by FN(string, UD) where FN returns a
 * malloc'd string (taken), kept where it returns NULL (emptied where FN
 * returns what is not UTF-8). */
void aipkg_json_map_strings(json_t *v, char *(*fn)(const char *s, void *ud), void *ud);

#endif
