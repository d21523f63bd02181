/* Unit tests for dependency atoms, package names and what packages provide. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aipkg/error.h"
#include "apk/pkg.h"
#include "buf.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static struct aipkg_slice sl(const char *s)
{
	return aipkg_slice_str(s);
}

struct parse_case {
	const char *text;
	const char *name, *version, *tag;
	unsigned op;
	bool conflict;
};

/* Every form found in D: lines, world files and on apk's command line. */
static const struct parse_case parse_cases[] = {
	{ "busybox", "busybox", "", "", AIPKG_DEP_ANY, false },
	{ "musl=1.2.5-r0", "musl", "1.2.5-r0", "", AIPKG_DEP_EQ, false },
	{ "musl>=1.2.3_git20230424", "musl", "1.2.3_git20230424", "", AIPKG_DEP_GE, false },
	{ "openssl<3", "openssl", "3", "", AIPKG_DEP_LT, false },
	{ "openssl>1", "openssl", "1", "", AIPKG_DEP_GT, false },
	{ "openssl<=3.3.2-r1", "openssl", "3.3.2-r1", "", AIPKG_DEP_LE, false },
	{ "python3~3.12", "python3", "3.12", "", AIPKG_DEP_FUZZY, false },
	{ "gcc>~13", "gcc", "13", "", AIPKG_DEP_GT | AIPKG_DEP_FUZZY, false },
	{ "gcc<~14", "gcc", "14", "", AIPKG_DEP_LT | AIPKG_DEP_FUZZY, false },
	{ "!dropbear", "dropbear", "", "", AIPKG_DEP_ANY, true },
	{ "!openssh-server<9", "openssh-server", "9", "", AIPKG_DEP_LT, true },
	{ "so:libc.musl-x86_64.so.1", "so:libc.musl-x86_64.so.1", "", "", AIPKG_DEP_ANY, false },
	{ "so:libstdc++.so.6", "so:libstdc++.so.6", "", "", AIPKG_DEP_ANY, false },
	{ "cmd:dig", "cmd:dig", "", "", AIPKG_DEP_ANY, false },
	{ "cmd:[=9.5-r1", "cmd:[", "9.5-r1", "", AIPKG_DEP_EQ, false },
	{ "pc:zlib>=1.2", "pc:zlib", "1.2", "", AIPKG_DEP_GE, false },
	{ "/bin/sh", "/bin/sh", "", "", AIPKG_DEP_ANY, false },
	{ "/usr/bin/env", "/usr/bin/env", "", "", AIPKG_DEP_ANY, false },
	{ "nginx@edge", "nginx", "", "edge", AIPKG_DEP_ANY, false },
	{ "nginx@testing>=1.27", "nginx", "1.27", "testing", AIPKG_DEP_GE, false },
	{ "curl><Q1abcdefghijklmnopqrstuvwxyz0=", "curl", "Q1abcdefghijklmnopqrstuvwxyz0=", "",
	  AIPKG_DEP_CHECKSUM, false },
	{ ".build-deps", ".build-deps", "", "", AIPKG_DEP_ANY, false },
	{ "py3-foo_bar+x.y", "py3-foo_bar+x.y", "", "", AIPKG_DEP_ANY, false },
};

static void expect_slice(struct aipkg_slice got, const char *want, const char *what,
			 const char *text)
{
	if (!aipkg_slice_eq(got, want))
		fail_msg("%s: %s is '%.*s', expected '%s'", text, what, (int)got.len, got.ptr,
			 want);
}

static void test_parse_forms(void **state)
{
	struct aipkg_dep dep;
	size_t i;

	for (i = 0; i < N_ELEMENTS(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];

		if (aipkg_dep_parse(sl(c->text), &dep) != 0)
			fail_msg("%s: refused", c->text);
		expect_slice(dep.name, c->name, "name", c->text);
		expect_slice(dep.version, c->version, "version", c->text);
		expect_slice(dep.tag, c->tag, "tag", c->text);
		assert_int_equal(dep.op, c->op);
		assert_int_equal(dep.conflict, c->conflict);
	}
}

/* The slices point into the text; a slice of a longer string parses alone. */
static void test_parse_bounded(void **state)
{
	const char *line = "zlib>=1.3 musl";
	struct aipkg_slice atom = { line, 9 };
	struct aipkg_dep dep;

	assert_int_equal(aipkg_dep_parse(atom, &dep), 0);
	assert_ptr_equal(dep.name.ptr, line);
	assert_ptr_equal(dep.version.ptr, line + 6);
	expect_slice(dep.version, "1.3", "version", line);
}

