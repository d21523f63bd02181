/* Unit tests of apk/files.c: who owns a path in an installed database, and a package's files. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "apk/files.h"

/* Shaped as Alpine 3.20's minirootfs database: alpine-baselayout and its
 * -data subpackage (same origin, both q:1000), busybox and busybox-binsh
 * (same origin), apk-tools; a file two packages list; the last record
 * without its blank line. */
static const char db[] = "P:alpine-baselayout\n"
			 "V:3.6.5-r0\n"
			 "o:alpine-baselayout\n"
			 "q:1000\n"
			 "F:etc\n"
			 "F:usr/bin\n"
			 "F:var\n"
			 "R:run\n"
			 "\n"
			 "P:alpine-baselayout-data\n"
			 "V:3.6.5-r0\n"
			 "o:alpine-baselayout\n"
			 "q:1000\n"
			 "F:etc\n"
			 "R:hosts\n"
			 "\n"
			 "P:busybox-binsh\n"
			 "F:bin\n"
			 "R:sh\n"
			 "V:1.36.1-r29\n" /* after its files: settled at the record's end */
			 "o:busybox\n"
			 "\n"
			 "P:busybox\n"
			 "V:1.36.1-r29\n"
			 "o:busybox\n"
			 "F:bin\n"
			 "R:busybox\n"
			 "F:etc\n"
			 "R:hosts\n"
			 "\n"
			 "P:apk-tools\n"
			 "V:2.14.4-r0\n"
			 "o:apk-tools\n"
			 "F:etc\n"
			 "F:var/run\n"
			 "F:lib/apk\n"
			 "F:sbin\n"
			 "R:apk";

/* Does the apk of the test own directories (apk 3) or not (apk 2)? */
static bool apk3 = true;

/* "PATH PACKAGE-VERSION" of the one owner of PATH, or "PATH -". */
static char *owner(const char *path)
{
	const char *paths[] = { path };
	json_t *owners = NULL, *unowned = NULL, *o;
	char *line = NULL;

	assert_int_equal(aipkg_files_who_owns_text((struct aipkg_slice){ db, strlen(db) },
						   "/nonexistent", paths, 1, apk3, &owners,
						   &unowned),
			 0);
	o = json_array_get(owners, 0);
	if (o)
		assert_true(asprintf(&line, "%s %s-%s", path,
				     json_string_value(json_object_get(o, "package")),
				     json_string_value(json_object_get(o, "version"))) > 0);
	else
		assert_true(asprintf(&line, "%s -", json_string_value(json_array_get(unowned, 0))) >
			    0);
	json_decref(owners);
	json_decref(unowned);
	return line;
}

#define assert_owner(path, expect)                                                         \
	do {                                                                               \
		char *got = owner(path);                                                   \
		assert_string_equal(got, expect);                                          \
		free(got);                                                                 \
	} while (0)

static void test_files(void **state)
{
	assert_owner("/bin/sh", "/bin/sh busybox-binsh-1.36.1-r29");
	assert_owner("/sbin/apk", "/sbin/apk apk-tools-2.14.4-r0");
	assert_owner("sbin/apk", "sbin/apk apk-tools-2.14.4-r0");
	assert_owner("//sbin/apk", "//sbin/apk apk-tools-2.14.4-r0");
	assert_owner("/sbin/ap", "/sbin/ap -");
	assert_owner("/apk", "/apk -");
	assert_owner("/", "/ -");
}

/* apk keeps the first owner of a file it reads. */
static void test_file_listed_twice(void **state)
{
	assert_owner("/etc/hosts", "/etc/hosts alpine-baselayout-data-3.6.5-r0");
}

/* apk 3's rule: replaces priority, then the origin's own package, then
 * byte order of the names. */
static void test_directories(void **state)
{
	assert_owner("/etc", "/etc alpine-baselayout-3.6.5-r0");
	assert_owner("/etc/", "/etc/ alpine-baselayout-3.6.5-r0");
	assert_owner("/bin", "/bin busybox-1.36.1-r29");
	assert_owner("/usr/bin", "/usr/bin alpine-baselayout-3.6.5-r0");
	assert_owner("/lib/apk", "/lib/apk apk-tools-2.14.4-r0");
	/* a parent no package lists has no owner */
	assert_owner("/lib", "/lib -");
	assert_owner("/usr", "/usr -");
}

/* A directory of one package that is a file of another: the directory's
 * owner, as apk 3 answers (apk 2.14 owns no directory: the file's). */
static void test_directory_before_file(void **state)
{
	assert_owner("/var/run", "/var/run apk-tools-2.14.4-r0");
}

/* apk 2.10 to 2.14 own no directory (real 3.18 root, apk 2.14.4: "/etc:
 * Could not find owner package"); a path that is also a file is the
 * file's. */
static void test_directories_apk2(void **state)
{
	apk3 = false;
	assert_owner("/etc", "/etc -");
	assert_owner("/bin", "/bin -");
	assert_owner("/lib/apk", "/lib/apk -");
	assert_owner("/var/run", "/var/run alpine-baselayout-3.6.5-r0");
	assert_owner("/bin/sh", "/bin/sh busybox-binsh-1.36.1-r29");
	apk3 = true;
}

static void test_files_of(void **state)
{
	json_t *f = aipkg_files_of_text((struct aipkg_slice){ db, strlen(db) }, "busybox");

	assert_int_equal(json_array_size(f), 2);
	assert_string_equal(json_string_value(json_array_get(f, 0)), "/bin/busybox");
	assert_string_equal(json_string_value(json_array_get(f, 1)), "/etc/hosts");
	json_decref(f);
	f = aipkg_files_of_text((struct aipkg_slice){ db, strlen(db) }, "alpine-baselayout");
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(json_string_value(json_array_get(f, 0)), "/var/run");
	json_decref(f);
	f = aipkg_files_of_text((struct aipkg_slice){ db, strlen(db) }, "busybox-extras");
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_file_listed_twice),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_directory_before_file),
		cmocka_unit_test(test_directories_apk2),
		cmocka_unit_test(test_files_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
