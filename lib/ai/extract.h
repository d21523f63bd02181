/* Finding the JSON object in a language model's answer. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_AI_EXTRACT_H
#define AIPKG_AI_EXTRACT_H

#include <jansson.h>
#include <stddef.h>

/*
 * The JSON object a model answered with, from TEXT (LEN bytes, no NUL
 * needed): the whole text when it is one object, else the first ```json
 * (or plain ```) code fence holding one, else the first balanced {...} that
 * parses, wherever it starts (models add prose before and after).  Strings
 * and escapes are honoured when balancing braces.  *out is a new reference.
 * Returns 0, or -AIPKG_E_BADANSWER when there is no JSON object.
 */
int aipkg_ai_extract_json(const char *text, size_t len, json_t **out);

#endif
