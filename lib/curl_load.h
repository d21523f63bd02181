/* libcurl, opened when the first request is made rather than when aipkg starts (curl_load.c). */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_CURL_LOAD_H
#define AIPKG_CURL_LOAD_H

#include <stdbool.h>

/* Open libcurl (once; later calls say how the first went).  http.c calls
 * curl's API by its names, which the linker sends through here. */
bool aipkg_curl_load(void);

/* Why aipkg_curl_load() failed ("libcurl.so.4: cannot open shared object
 * file: ..."); static storage. */
const char *aipkg_curl_load_error(void);

#endif
