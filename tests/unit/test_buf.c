/* Unit tests of buf.c: growable capped buffers, reading files, borrowed slices. */
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

#include "aipkg/error.h"
#include "buf.h"

static struct aipkg_slice sl(const char *s)
{
	return aipkg_slice_str(s);
}

static void assert_slice(struct aipkg_slice got, const char *want)
{
	if (!aipkg_slice_eq(got, want))
		fail_msg("slice is '%.*s', expected '%s'", (int)got.len, got.ptr, want);
}

/* A temporary file holding LEN bytes of a repeating pattern; unlink it after. */
static char *temp_file(size_t len)
{
	char *path = strdup("/tmp/aipkg-test-buf-XXXXXX");
	int fd = mkstemp(path);
	char block[4096];

	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (char)('a' + i % 26);
	while (len) {
		size_t n = len < sizeof(block) ? len : sizeof(block);

		assert_int_equal(write(fd, block, n), (ssize_t)n);
		len -= n;
	}
	close(fd);
	return path;
}

/* ---- appending ---- */

static void test_a_new_buffer_reads_as_empty_string(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_string_equal(aipkg_buf_str(&b), "");
	assert_int_equal(b.len, 0);
	aipkg_buf_release(&b);
}

static void test_appends_keep_a_terminating_nul(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_buf_addstr(&b, "apk"), 0);
	assert_int_equal(aipkg_buf_addch(&b, '-'), 0);
	assert_int_equal(aipkg_buf_add(&b, "tools and more", 5), 0);
	assert_string_equal(aipkg_buf_str(&b), "apk-tools");
	assert_int_equal(b.len, 9);
	assert_int_equal(b.data[b.len], '\0');
	aipkg_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_adding_nothing_still_gives_a_string(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_buf_add(&b, "", 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	aipkg_buf_release(&b);
}

static void test_many_appends_grow_the_buffer(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	for (int i = 0; i < 10000; i++)
		assert_int_equal(aipkg_buf_addch(&b, (char)('0' + i % 10)), 0);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	assert_int_equal(strlen(b.data), 10000);
	assert_memory_equal(b.data + 9990, "0123456789", 10);
	aipkg_buf_release(&b);
}

static void test_addf_formats_and_appends(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_buf_addf(&b, "%s:%zu: ", "aipkg.yaml", (size_t)3), 0);
	assert_int_equal(aipkg_buf_addf(&b, "unknown key '%s'", "foo"), 0);
	assert_string_equal(aipkg_buf_str(&b), "aipkg.yaml:3: unknown key 'foo'");
	assert_int_equal(b.len, strlen("aipkg.yaml:3: unknown key 'foo'"));
	assert_int_equal(aipkg_buf_addf(&b, "%s", ""), 0);
	assert_int_equal(b.len, strlen("aipkg.yaml:3: unknown key 'foo'"));
	aipkg_buf_release(&b);
}

static void test_addf_of_a_long_string(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *big = malloc(100001);

	memset(big, 'x', 100000);
	big[100000] = '\0';
	assert_int_equal(aipkg_buf_addf(&b, "<%s>", big), 0);
	assert_int_equal(b.len, 100002);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[100001], '>');
	assert_int_equal(b.data[100002], '\0');
	free(big);
	aipkg_buf_release(&b);
}

static void test_reset_and_truncate_shorten_in_place(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_buf_addstr(&b, "hello world");
	aipkg_buf_truncate(&b, 5);
	assert_string_equal(aipkg_buf_str(&b), "hello");
	aipkg_buf_truncate(&b, 50); /* longer than the content: no change */
	assert_string_equal(aipkg_buf_str(&b), "hello");
	aipkg_buf_reset(&b);
	assert_string_equal(aipkg_buf_str(&b), "");
	assert_int_equal(b.len, 0);
	aipkg_buf_addstr(&b, "again");
	assert_string_equal(aipkg_buf_str(&b), "again");
	aipkg_buf_release(&b);
}

/* ---- the size cap ---- */

static void test_appending_up_to_the_limit_works(void **state)
{
	struct aipkg_buf b;

	aipkg_buf_init(&b, 8);
	assert_int_equal(aipkg_buf_addstr(&b, "12345678"), 0);
	assert_string_equal(aipkg_buf_str(&b), "12345678");
	aipkg_buf_release(&b);
}

