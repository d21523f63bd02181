/* Unit tests of fileio.c: atomic writes, state files without links, scratch trees, who may write a path. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/aipkg-fileio-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return aipkg_rmtree(dir);
}

/* DIR/REL, in a static buffer of four rotating slots. */
static const char *at(const char *rel)
{
	static char paths[4][512];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/%s", dir, rel);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The file at PATH holds exactly WANT. */
static void assert_file_is(const char *path, const char *want)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_buf_read_file(&b, path), 0);
	assert_string_equal(aipkg_buf_str(&b), want);
	aipkg_buf_release(&b);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* ---- state files ---- */

/* The bug: a link at var/lib/aipkg/lock made aipkg truncate its target. */
static void test_state_open_never_follows_a_link(void **state)
{
	write_text(at("victim"), "precious\n");
	assert_int_equal(symlink(at("victim"), at("lock")), 0);
	assert_int_equal(aipkg_state_open(at("lock"), O_RDWR | O_CREAT, 0600), -ELOOP);
	assert_file_is(at("victim"), "precious\n");
	assert_non_null(strstr(aipkg_file_strerror(-ELOOP), "symbolic link"));
}

/* A planted FIFO must neither hang a reader nor be taken for a file. */
static void test_state_open_refuses_a_fifo_without_waiting(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	assert_int_equal(aipkg_state_open(at("fifo"), O_RDONLY, 0), -EINVAL);
	assert_int_equal(aipkg_buf_read_state(&b, at("fifo")), -EINVAL);
	assert_int_equal(aipkg_state_open(dir, O_RDONLY, 0), -EINVAL);
	aipkg_buf_release(&b);
}

/* The bug: the lock was 0644, and flock works on a read-only descriptor. */
static void test_state_open_creates_and_narrows_the_mode(void **state)
{
	int fd = aipkg_state_open(at("new"), O_RDWR | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	assert_int_equal(mode_of(at("new")), 0600);

	write_text(at("old"), "");
	assert_int_equal(chmod(at("old"), 0644), 0);
	fd = aipkg_state_open(at("old"), O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mode_of(at("old")), 0600);
}

static void test_read_state_reads_a_regular_file(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	write_text(at("f"), "id 1\n");
	assert_int_equal(aipkg_buf_read_state(&b, at("f")), 0);
	assert_string_equal(aipkg_buf_str(&b), "id 1\n");
	assert_int_equal(symlink(at("f"), at("l")), 0);
	aipkg_buf_reset(&b);
	assert_int_equal(aipkg_buf_read_state(&b, at("l")), -ELOOP);
	aipkg_buf_release(&b);
}

/* ---- atomic writes ---- */

static void test_atomic_write_replaces_a_link_and_sets_the_mode(void **state)
{
	write_text(at("victim"), "precious\n");
	assert_int_equal(symlink(at("victim"), at("report")), 0);
	assert_int_equal(aipkg_file_write_atomic_mode(at("report"), "secret\n", 7, 0600), 0);
	assert_file_is(at("victim"), "precious\n");
	assert_file_is(at("report"), "secret\n");
	assert_int_equal(mode_of(at("report")), 0600);
	assert_int_equal(aipkg_file_write_atomic(at("plain"), "x", 1), 0);
	assert_int_equal(mode_of(at("plain")), 0644);
}

/* ---- scratch directories and tree removal ---- */

static void test_mkdtemp_is_private_and_fresh(void **state)
{
	char *a = aipkg_mkdtemp(dir, ".fetch-"), *b = aipkg_mkdtemp(dir, ".fetch-");

	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b);
	assert_non_null(strstr(a, "/.fetch-"));
	assert_int_equal(mode_of(a), 0700);
	free(a);
	free(b);
	assert_null(aipkg_mkdtemp(at("missing/dir"), "x-"));
	assert_int_equal(errno, ENOENT);
}

/* The bug: a link where aipkg's scratch directory should be made aipkg
 * empty the directory it pointed to. */
static void test_rmtree_removes_links_not_their_targets(void **state)
{
	assert_int_equal(mkdir(at("keep"), 0755), 0);
	write_text(at("keep/precious"), "x\n");
	assert_int_equal(mkdir(at("tree"), 0755), 0);
	assert_int_equal(mkdir(at("tree/sub"), 0755), 0);
	write_text(at("tree/sub/file"), "y\n");
	assert_int_equal(symlink(at("keep"), at("tree/sub/dirlink")), 0);
	assert_int_equal(symlink(at("keep/precious"), at("tree/filelink")), 0);
	assert_int_equal(symlink(at("keep"), at("toplink")), 0);

	assert_int_equal(aipkg_rmtree(at("tree")), 0);
	assert_int_equal(access(at("tree"), F_OK), -1);
	assert_int_equal(aipkg_rmtree(at("toplink")), 0);
	assert_int_equal(access(at("toplink"), F_OK), -1);
	assert_file_is(at("keep/precious"), "x\n");
}

