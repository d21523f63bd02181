/* Helpers shared by the libFuzzer targets. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_FUZZ_H
#define AIPKG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A malloc'd, NUL-terminated copy of the input, for parsers that take C
 * strings; a NUL inside the input ends the string early, as it would in a
 * file read with aipkg_buf_read_file. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The same without the NUL: the exact bytes, so ASan sees a read past them. */
static inline char *fuzz_memdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	return s;
}

#endif