static void test_appending_past_the_limit_fails_and_changes_nothing(void **state)
{
	struct aipkg_buf b;

	aipkg_buf_init(&b, 8);
	assert_int_equal(aipkg_buf_addstr(&b, "12345"), 0);
	assert_int_equal(aipkg_buf_addstr(&b, "6789"), -AIPKG_E_TOOBIG);
	assert_string_equal(aipkg_buf_str(&b), "12345");
	assert_int_equal(b.len, 5);
	assert_int_equal(aipkg_buf_addf(&b, "%d", 1234), -AIPKG_E_TOOBIG);
	assert_string_equal(aipkg_buf_str(&b), "12345");
	assert_int_equal(aipkg_buf_addch(&b, '6'), 0);
	assert_string_equal(aipkg_buf_str(&b), "123456");
	aipkg_buf_release(&b);
}

static void test_an_absurd_reservation_is_too_big_not_a_crash(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_buf_addstr(&b, "x");
	assert_int_equal(aipkg_buf_reserve(&b, SIZE_MAX - 1), -AIPKG_E_TOOBIG);
	assert_string_equal(aipkg_buf_str(&b), "x");
	aipkg_buf_release(&b);
}

/* ---- detach ---- */

static void test_detach_hands_over_the_string(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *s;

	aipkg_buf_addstr(&b, "mine now");
	s = aipkg_buf_detach(&b);
	assert_string_equal(s, "mine now");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(aipkg_buf_str(&b), "");
	free(s);
	aipkg_buf_release(&b);
}

static void test_detach_of_an_empty_buffer_is_an_empty_string(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *s = aipkg_buf_detach(&b);

	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

/* ---- reading files ---- */

static void test_read_file_appends_the_whole_file(void **state)
{
	char *path = temp_file(200000);
	struct aipkg_buf b = AIPKG_BUF_INIT;

	aipkg_buf_addstr(&b, ">");
	assert_int_equal(aipkg_buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 200001);
	assert_memory_equal(b.data, ">abc", 4);
	assert_int_equal(b.data[b.len], '\0');
	aipkg_buf_release(&b);
	unlink(path);
	free(path);
}

static void test_read_of_an_empty_file_gives_an_empty_string(void **state)
{
	char *path = temp_file(0);
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_buf_read_file(&b, path), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	aipkg_buf_release(&b);
	unlink(path);
	free(path);
}

static void test_read_file_that_is_missing_is_enoent(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_buf_read_file(&b, "/nonexistent/aipkg/file"), -ENOENT);
	assert_string_equal(aipkg_buf_str(&b), "");
	aipkg_buf_release(&b);
}

/* A FIFO nobody writes to made the read wait forever. */
static void test_read_of_a_fifo_is_refused_at_once(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char dir[] = "/tmp/aipkg-buf-XXXXXX", path[64];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(aipkg_buf_read_file(&b, path), -EINVAL);
	assert_int_equal(b.len, 0);
	/* devices stay readable: --config /dev/null */
	assert_int_equal(aipkg_buf_read_file(&b, "/dev/null"), 0);
	unlink(path);
	rmdir(dir);
	aipkg_buf_release(&b);
}

static void test_read_of_a_directory_is_an_errno(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;

	assert_int_equal(aipkg_buf_read_file(&b, "/"), -EISDIR);
	assert_int_equal(b.len, 0);
	aipkg_buf_release(&b);
}

static void test_a_file_exactly_at_the_limit_is_read(void **state)
{
	char *path = temp_file(100000);
	struct aipkg_buf b;

	aipkg_buf_init(&b, 100000);
	assert_int_equal(aipkg_buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 100000);
	aipkg_buf_release(&b);
	unlink(path);
	free(path);
}

static void test_a_file_larger_than_the_limit_is_too_big_and_changes_nothing(void **state)
{
	char *path = temp_file(100001);
	struct aipkg_buf b;

	aipkg_buf_init(&b, 100000);
	aipkg_buf_addstr(&b, "kept");
	assert_int_equal(aipkg_buf_read_file(&b, path), -AIPKG_E_TOOBIG);
	assert_string_equal(aipkg_buf_str(&b), "kept");
	assert_true(b.len <= b.limit);
	aipkg_buf_release(&b);
	unlink(path);
	free(path);
}

