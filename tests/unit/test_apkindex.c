/* Unit tests of apk/apkindex.c: gunzip of (signed) APKINDEX.tar.gz and picking its members. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "aipkg/error.h"
#include "apk/state.h"
#include "tgz.h"

static const char index_text[] =
    "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nT:the C library\n\n"
    "C:Q1def=\nP:busybox\nV:1.36.1-r29\nD:so:libc.musl-x86_64.so.1\n\n";

static int extract(const struct aipkg_buf *gz, struct aipkg_buf *idx, struct aipkg_buf *desc)
{
	aipkg_buf_init(idx, 0);
	aipkg_buf_init(desc, 0);
	return aipkg_apkindex_extract(gz->data, gz->len, idx, desc);
}

static void test_unsigned_index(void **state)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, idx, desc;

	tgz_index(&gz, index_text, "v3.20.3-100-gabcdef\n", 0);
	assert_int_equal(extract(&gz, &idx, &desc), 0);
	assert_string_equal(aipkg_buf_str(&idx), index_text);
	assert_string_equal(aipkg_buf_str(&desc), "v3.20.3-100-gabcdef\n");
	aipkg_buf_release(&gz);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
}

static void test_signed_index_has_two_gzip_members(void **state)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, idx, desc;

	tgz_index(&gz, index_text, "v3.20.3", 1);
	assert_int_equal(extract(&gz, &idx, &desc), 0);
	assert_string_equal(aipkg_buf_str(&idx), index_text);
	assert_string_equal(aipkg_buf_str(&desc), "v3.20.3");
	aipkg_buf_release(&gz);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
}

static void test_description_optional_and_outputs_may_be_null(void **state)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, idx = AIPKG_BUF_INIT;

	tgz_index(&gz, index_text, NULL, 1);
	assert_int_equal(aipkg_apkindex_extract(gz.data, gz.len, NULL, NULL), 0);
	assert_int_equal(aipkg_apkindex_extract(gz.data, gz.len, &idx, NULL), 0);
	assert_string_equal(aipkg_buf_str(&idx), index_text);
	aipkg_buf_release(&gz);
	aipkg_buf_release(&idx);
}

static void test_truncated_is_corrupt(void **state)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, idx, desc;
	size_t full;

	tgz_index(&gz, index_text, "d", 1);
	full = gz.len;
	/* cut inside the trailer, inside the data, and between the members */
	for (size_t cut = 1; cut < full; cut += 7) {
		gz.len = full - cut;
		assert_int_equal(extract(&gz, &idx, &desc), -AIPKG_E_CORRUPT);
		aipkg_buf_release(&idx);
		aipkg_buf_release(&desc);
	}
	aipkg_buf_release(&gz);
}

static void test_damaged_is_corrupt(void **state)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, idx, desc;

	tgz_index(&gz, index_text, "d", 0);
	gz.data[gz.len / 2] ^= 0x55;
	assert_int_equal(extract(&gz, &idx, &desc), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
	aipkg_buf_release(&gz);
}

static void test_not_gzip_and_empty_are_corrupt(void **state)
{
	struct aipkg_buf idx = AIPKG_BUF_INIT;
	static const char text[] = "P:musl\nV:1.2.5-r0\n";

	assert_int_equal(aipkg_apkindex_extract(text, sizeof(text) - 1, &idx, NULL),
			 -AIPKG_E_CORRUPT);
	assert_int_equal(aipkg_apkindex_extract("", 0, &idx, NULL), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
}

static void test_trailing_garbage_after_member_is_corrupt(void **state)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, idx, desc;

	tgz_index(&gz, index_text, NULL, 0);
	aipkg_buf_addstr(&gz, "garbage");
	assert_int_equal(extract(&gz, &idx, &desc), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
	aipkg_buf_release(&gz);
}

static void test_no_apkindex_member_is_corrupt(void **state)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT, idx, desc;

	tgz_file(&tar, "DESCRIPTION", "d");
	tgz_file(&tar, "APKINDEX.old", "P:x\nV:1\n");
	tgz_end(&tar);
	tgz_gzip(tar.data, tar.len, &gz);
	assert_int_equal(extract(&gz, &idx, &desc), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&gz);
}

static void test_bad_tar_checksum_is_corrupt(void **state)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT, idx, desc;

	tgz_file(&tar, "APKINDEX", index_text);
	tgz_end(&tar);
	tar.data[10] = 'X'; /* inside the name, after the checksum was set */
	tgz_gzip(tar.data, tar.len, &gz);
	assert_int_equal(extract(&gz, &idx, &desc), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&gz);
}

static void test_member_larger_than_archive_is_corrupt(void **state)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT, idx, desc;

	tgz_file(&tar, "APKINDEX", index_text);
	tar.len = 512 + 16; /* header promises more than follows, no end blocks */
	tgz_gzip(tar.data, tar.len, &gz);
	assert_int_equal(extract(&gz, &idx, &desc), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&gz);
}

