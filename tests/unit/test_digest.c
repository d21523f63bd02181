/* Unit tests of digest.c: SHA-1 and SHA-256 as libcrypto's EVP computes them, whole or in pieces. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "digest.h"

static void hex(const unsigned char *md, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* FIPS 180-2's examples */
static void test_known_answers(void **state)
{
	unsigned char md[AIPKG_SHA256_LEN];
	char h[2 * AIPKG_SHA256_LEN + 1];

	(void)state;
	aipkg_sha256("abc", 3, md);
	hex(md, AIPKG_SHA256_LEN, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	aipkg_sha1("abc", 3, md);
	hex(md, AIPKG_SHA1_LEN, h);
	assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	aipkg_sha256("", 0, md);
	hex(md, AIPKG_SHA256_LEN, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* What apk names its cache after (a repository URL), the same as EVP,
 * whole or fed in any two pieces, across the 64-byte block boundary. */
static void test_same_as_evp_in_pieces(void **state)
{
	char text[200];
	unsigned char want[EVP_MAX_MD_SIZE], got[AIPKG_SHA256_LEN], got1[AIPKG_SHA1_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i * 7 % 26);
	for (size_t len = 0; len <= sizeof(text); len += 13) {
		assert_int_equal(EVP_Digest(text, len, want, NULL, EVP_sha256(), NULL), 1);
		aipkg_sha256(text, len, got);
		assert_memory_equal(got, want, AIPKG_SHA256_LEN);
		for (size_t cut = 0; cut <= len; cut += 5) {
			struct aipkg_sha256 s;

			aipkg_sha256_init(&s);
			aipkg_sha256_update(&s, text, cut);
			aipkg_sha256_update(&s, text + cut, len - cut);
			aipkg_sha256_final(&s, got);
			assert_memory_equal(got, want, AIPKG_SHA256_LEN);
		}
		assert_int_equal(EVP_Digest(text, len, want, NULL, EVP_sha1(), NULL), 1);
		aipkg_sha1(text, len, got1);
		assert_memory_equal(got1, want, AIPKG_SHA1_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_same_as_evp_in_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