static void test_a_small_limit_is_never_overrun_by_a_read(void **state)
{
	char *path = temp_file(1000);
	struct aipkg_buf b;

	/* the allocation grows in powers of two; the cap must still hold */
	aipkg_buf_init(&b, 100);
	assert_int_equal(aipkg_buf_read_file(&b, path), -AIPKG_E_TOOBIG);
	assert_int_equal(b.len, 0);
	aipkg_buf_release(&b);
	unlink(path);
	free(path);
}

static void test_read_fd_reads_a_pipe_to_its_end(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "line 1\nline 2\n", 14), 14);
	close(p[1]);
	assert_int_equal(aipkg_buf_read_fd(&b, p[0]), 0);
	close(p[0]);
	assert_string_equal(aipkg_buf_str(&b), "line 1\nline 2\n");
	aipkg_buf_release(&b);
}

/* ---- slices ---- */

static void test_slice_of_a_buffer_borrows_its_bytes(void **state)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	struct aipkg_slice s = aipkg_slice_of(&b);

	assert_int_equal(s.len, 0);
	assert_non_null(s.ptr);
	aipkg_buf_addstr(&b, "abc");
	s = aipkg_slice_of(&b);
	assert_ptr_equal(s.ptr, b.data);
	assert_int_equal(s.len, 3);
	aipkg_buf_release(&b);
	assert_int_equal(aipkg_slice_str(NULL).len, 0);
}

static void test_next_line_splits_lines_without_newlines(void **state)
{
	struct aipkg_slice in = sl("P:musl\nV:1.2.5-r0\n\nP:zlib\n"), line;

	assert_true(aipkg_slice_next_line(&in, &line));
	assert_slice(line, "P:musl");
	assert_true(aipkg_slice_next_line(&in, &line));
	assert_slice(line, "V:1.2.5-r0");
	assert_true(aipkg_slice_next_line(&in, &line));
	assert_slice(line, "");
	assert_true(aipkg_slice_next_line(&in, &line));
	assert_slice(line, "P:zlib");
	/* a trailing newline does not make an extra empty line */
	assert_false(aipkg_slice_next_line(&in, &line));
}

static void test_next_line_returns_a_last_line_without_newline(void **state)
{
	struct aipkg_slice in = sl("first\nlast"), line;

	assert_true(aipkg_slice_next_line(&in, &line));
	assert_slice(line, "first");
	assert_true(aipkg_slice_next_line(&in, &line));
	assert_slice(line, "last");
	assert_false(aipkg_slice_next_line(&in, &line));
	assert_int_equal(in.len, 0);
}

static void test_next_line_of_nothing_is_the_end(void **state)
{
	struct aipkg_slice in = sl(""), line;

	assert_false(aipkg_slice_next_line(&in, &line));
	in = sl("\n");
	assert_true(aipkg_slice_next_line(&in, &line));
	assert_slice(line, "");
	assert_false(aipkg_slice_next_line(&in, &line));
}

static void test_split_at_a_separator(void **state)
{
	struct aipkg_slice in = sl("so:libc.so=1:extra"), head;

	assert_true(aipkg_slice_split(&in, ':', &head));
	assert_slice(head, "so");
	assert_slice(in, "libc.so=1:extra");
	assert_true(aipkg_slice_split(&in, '=', &head));
	assert_slice(head, "libc.so");
	assert_slice(in, "1:extra");
}

static void test_split_without_the_separator_takes_everything(void **state)
{
	struct aipkg_slice in = sl("nginx"), head;

	assert_false(aipkg_slice_split(&in, ' ', &head));
	assert_slice(head, "nginx");
	assert_int_equal(in.len, 0);
	assert_false(aipkg_slice_split(&in, ' ', &head));
	assert_int_equal(head.len, 0);
}

static void test_split_at_the_edges_gives_empty_parts(void **state)
{
	struct aipkg_slice in = sl(":x:"), head;

	assert_true(aipkg_slice_split(&in, ':', &head));
	assert_slice(head, "");
	assert_true(aipkg_slice_split(&in, ':', &head));
	assert_slice(head, "x");
	assert_slice(in, "");
}

