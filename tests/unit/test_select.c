/* Unit tests of apk/select.c: what apk 2 and 3 take for a dependency, with tags, providers and priorities. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk/select.h"
#include "apk/version.h"
#include "buf.h"

/*
 * Shapes from real Alpine data: on 3.18, "postgresql" is only a provided
 * name: postgresql12..15 offer it without a version and rank themselves
 * with k:, postgresql-bdr offers "postgresql=9.4.14_p1-r15" and no k:
 * (apk 2.14.4 installs postgresql15 for it, apk 3.0.6 postgresql-bdr);
 * "xdvi" is provided by xdvik alone, without a version or a k: (both apks
 * refuse to choose); "udev" by eudev (k:100, a version) and libudev-zero
 * (k:20).  Repository 0 is untagged, repository 1 is "@testing".
 */
static const char main_index[] =
    "P:postgresql14\nV:14.10-r0\nk:14\np:postgresql cmd:postgres\nI:100\n\n"
    "P:postgresql15\nV:15.5-r0\nk:15\np:postgresql cmd:postgres\nI:100\n\n"
    "P:postgresql-bdr\nV:9.4.14_p1-r15\np:postgresql=9.4.14_p1-r15 cmd:postgres=9.4.14_p1-r15\n"
    "I:100\n\n"
    "P:postgresql12\nV:12.17-r0\nk:12\np:postgresql\nI:100\n\n"
    "P:xdvik\nV:22.87.06-r1\np:xdvi\nI:100\n\n"
    "P:eudev\nV:3.2.11-r8\nk:100\np:udev=176\nI:100\n\n"
    "P:libudev-zero\nV:1.0.1-r1\nk:20\np:udev\nI:100\n\n"
    "P:zlib\nV:1.3.1-r0\nC:Q1zlibmain=\np:so:libz.so.1=1.3.1\nI:100\n\n"
    "P:telnet-a\nV:1.0-r0\np:cmd:telnet=1.0-r0\nI:100\n\n"
    "P:telnet-b\nV:2.0-r0\np:cmd:telnet=2.0-r0\nI:100\n\n"
    "P:opensmtpd\nV:6.8.0p2-r7\nI:100\n\n";

static const char testing_index[] =
    "P:zlib\nV:1.3.2-r0\nC:Q1zlibtesting=\np:so:libz.so.1=1.3.2\nI:100\n\n"
    "P:newtool\nV:0.9-r0\nI:100\n\n"
    "P:opensmtpd\nV:6.8.0p10-r0\nI:100\n\n";

struct fix {
	struct aipkg_state st;
};

static void parse_into(struct aipkg_pkgset *set, const char *text, int repo)
{
	size_t len = strlen(text);
	char *copy = strdup(text);

	assert_non_null(copy);
	assert_int_equal(aipkg_pkgset_parse(set, copy, len, repo, NULL), 0);
}

static struct fix *fix_new(const char *installed, const char *const *world)
{
	struct fix *f = calloc(1, sizeof(*f));
	size_t nw = 0;

	assert_non_null(f);
	aipkg_pkgset_init(&f->st.installed);
	aipkg_pkgset_init(&f->st.available);
	parse_into(&f->st.available, main_index, 0);
	parse_into(&f->st.available, testing_index, 1);
	if (installed)
		parse_into(&f->st.installed, installed, -1);
	assert_int_equal(aipkg_pkgset_index(&f->st.available), 0);
	assert_int_equal(aipkg_pkgset_index(&f->st.installed), 0);
	f->st.repos = calloc(2, sizeof(*f->st.repos));
	assert_non_null(f->st.repos);
	f->st.nrepos = 2;
	f->st.repos[0].url = strdup("https://dl-cdn.alpinelinux.org/alpine/v3.18/main");
	f->st.repos[1].url = strdup("https://dl-cdn.alpinelinux.org/alpine/edge/testing");
	f->st.repos[1].tag = strdup("testing");
	while (world && world[nw])
		nw++;
	f->st.world = calloc(nw + 1, sizeof(char *));
	for (size_t i = 0; i < nw; i++)
		f->st.world[i] = strdup(world[i]);
	f->st.nworld = nw;
	return f;
}

