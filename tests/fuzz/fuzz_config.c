/* Fuzz target: aipkg.yaml through the key table (libyaml underneath). */
/* SPDX-License-Identifier: MIT */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aipkg_config cfg;
	struct aipkg_buf err = AIPKG_BUF_INIT;
	char **words;
	size_t n;

	if (aipkg_config_load_text(&cfg, "fuzz.yaml", (const char *)data, size, &err) == 0)
		json_decref(aipkg_config_json(&cfg));
	aipkg_config_release(&cfg);
	aipkg_buf_release(&err);
	if (size < 4096) {
		char *s = fuzz_strdup(data, size);

		if (aipkg_split_words(s, &words, &n) == 0)
			aipkg_strv_free(words, n);
		free(s);
	}
	return 0;
}