/* Malformed atoms, and everything that could be an option or shell syntax. */
static const char *const parse_rejects[] = {
	"", "!", "!!foo", "-foo", "--force", "-rf", "!-foo", "foo bar", " foo", "foo ",
	"foo\tbar", "foo\n", "foo;rm", "foo|sh", "foo&", "$(id)", "foo$x", "`id`", "a`b",
	"foo'", "foo\"", "foo\\", "foo(", "foo)", "{foo}", "foo*", "foo?", "foo#",
	"foo%", "foo!", "foo=", "foo>=", "foo=1.2.x", "foo=1..2", "foo=-r1", "foo=>1",
	"foo==1", "foo<>1", "foo=~1", "=1.0", ">=1.0", "foo@", "@edge", "foo@a b",
	"foo@-x", "foo@x;y", "foo@x.apk", "foo=1.0@edge", "foo><", "foo><Q1$$", "foo><a b",
	"_foo", ".", "..", ".-foo", "/", "foo\x01", "\xc3\xa9t\xc3\xa9",
	/* what apk would install as a package file instead of a name */
	"foo.apk", "x.apk>=1", "/tmp/evil.apk", "/tmp/evil.tar", "/x/../y", "./foo", "a/b",
};

static void test_parse_rejects(void **state)
{
	struct aipkg_dep dep;
	size_t i;

	for (i = 0; i < N_ELEMENTS(parse_rejects); i++) {
		if (aipkg_dep_parse(sl(parse_rejects[i]), &dep) != -AIPKG_E_BADDEP)
			fail_msg("accepted '%s'", parse_rejects[i]);
		assert_int_equal(dep.name.len, 0);
	}
}

static void test_parse_rejects_nul_and_null(void **state)
{
	struct aipkg_slice nul = { "foo\0bar", 7 }, none = { NULL, 0 };
	struct aipkg_dep dep;

	assert_int_equal(aipkg_dep_parse(nul, &dep), -AIPKG_E_BADDEP);
	assert_int_equal(aipkg_dep_parse(none, &dep), -AIPKG_E_BADDEP);
}

static const char *const good_names[] = {
	"busybox", "py3-requests", "libstdc++", "gtk+3.0", "R", "7zip", "so:libz.so.1",
	"cmd:dig", "pc:zlib", "perl-test-simple_1", "linux-lts", ".build-deps",
};

/* Stricter than atoms in an index: nothing a person or an LLM should pass. */
static const char *const bad_names[] = {
	"", "-", "-foo", "--help", "_foo", "+foo", ".", ".-x", "..", "/bin/sh", "a/b",
	"../x", "foo bar", "foo\t", "foo;ls", "foo|x", "foo&x", "foo$", "foo`", "foo<",
	"foo>", "foo(", "foo)", "foo{", "foo}", "foo'", "foo\"", "foo\\", "foo=1",
	"foo~1", "foo@edge", "foo,bar", "cmd:[", "foo*", "foo.apk", "x.apk.y", "f\x7f",
	"\xc3\xa9",
};

static void test_name_valid(void **state)
{
	struct aipkg_slice nul = { "foo\0", 4 };
	size_t i;

	for (i = 0; i < N_ELEMENTS(good_names); i++)
		if (!aipkg_name_valid(sl(good_names[i])))
			fail_msg("refused '%s'", good_names[i]);
	for (i = 0; i < N_ELEMENTS(bad_names); i++)
		if (aipkg_name_valid(sl(bad_names[i])))
			fail_msg("accepted '%s'", bad_names[i]);
	assert_false(aipkg_name_valid(nul));
}

struct match_case {
	const char *atom, *version;
	bool match;
};

/* version is what a provider offers; "" is a provider without a version. */
static const struct match_case match_cases[] = {
	{ "foo", "1.0", true },
	{ "foo", "", true },
	{ "foo=1.0-r0", "1.0-r0", true },
	{ "foo=1.0-r0", "1.0-r1", false },
	{ "foo=1.0", "1.0-r0", false },
	{ "foo=01", "1", true },
	{ "foo<2", "1.9", true },
	{ "foo<2", "2", false },
	{ "foo<2", "2_rc1", true },
	{ "foo<=2", "2", true },
	{ "foo<=2", "2-r1", false },
	{ "foo>1", "1", false },
	{ "foo>1", "1_p1", true },
	{ "foo>1", "1-r1", true },
	{ "foo>=1.2", "1.2", true },
	{ "foo>=1.2", "1.10", true },
	{ "foo>=1.2", "1.1", false },
	{ "foo>=1.2", "1.2_rc9", false },
	{ "foo~1.2", "1.2", true },
	{ "foo~1.2", "1.2.9", true },
	{ "foo~1.2", "1.2-r3", true },
	{ "foo~1.2", "1.2_rc1", true },
	{ "foo~1.2", "1.20", false },
	{ "foo~1.2", "1.3", false },
	{ "foo~1.2.3", "1.2", false },
	{ "foo>~1.2", "1.2.5", true },
	{ "foo>~1.2", "1.3", true },
	{ "foo>~1.2", "1.1", false },
	{ "foo<~1.2", "1.2.5", true },
	{ "foo<~1.2", "1.1", true },
	{ "foo<~1.2", "1.3", false },
	{ "!foo", "1.0", false },
	{ "!foo<2", "1.0", false },
	{ "!foo<2", "2.0", true },
	{ "!foo~1", "1.5", false },
	{ "!foo~1", "2.0", true },
	{ "foo><Q1abc=", "1.0", false },
	/* apk 3 orders a missing version below every version */
	{ "foo>=1", "", false },
	{ "foo=1", "", false },
	{ "foo~1", "", false },
	{ "foo<1", "", true },
	{ "!foo>=1", "", true },
	/* an invalid version never satisfies a versioned atom */
	{ "foo>=1", "1.x", false },
	{ "foo<9", "x", false },
};