static void fix_free(struct fix *f)
{
	aipkg_state_release(&f->st);
	free(f);
}

/* What is selected for ATOM by apk MAJOR's rules: "name-version", or
 * "!tagged:TAG", "!virtual", "!none". */
static const char *picked(struct fix *f, const char *atom, unsigned flags, int major)
{
	static char out[128];
	struct aipkg_selection sel;
	struct aipkg_dep dep;

	assert_int_equal(aipkg_dep_parse(aipkg_slice_str(atom), &dep), 0);
	assert_int_equal(aipkg_select_as(&f->st, &dep, flags, major, &sel), 0);
	switch (sel.why) {
	case AIPKG_SELECT_OK:
		snprintf(out, sizeof(out), "%s-%s", sel.pkg->name, sel.pkg->version);
		break;
	case AIPKG_SELECT_TAGGED:
		snprintf(out, sizeof(out), "!tagged:%s", sel.tag ? sel.tag : "?");
		break;
	case AIPKG_SELECT_VIRTUAL:
		snprintf(out, sizeof(out), "!virtual");
		break;
	default:
		snprintf(out, sizeof(out), "!none");
	}
	return out;
}

static void both(struct fix *f, const char *atom, const char *want2, const char *want3)
{
	assert_string_equal(picked(f, atom, 0, 2), want2);
	assert_string_equal(picked(f, atom, 0, 3), want3);
}

/* The real 3.18 case: apk 2 by provider_priority, apk 3 by the version
 * offered for the name. */
static void test_provider_apk2_and_apk3_differ(void **state)
{
	struct fix *f = fix_new(NULL, NULL);

	both(f, "postgresql", "postgresql15-15.5-r0", "postgresql-bdr-9.4.14_p1-r15");
	/* a version asked for leaves only the provider offering one */
	both(f, "postgresql>=9", "postgresql-bdr-9.4.14_p1-r15", "postgresql-bdr-9.4.14_p1-r15");
	/* versioned and prioritised: eudev offers a version and ranks higher */
	both(f, "udev", "eudev-3.2.11-r8", "eudev-3.2.11-r8");
	/* two providers with versions: the newer version offered */
	both(f, "cmd:telnet", "telnet-b-2.0-r0", "telnet-b-2.0-r0");
	fix_free(f);
}

/* Undecided rules and nobody to ask: apk 3; set to 2: apk 2. */
static void test_select_follows_rules_in_force(void **state)
{
	struct fix *f = fix_new(NULL, NULL);
	struct aipkg_selection sel;

	assert_int_equal(aipkg_select_name(&f->st, "postgresql", 0, &sel), 0);
	assert_string_equal(sel.pkg->name, "postgresql-bdr");
	assert_int_equal(sel.nproviders, 4);
	aipkg_version_set_rules(2);
	assert_int_equal(aipkg_select_name(&f->st, "postgresql", 0, &sel), 0);
	assert_string_equal(sel.pkg->name, "postgresql15");
	aipkg_version_set_rules(0);
	fix_free(f);
}

/* Installed already: kept by an add (apk 2), unless upgrading. */
static void test_installed_provider_kept(void **state)
{
	static const char inst[] = "P:postgresql14\nV:14.10-r0\nk:14\np:postgresql cmd:postgres\n"
				   "I:100\n\n";
	struct fix *f = fix_new(inst, NULL);

	assert_string_equal(picked(f, "postgresql", 0, 2), "postgresql14-14.10-r0");
	/* apk 3 keeps an installed provider only against one offering a
	 * version ... then ranks the rest: compared one by one in apk's order */
	assert_string_equal(picked(f, "postgresql", 0, 3), "postgresql-bdr-9.4.14_p1-r15");
	/* upgrading, apk 2 still prefers the installed provider before the
	 * priorities; apk 3 ranks priorities first */
	assert_string_equal(picked(f, "postgresql", AIPKG_SELECT_UPGRADE, 2),
			    "postgresql14-14.10-r0");
	assert_string_equal(picked(f, "postgresql15", AIPKG_SELECT_UPGRADE, 2),
			    "postgresql15-15.5-r0");
	fix_free(f);
}

