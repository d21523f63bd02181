/* Planning a request against the index: the offline planner, grounding candidates, validation. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_PLANNER_H
#define AIPKG_AI_PLANNER_H

#include <jansson.h>

#include "ai/plan.h"
#include "apk/state.h"

/*
 * The offline planner: packages for REQUEST from the curated catalogue of
 * intents (ai/catalog.c), then the words of the request that name a
 * package or a command (cmd:) in the indexes, then, when neither gave
 * anything, the best matches of a ranked search over names, cmd:
 * providers and descriptions.  Only packages the indexes (or the
 * installed db) hold are added to PLAN; catalogue packages missing from
 * the indexes are listed as rejected.  PLAN may stay empty.
 */
void aipkg_planner_offline(const struct aipkg_state *st, const char *request,
			   struct aipkg_plan *plan);

/*
 * The package that fills a catalogue slot ("nginx|lighttpd|apache2", LEN
 * bytes): the first alternative the indexes hold (a package, or a name
 * provided by one, as aipkg_resolve() finds it); *alt (may be NULL) gets
 * its index.  NULL when none is there.
 */
const struct aipkg_pkg *aipkg_planner_slot(const struct aipkg_state *st, const char *slot,
					   size_t len, size_t *alt);

/*
 * The packages a model is shown for REQUEST: the offline plan's, the
 * alternatives of the catalogue intents it matched, then the ranked
 * search's best, up to MAX, as a new JSON array of {"name","version",
 * "description"} (descriptions cleaned and shortened, still untrusted).
 */
json_t *aipkg_planner_candidates(const struct aipkg_state *st, const char *request, size_t max);

/*
 * Check a model's ANSWER ({"packages":[{"name","reason"}]}) against the
 * indexes and add what survives to PLAN: names must be valid apk names or
 * providers (so:, cmd:), never start with '-', and exist; close misses are
 * corrected (a provider, a version dropped, a typo) and say so in
 * "corrected_from"; everything else goes to PLAN's rejected list with the
 * reason.  Returns 0, or -AIPKG_E_BADANSWER when ANSWER does not have the
 * shape (PLAN unchanged).
 */
int aipkg_planner_validate(const struct aipkg_state *st, const json_t *answer,
			   struct aipkg_plan *plan);

#endif
