/* Fuzz target: a language model's answer: finding its JSON and validating the names in it. */
/* SPDX-License-Identifier: MIT */
#include "ai/extract.h"
#include "ai/planner.h"
#include "fuzz.h"

static struct aipkg_state st;

/* A small index, so validation takes every path: exact names, providers,
 * versions dropped, typos corrected, unknown names rejected. */
static const char fuzz_index[] =
	"P:nginx\nV:1.26.2-r0\nT:HTTP and reverse proxy server\np:cmd:nginx=1.26.2-r0\n\n"
	"P:libssl3\nV:3.3.2-r0\nT:SSL shared libraries\np:so:libssl.so.3=3\n\n"
	"P:python3\nV:3.12.3-r0\nT:A high-level scripting language\np:cmd:python3\n\n"
	"P:curl\nV:8.9.0-r0\nT:URL retrieval utility\np:cmd:curl=8.9.0-r0\n\n"
	"P:telnet-a\nV:1.0-r0\nT:Telnet client\np:cmd:telnet\n\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t len = sizeof(fuzz_index) - 1;

	aipkg_pkgset_init(&st.available);
	aipkg_pkgset_init(&st.installed);
	if (aipkg_pkgset_parse(&st.available, fuzz_memdup((const uint8_t *)fuzz_index, len), len,
			       0, NULL) != 0 ||
	    aipkg_pkgset_index(&st.available) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_memdup(data, size), *s;
	json_t *answer = NULL;
	struct aipkg_plan plan;

	if (aipkg_ai_extract_json(copy, size, &answer) == 0) {
		aipkg_plan_init(&plan);
		aipkg_planner_validate(&st, answer, &plan);
		json_decref(aipkg_plan_names(&plan));
		aipkg_plan_release(&plan);
		json_decref(answer);
	}
	free(copy);
	if (size < 8192) {
		copy = fuzz_strdup(data, size);
		s = aipkg_ai_clean(copy, 200);
		free(s);
		free(copy);
	}
	return 0;
}