/* A name offered only without a version and a priority: apk refuses,
 * unless the world asks for the provider itself. */
static void test_virtual_not_chosen(void **state)
{
	static const char *const world[] = { "xdvik", NULL };
	struct fix *f = fix_new(NULL, NULL), *g = fix_new(NULL, world);
	const struct aipkg_pkg **v;
	size_t n;

	both(f, "xdvi", "!virtual", "!virtual");
	both(g, "xdvi", "xdvik-22.87.06-r1", "xdvik-22.87.06-r1");
	v = aipkg_select_providers(&f->st, aipkg_slice_str("xdvi"), &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0]->name, "xdvik");
	free(v);
	fix_free(f);
	fix_free(g);
}

static int decide_2(void *ud)
{
	return 2;
}

/* apk 2.10.0 to 2.12.9 chose a virtual name's only provider by itself
 * (real 3.10 roots: "bkeymaps" is kbd-bkeymaps there), 2.12.10 not. */
static void test_lone_provider_by_apk_release(void **state)
{
	struct fix *f = fix_new(NULL, NULL);
	struct aipkg_selection sel;
	int ud;

	assert_string_equal(picked(f, "xdvi", AIPKG_SELECT_LONE_PROVIDER, 2), "xdvik-22.87.06-r1");
	aipkg_version_set_decider(decide_2, &ud);
	aipkg_version_apk_release(&ud, "2.10.6");
	assert_int_equal(aipkg_select_name(&f->st, "xdvi", 0, &sel), 0);
	assert_int_equal(sel.why, AIPKG_SELECT_OK);
	assert_string_equal(sel.pkg->name, "xdvik");
	aipkg_version_apk_release(&ud, "2.12.10");
	assert_int_equal(aipkg_select_name(&f->st, "xdvi", 0, &sel), 0);
	assert_int_equal(sel.why, AIPKG_SELECT_VIRTUAL);
	/* several providers: never */
	aipkg_version_apk_release(&ud, "2.10.6");
	assert_int_equal(aipkg_select_name(&f->st, "postgresql", 0, &sel), 0);
	assert_string_equal(sel.pkg->name, "postgresql15");
	aipkg_version_unset_decider(&ud);
	fix_free(f);
}

/* @testing's packages only for "name@testing". */
static void test_tagged_repository(void **state)
{
	struct fix *f = fix_new(NULL, NULL);

	both(f, "zlib", "zlib-1.3.1-r0", "zlib-1.3.1-r0");
	assert_string_equal(picked(f, "zlib", AIPKG_SELECT_UPGRADE, 3), "zlib-1.3.1-r0");
	both(f, "zlib@testing", "zlib-1.3.2-r0", "zlib-1.3.2-r0");
	both(f, "newtool", "!tagged:testing", "!tagged:testing");
	both(f, "newtool@testing", "newtool-0.9-r0", "newtool-0.9-r0");
	both(f, "so:libz.so.1", "zlib-1.3.1-r0", "zlib-1.3.1-r0");
	both(f, "nosuch", "!none", "!none");
	both(f, "zlib>1.3.1-r0", "!tagged:testing", "!tagged:testing");
	fix_free(f);
}