/* A package may ship a directory without write permission. */
static void test_rmtree_opens_up_read_only_directories(void **state)
{
	assert_int_equal(mkdir(at("ro"), 0755), 0);
	assert_int_equal(mkdir(at("ro/inner"), 0755), 0);
	write_text(at("ro/inner/f"), "z\n");
	assert_int_equal(chmod(at("ro/inner"), 0555), 0);
	assert_int_equal(chmod(at("ro"), 0555), 0);
	assert_int_equal(aipkg_rmtree(at("ro")), 0);
	assert_int_equal(access(at("ro"), F_OK), -1);
	assert_int_equal(aipkg_rmtree(at("never-was")), 0);
}

static void test_rmtree_many_entries(void **state)
{
	char name[64];

	assert_int_equal(mkdir(at("many"), 0755), 0);
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "many/f%03d", i);
		write_text(at(name), "");
	}
	assert_int_equal(aipkg_rmtree(at("many")), 0);
	assert_int_equal(access(at("many"), F_OK), -1);
}

/* ---- who may write a path ---- */

static void test_private_path_passes(void **state)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;

	assert_int_equal(mkdir(at("var"), 0755), 0);
	write_text(at("var/conf"), "");
	assert_int_equal(chmod(at("var/conf"), 0644), 0);
	assert_int_equal(aipkg_path_check_private(at("var/conf"), &why), 0);
	/* missing: the nearest directory that exists is what counts */
	assert_int_equal(aipkg_path_check_private(at("var/lib/aipkg"), &why), 0);
	aipkg_buf_release(&why);
}

static void test_world_writable_directory_is_refused(void **state)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;

	assert_int_equal(mkdir(at("open"), 0755), 0);
	assert_int_equal(mkdir(at("open/lib"), 0755), 0);
	assert_int_equal(chmod(at("open"), 0777), 0);
	assert_int_equal(aipkg_path_check_private(at("open/lib/aipkg"), &why), -EPERM);
	assert_non_null(strstr(aipkg_buf_str(&why), "/open is writable by every user (mode 0777)"));
	/* sticky, as /tmp: others can add entries, not replace ours */
	assert_int_equal(chmod(at("open"), 01777), 0);
	assert_int_equal(aipkg_path_check_private(at("open/lib/aipkg"), &why), 0);
	aipkg_buf_release(&why);
}

static void test_world_writable_file_is_refused(void **state)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;

	write_text(at("aipkg.yaml"), "");
	assert_int_equal(chmod(at("aipkg.yaml"), 0666), 0);
	assert_int_equal(aipkg_path_check_private(at("aipkg.yaml"), &why), -EPERM);
	assert_non_null(strstr(aipkg_buf_str(&why), "aipkg.yaml is writable by every user"));
	/* through a link: the file it resolves to is judged */
	assert_int_equal(symlink(at("aipkg.yaml"), at("link.yaml")), 0);
	assert_int_equal(aipkg_path_check_private(at("link.yaml"), &why), -EPERM);
	aipkg_buf_release(&why);
}

/* Group write counts unless the group is the owner's private group; a
 * group nobody is named after (daemon, gid 1) is never that. */
static void test_group_writable_is_refused(void **state)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;

	if (geteuid() != 0)
		skip(); /* only root can hand a file to another group here */
	write_text(at("g.yaml"), "");
	assert_int_equal(chown(at("g.yaml"), 0, 1), 0);
	assert_int_equal(chmod(at("g.yaml"), 0664), 0);
	assert_int_equal(aipkg_path_check_private(at("g.yaml"), &why), -EPERM);
	assert_non_null(strstr(aipkg_buf_str(&why), "is writable by group"));
	aipkg_buf_release(&why);
}

static void test_other_owner_is_refused(void **state)
{
	struct aipkg_buf why = AIPKG_BUF_INIT;

	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	assert_int_equal(mkdir(at("theirs"), 0755), 0);
	assert_int_equal(chown(at("theirs"), 65534, 65534), 0);
	assert_int_equal(aipkg_path_check_private(at("theirs/var/lib/aipkg"), &why), -EPERM);
	assert_non_null(strstr(aipkg_buf_str(&why), "(uid 65534), not by root"));
	aipkg_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_open_never_follows_a_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_open_refuses_a_fifo_without_waiting, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_open_creates_and_narrows_the_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_state_reads_a_regular_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write_replaces_a_link_and_sets_the_mode,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdtemp_is_private_and_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rmtree_removes_links_not_their_targets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rmtree_opens_up_read_only_directories, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rmtree_many_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_path_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_world_writable_directory_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_world_writable_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_writable_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_owner_is_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