static void test_version_match(void **state)
{
	struct aipkg_dep dep;
	size_t i;

	for (i = 0; i < N_ELEMENTS(match_cases); i++) {
		const struct match_case *c = &match_cases[i];

		assert_int_equal(aipkg_dep_parse(sl(c->atom), &dep), 0);
		if (aipkg_dep_version_match(&dep, c->version) != c->match)
			fail_msg("%s with version '%s' should %smatch", c->atom, c->version,
				 c->match ? "" : "not ");
	}
	assert_int_equal(aipkg_dep_parse(sl("foo"), &dep), 0);
	assert_true(aipkg_dep_version_match(&dep, NULL));
	assert_int_equal(aipkg_dep_parse(sl("foo>=1"), &dep), 0);
	assert_false(aipkg_dep_version_match(&dep, NULL));
}

static const char *nginx_provides[] = {
	"cmd:nginx=1.26.2-r0", "nginx-virtual", "so:libngx.so.1=1", NULL,
};

static struct aipkg_pkg make_nginx(void)
{
	struct aipkg_pkg pkg = {
		.name = "nginx",
		.version = "1.26.2-r0",
		.provides = { nginx_provides, 3 },
	};
	return pkg;
}

static void expect_provides(const struct aipkg_pkg *pkg, const char *name, const char *ver)
{
	struct aipkg_slice v = { NULL, 0 };

	if (!aipkg_pkg_provides(pkg, sl(name), &v))
		fail_msg("%s should provide %s", pkg->name, name);
	expect_slice(v, ver, "provided version", name);
}

static void test_provides(void **state)
{
	struct aipkg_pkg pkg = make_nginx();
	struct aipkg_slice v = sl("untouched");
	struct aipkg_slice prefix = { "cmd:nginx-debug", 9 };

	expect_provides(&pkg, "nginx", "1.26.2-r0");
	expect_provides(&pkg, "cmd:nginx", "1.26.2-r0");
	expect_provides(&pkg, "nginx-virtual", "");
	expect_provides(&pkg, "so:libngx.so.1", "1");
	assert_true(aipkg_pkg_provides(&pkg, prefix, NULL));
	assert_false(aipkg_pkg_provides(&pkg, sl("cmd:ngin"), &v));
	assert_false(aipkg_pkg_provides(&pkg, sl("nginx-virtua"), &v));
	assert_false(aipkg_pkg_provides(&pkg, sl("ngin"), &v));
	assert_false(aipkg_pkg_provides(&pkg, sl("nginx="), &v));
	assert_false(aipkg_pkg_provides(&pkg, sl(""), &v));
	assert_true(aipkg_slice_eq(v, "untouched"));
}

/* The usual pairing: parse an atom, ask the provider, match its version. */
static void test_provides_then_match(void **state)
{
	struct aipkg_pkg pkg = make_nginx();
	struct aipkg_dep dep;
	struct aipkg_slice v;
	char ver[32];

	assert_int_equal(aipkg_dep_parse(sl("cmd:nginx>=1.26"), &dep), 0);
	assert_true(aipkg_pkg_provides(&pkg, dep.name, &v));
	assert_true(v.len < sizeof(ver));
	memcpy(ver, v.ptr, v.len);
	ver[v.len] = '\0';
	assert_true(aipkg_dep_version_match(&dep, ver));
	assert_int_equal(aipkg_dep_parse(sl("nginx-virtual>=1"), &dep), 0);
	assert_true(aipkg_pkg_provides(&pkg, dep.name, &v));
	assert_int_equal(v.len, 0);
	assert_false(aipkg_dep_version_match(&dep, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_bounded),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_rejects_nul_and_null),
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_version_match),
		cmocka_unit_test(test_provides),
		cmocka_unit_test(test_provides_then_match),
	};

	return cmocka_run_group_tests_name("dep", tests, NULL, NULL);
}