static void test_gnu_long_names_and_other_members_are_harmless(void **state)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT, idx, desc;
	char longname[300];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	tgz_member(&tar, "dir/", '5', "", 0);
	tgz_member(&tar, "././@LongLink", 'L', longname, sizeof(longname));
	tgz_file(&tar, "aaaaaaaaaaaaaaaaaaaaaaa", "not the index");
	/* a long name that is really APKINDEX's: not confused with the next */
	tgz_member(&tar, "././@LongLink", 'L', "x/APKINDEX", 11);
	tgz_file(&tar, "APKINDEX", "decoy");
	tgz_file(&tar, "./APKINDEX", index_text);
	tgz_end(&tar);
	tgz_gzip(tar.data, tar.len, &gz);
	assert_int_equal(extract(&gz, &idx, &desc), 0);
	assert_string_equal(aipkg_buf_str(&idx), index_text);
	assert_int_equal(desc.len, 0);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
	aipkg_buf_release(&tar);
	aipkg_buf_release(&gz);
}

static int extract_tar(struct aipkg_buf *tar, struct aipkg_buf *idx)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT;
	int r;

	tgz_gzip(tar->data, tar->len, &gz);
	aipkg_buf_init(idx, 0);
	r = aipkg_apkindex_extract(gz.data, gz.len, idx, NULL);
	aipkg_buf_release(&gz);
	return r;
}

static void test_end_blocks_and_record_padding(void **state)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT, idx;
	static const char zeros[10240];

	/* no end blocks at all, then one, then a record's worth of padding */
	tgz_file(&tar, "APKINDEX", index_text);
	assert_int_equal(extract_tar(&tar, &idx), 0);
	aipkg_buf_release(&idx);
	aipkg_buf_add(&tar, zeros, 512);
	assert_int_equal(extract_tar(&tar, &idx), 0);
	aipkg_buf_release(&idx);
	aipkg_buf_add(&tar, zeros, sizeof(zeros) - tar.len % sizeof(zeros));
	assert_int_equal(extract_tar(&tar, &idx), 0);
	assert_string_equal(aipkg_buf_str(&idx), index_text);
	aipkg_buf_release(&idx);
	/* anything after two end blocks is not looked at */
	aipkg_buf_addstr(&tar, "trailing junk");
	assert_int_equal(extract_tar(&tar, &idx), 0);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&tar);
}

static void test_torn_header_and_missing_magic_are_corrupt(void **state)
{
	struct aipkg_buf tar = AIPKG_BUF_INIT, idx;

	tgz_file(&tar, "APKINDEX", index_text);
	aipkg_buf_addstr(&tar, "half a header");
	assert_int_equal(extract_tar(&tar, &idx), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
	aipkg_buf_reset(&tar);
	tgz_file(&tar, "APKINDEX", index_text);
	memcpy(tar.data + 257, "star!", 5);
	assert_int_equal(extract_tar(&tar, &idx), -AIPKG_E_CORRUPT);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&tar);
}

static void test_inflated_size_is_capped(void **state)
{
	struct aipkg_buf gz = AIPKG_BUF_INIT, member = AIPKG_BUF_INIT, idx, desc;
	char *zeros = calloc(1, 1 << 20);

	/* 257 members of 1 MiB of zeros: 256 MiB + 1 MiB inflated, ~260 KiB in */
	assert_non_null(zeros);
	tgz_gzip(zeros, 1 << 20, &member);
	for (int i = 0; i < 257; i++)
		aipkg_buf_add(&gz, member.data, member.len);
	free(zeros);
	aipkg_buf_release(&member);
	assert_int_equal(extract(&gz, &idx, &desc), -AIPKG_E_TOOBIG);
	aipkg_buf_release(&idx);
	aipkg_buf_release(&desc);
	aipkg_buf_release(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unsigned_index),
	    cmocka_unit_test(test_signed_index_has_two_gzip_members),
	    cmocka_unit_test(test_description_optional_and_outputs_may_be_null),
	    cmocka_unit_test(test_truncated_is_corrupt),
	    cmocka_unit_test(test_damaged_is_corrupt),
	    cmocka_unit_test(test_not_gzip_and_empty_are_corrupt),
	    cmocka_unit_test(test_trailing_garbage_after_member_is_corrupt),
	    cmocka_unit_test(test_no_apkindex_member_is_corrupt),
	    cmocka_unit_test(test_bad_tar_checksum_is_corrupt),
	    cmocka_unit_test(test_member_larger_than_archive_is_corrupt),
	    cmocka_unit_test(test_gnu_long_names_and_other_members_are_harmless),
	    cmocka_unit_test(test_end_blocks_and_record_padding),
	    cmocka_unit_test(test_torn_header_and_missing_magic_are_corrupt),
	    cmocka_unit_test(test_inflated_size_is_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