/* apk list -u / apk upgrade: the repositories of the installed package's tag. */
static void test_upgrade_by_installed_tag(void **state)
{
	static const char untagged[] = "P:zlib\nV:1.3.0-r0\nI:100\n\n";
	static const char tagged[] = "P:zlib\nV:1.3.0-r0\ns:testing\nI:100\n\n";
	struct fix *f = fix_new(untagged, NULL), *g = fix_new(tagged, NULL);
	const struct aipkg_pkg *up;

	up = aipkg_select_upgrade(&f->st, &f->st.installed.pkgs[0]);
	assert_non_null(up);
	assert_string_equal(up->version, "1.3.1-r0");
	up = aipkg_select_upgrade(&g->st, &g->st.installed.pkgs[0]);
	assert_non_null(up);
	assert_string_equal(up->version, "1.3.2-r0");
	assert_string_equal(aipkg_select_newest(&f->st, "zlib")->version, "1.3.1-r0");
	assert_string_equal(aipkg_select_newest(&f->st, "postgresql15")->version, "15.5-r0");
	assert_null(aipkg_select_newest(&f->st, "newtool"));
	fix_free(f);
	fix_free(g);
}

/* A package no index has any more is still what is installed. */
static void test_installed_only(void **state)
{
	static const char inst[] = "P:localtool\nV:1.0-r0\nI:100\n\n"
				   "P:zlib\nV:1.3.1-r0\nC:Q1zlibmain=\nI:100\n\n";
	struct fix *f = fix_new(inst, NULL);
	struct aipkg_selection sel;
	struct aipkg_dep dep;

	both(f, "localtool", "localtool-1.0-r0", "localtool-1.0-r0");
	assert_null(aipkg_select_upgrade(&f->st, &f->st.installed.pkgs[0]));
	/* the installed package and its index record are one package */
	assert_int_equal(aipkg_dep_parse(aipkg_slice_str("zlib"), &dep), 0);
	assert_int_equal(aipkg_select(&f->st, &dep, 0, &sel), 0);
	assert_ptr_equal(sel.inst, &f->st.installed.pkgs[1]);
	assert_int_equal(sel.pkg->repo, 0);
	assert_int_equal(sel.nproviders, 2); /* and @testing's 1.3.2-r0 */
	fix_free(f);
}

/* A checksum pin takes that build only. */
static void test_checksum_pin(void **state)
{
	struct fix *f = fix_new(NULL, NULL);

	both(f, "zlib><Q1zlibtesting=", "!tagged:testing", "!tagged:testing");
	both(f, "zlib><Q1zlibmain=", "zlib-1.3.1-r0", "zlib-1.3.1-r0");
	both(f, "zlib><Q1other=", "!none", "!none");
	fix_free(f);
}

/* apk 2 orders versions apk 3 calls invalid (opensmtpd 6.8.0p2). */
static void test_apk2_versions(void **state)
{
	static const char inst[] = "P:opensmtpd\nV:6.8.0p2-r7\ns:testing\nI:100\n\n";
	struct fix *f = fix_new(inst, NULL);
	const struct aipkg_pkg *up;

	assert_string_equal(picked(f, "opensmtpd@testing", AIPKG_SELECT_UPGRADE, 2),
			    "opensmtpd-6.8.0p10-r0");
	aipkg_version_set_rules(2);
	up = aipkg_select_upgrade(&f->st, &f->st.installed.pkgs[0]);
	assert_non_null(up);
	assert_string_equal(up->version, "6.8.0p10-r0");
	aipkg_version_set_rules(3);
	assert_null(aipkg_select_upgrade(&f->st, &f->st.installed.pkgs[0]));
	aipkg_version_set_rules(0);
	fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provider_apk2_and_apk3_differ),
		cmocka_unit_test(test_select_follows_rules_in_force),
		cmocka_unit_test(test_installed_provider_kept),
		cmocka_unit_test(test_virtual_not_chosen),
		cmocka_unit_test(test_lone_provider_by_apk_release),
		cmocka_unit_test(test_tagged_repository),
		cmocka_unit_test(test_upgrade_by_installed_tag),
		cmocka_unit_test(test_installed_only),
		cmocka_unit_test(test_checksum_pin),
		cmocka_unit_test(test_apk2_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
