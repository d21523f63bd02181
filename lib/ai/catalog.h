/* The offline planner's curated catalogue of common intents on Alpine. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_CATALOG_H
#define AIPKG_AI_CATALOG_H

#include <stddef.h>

/*
 * One intent: what a person may ask for, and the Alpine packages that
 * answer it.  Static strings.
 *
 * phrases:  '|'-separated phrases that name the intent ("web server|httpd");
 *           matched word by word against the request, ignoring filler words.
 * packages: space-separated slots, each a '|'-separated list of
 *           alternatives in order of preference ("nginx|lighttpd|apache2
 *           certbot"): the first one the indexes hold fills the slot.
 */
struct aipkg_intent {
	const char *what;
	const char *phrases;
	const char *packages;
};

/* The catalogue; *n receives the count. */
const struct aipkg_intent *aipkg_catalog(size_t *n);

#endif