static void test_trim_drops_surrounding_blanks(void **state)
{
	assert_slice(aipkg_slice_trim(sl("  \tnginx \r\n")), "nginx");
	assert_slice(aipkg_slice_trim(sl("a b")), "a b");
	assert_slice(aipkg_slice_trim(sl(" \t\r ")), "");
	assert_slice(aipkg_slice_trim(sl("")), "");
	assert_slice(aipkg_slice_trim(sl("line\r")), "line");
}

static void test_eq_compares_whole_slices(void **state)
{
	struct aipkg_slice s = { "nginx-doc", 5 };

	assert_true(aipkg_slice_eq(s, "nginx"));
	assert_false(aipkg_slice_eq(s, "nginx-doc"));
	assert_false(aipkg_slice_eq(s, "ngin"));
	assert_true(aipkg_slice_eq(sl(""), ""));
	assert_false(aipkg_slice_eq(sl(""), "x"));
}

static void test_starts_with_is_bounded_by_the_slice(void **state)
{
	struct aipkg_slice s = { "ERROR: x", 5 };

	assert_true(aipkg_slice_starts_with(s, "ERROR"));
	assert_false(aipkg_slice_starts_with(s, "ERROR:"));
	assert_true(aipkg_slice_starts_with(s, ""));
	assert_false(aipkg_slice_starts_with(sl(""), "E"));
}

static void test_dup_makes_a_terminated_copy(void **state)
{
	struct aipkg_slice s = { "nginx-doc", 5 };
	char *d = aipkg_slice_dup(s), *e = aipkg_slice_dup(sl(""));

	assert_string_equal(d, "nginx");
	assert_string_equal(e, "");
	free(d);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_new_buffer_reads_as_empty_string),
		cmocka_unit_test(test_appends_keep_a_terminating_nul),
		cmocka_unit_test(test_adding_nothing_still_gives_a_string),
		cmocka_unit_test(test_many_appends_grow_the_buffer),
		cmocka_unit_test(test_addf_formats_and_appends),
		cmocka_unit_test(test_addf_of_a_long_string),
		cmocka_unit_test(test_reset_and_truncate_shorten_in_place),
		cmocka_unit_test(test_appending_up_to_the_limit_works),
		cmocka_unit_test(test_appending_past_the_limit_fails_and_changes_nothing),
		cmocka_unit_test(test_an_absurd_reservation_is_too_big_not_a_crash),
		cmocka_unit_test(test_detach_hands_over_the_string),
		cmocka_unit_test(test_detach_of_an_empty_buffer_is_an_empty_string),
		cmocka_unit_test(test_read_file_appends_the_whole_file),
		cmocka_unit_test(test_read_of_an_empty_file_gives_an_empty_string),
		cmocka_unit_test(test_read_file_that_is_missing_is_enoent),
		cmocka_unit_test(test_read_of_a_fifo_is_refused_at_once),
		cmocka_unit_test(test_read_of_a_directory_is_an_errno),
		cmocka_unit_test(test_a_file_exactly_at_the_limit_is_read),
		cmocka_unit_test(test_a_file_larger_than_the_limit_is_too_big_and_changes_nothing),
		cmocka_unit_test(test_a_small_limit_is_never_overrun_by_a_read),
		cmocka_unit_test(test_read_fd_reads_a_pipe_to_its_end),
		cmocka_unit_test(test_slice_of_a_buffer_borrows_its_bytes),
		cmocka_unit_test(test_next_line_splits_lines_without_newlines),
		cmocka_unit_test(test_next_line_returns_a_last_line_without_newline),
		cmocka_unit_test(test_next_line_of_nothing_is_the_end),
		cmocka_unit_test(test_split_at_a_separator),
		cmocka_unit_test(test_split_without_the_separator_takes_everything),
		cmocka_unit_test(test_split_at_the_edges_gives_empty_parts),
		cmocka_unit_test(test_trim_drops_surrounding_blanks),
		cmocka_unit_test(test_eq_compares_whole_slices),
		cmocka_unit_test(test_starts_with_is_bounded_by_the_slice),
		cmocka_unit_test(test_dup_makes_a_terminated_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
