/* Fuzz target: journal entry files (the text form), and that what parses formats back. */
/* SPDX-License-Identifier: MIT */
#include "fuzz.h"
#include "journal/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aipkg_buf why = AIPKG_BUF_INIT, text = AIPKG_BUF_INIT;
	json_t *entry = NULL, *again = NULL;
	char *copy = fuzz_memdup(data, size);

	if (aipkg_jentry_parse(copy, size, &entry, &why) == 0) {
		/* an entry we read must survive being rewritten by recover */
		if (aipkg_jentry_format(entry, &text) != 0)
			abort();
		aipkg_buf_reset(&why);
		if (aipkg_jentry_parse(text.data, text.len, &again, &why) != 0)
			abort();
		json_decref(again);
	}
	json_decref(entry);
	aipkg_buf_release(&why);
	aipkg_buf_release(&text);
	free(copy);
	if (size < 256) {
		char *s = fuzz_strdup(data, size);

		aipkg_jentry_parse_time(s);
		free(s);
	}
	return 0;
}
