/* etc/apk/world: the dependency atoms the user asked for, split on whitespace. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apk/state.h"

static const char world_space[] = " \t\r\n\v\f";

static size_t world_count(const char *text)
{
	size_t n = 0;

	for (text += strspn(text, world_space); *text; text += strspn(text, world_space)) {
		text += strcspn(text, world_space);
		n++;
	}
	return n;
}

int aipkg_world_parse(const char *text, char ***atoms, size_t *n)
{
	size_t count = world_count(text), i = 0;
	char **v = calloc(count + 1, sizeof(*v));

	*atoms = NULL;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (text += strspn(text, world_space); *text; text += strspn(text, world_space)) {
		size_t len = strcspn(text, world_space);

		v[i] = strndup(text, len);
		if (!v[i]) {
			aipkg_world_free(v, i);
			return -ENOMEM;
		}
		i++;
		text += len;
	}
	*atoms = v;
	*n = i;
	return 0;
}

void aipkg_world_free(char **atoms, size_t n)
{
	if (!atoms)
		return;
	for (size_t i = 0; i < n; i++)
		free(atoms[i]);
	free(atoms);
}
