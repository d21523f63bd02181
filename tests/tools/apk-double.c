/* apk-double: a test double of apk that works on the real file formats under --root. */
/* SPDX-License-Identifier: MIT */

/*
 * usage: apk-double [global options] APPLET [options] [--] ARGS...
 *
 * Behaves like apk-tools 2.14.4 (or 3.0.6 with APK_DOUBLE_MAJOR=3) for
 * what aipkg uses: add, del, upgrade, update, fix, fetch, version, search,
 * info, list and policy, with apk's messages, progress lines, error reports
 * and exit codes.  It reads and writes ROOT/etc/apk/world,
 * ROOT/lib/apk/db/installed (apk's format, file lines included), the
 * repositories' APKINDEX.tar.gz (local directories, file:// or http(s)://
 * through libcurl, cached under ROOT/var/cache/apk with apk's names), and
 * extracts the packages' data into ROOT with their modes.
 *
 * Environment:
 *   APK_DOUBLE_MAJOR=3      mimic apk 3.0.6 (version string, sizes in the
 *                           OK line, simulate totals, some messages)
 *   APK_DOUBLE_VERSION=V    claim apk-tools V ("2.14.0", "2.10.6", "3.0.6";
 *                           its major wins over APK_DOUBLE_MAJOR) and name
 *                           the cached indexes as that version does
 *   APK_DOUBLE_ROOT=DIR     the root when no --root is given; without
 *                           either the double refuses to run rather than
 *                           touch the host's /
 *   APK_DOUBLE_DELAY=SECS   sleep after each applied change, once the
 *                           installed db names it (tests kill -9 there)
 *   APK_DOUBLE_FAIL_AT=N    apply N changes, then fail the next one with
 *                           "ERROR: NAME-VER: IO ERROR", stop, write the
 *                           world and the installed db (the first N
 *                           applied) and end with "1 error; ..." (exit 1),
 *                           as an apk failing mid-commit does
 *   APK_DOUBLE_LOG=FILE     append each command line (argv joined by
 *                           spaces, one line) to FILE
 *
 * aipkg remembers an apk's version per binary (path, size, times, inode):
 * to mimic the other major on a root that has seen this one, use a copy of
 * the binary.
 *
 * The package cache is apk's: with the cache directory active
 * (ROOT/etc/apk/cache or --cache-dir DIR is a directory, DIR relative to
 * the root; apk 3 also --cache-packages into ROOT/var/cache/apk) a package
 * is read from NAME-VERSION.HASH.apk there when present, and one that was
 * downloaded or named as a file is stored there once installed (never one
 * from a local repository); apk 2 then also writes the cache's "installed"
 * (the installed packages no repository has).  Indexes are cached in that
 * directory, else in ROOT/var/cache/apk.
 *
 * Like apk, --progress-fd FD gets "DONE/TOTAL" lines as a commit goes
 * ("DONE/TOTAL install" with APK_DOUBLE_MAJOR=3), counted in bytes of the
 * packages, and SIGINT ends it with exit 130 (apk's handler).
 *
 * Like apk, fetch takes names only ("fetch nginx=1.2" fails: apk 2.14 and
 * 3.0 both say "unable to select package") and takes the newest version.
 *
 * Like apk, a package no repository has is taken from the cache directory
 * (--cache-dir, else ROOT/var/cache/apk) when NAME-VERSION.<identity>.apk
 * is there, and a file under etc/ the administrator changed is not
 * overwritten: the package's version goes to FILE.apk-new (apk 3 says
 * "Installing file to ...").
 *
 * Known differences from apk: an index's signature is verified (with
 * aipkg's reader) but a package's is not (it counts as signed when it has
 * a .SIGN.* member); an index with a BAD signature is not loaded at all
 * (apk 2.14 and 3.0 still list its packages in search); no scripts,
 * triggers, audit, cache applet, self-upgrade of apk-tools; protected paths
 * are only apk's built-in etc/ ones, and a removal deletes changed
 * configuration too; the solver is simpler (it agrees
 * with apk on the fixtures and ordinary repositories, error counts of tangled
 * conflicts may differ); apk 2's lax version parsing ("version -t 1.0 x") is
 * not reproduced; virtual packages' identities differ (apk hashes its pid).
 */
#include <fnmatch.h>
#include <signal.h>
#include <sys/utsname.h>

#include "apk/index.h"
#include "double-commit.h"

enum applet {
	A_NONE,
	A_ADD,
	A_DEL,
	A_UPGRADE,
	A_UPDATE,
	A_FIX,
	A_FETCH,
	A_VERSION,
	A_SEARCH,
	A_INFO,
	A_LIST,
	A_POLICY,
};

static const char *const applet_names[] = {
    "",	     "add",	"del",	  "upgrade", "update", "fix",
    "fetch", "version", "search", "info",    "list",   "policy",
};

/* Which applets take the commit options (-s/--simulate and friends). */
#define COMMIT_APPLETS ((1u << A_ADD) | (1u << A_DEL) | (1u << A_UPGRADE) | (1u << A_FIX))

enum opt_id {
	O_IGNORED,
	O_ALLOW_UNTRUSTED,
	O_ARCH,
	O_CACHE_DIR,
	O_CACHE_PACKAGES,
	O_HELP,
	O_NO_CACHE,
	O_NO_NETWORK,
	O_PRINT_ARCH,
	O_QUIET,
	O_REPOSITORY,
	O_ROOT,
	O_UPDATE_CACHE,
	O_VERBOSE,
	O_VERSION,
	O_WAIT,
	O_PROGRESS_FD,
	O_INITDB,
	O_SIMULATE,
	/* add */ O_UPGRADE_FLAG,
	O_LATEST,
	O_VIRTUAL,
	/* del */ O_RDEPENDS,
	/* upgrade */ O_AVAILABLE,
	O_IGNORE,
	O_PRUNE,
	O_SELF_ONLY,
	/* fix */ O_REINSTALL,
	/* fetch */ O_OUTPUT,
	O_RECURSIVE,
	O_STDOUT,
	O_LINK,
	O_URL,
	O_WORLD,
	/* version */ O_ALL,
	O_CHECK,
	O_LIMIT,
	O_TEST,
	O_INDEXES,
	/* search */ O_DESCRIPTION,
	O_EXACT,
	O_ORIGIN,
	O_HAS_ORIGIN,
	/* info */ O_CONTENTS,
	O_DEPENDS,
	O_INSTALLED,
	O_LICENSE,
	O_PROVIDES,
	O_SIZE,
	O_WEBPAGE,
	O_INSTALL_IF,
	O_WHO_OWNS,
	/* list */ O_UPGRADABLE,
};

struct option_def {
	int applet; /* 0: global, -1: commit options, else the applet */
	const char *name;
	char shortopt;
	bool arg;
	enum opt_id id;
};

static const struct option_def options[] = {
    {0, "allow-untrusted", 0, false, O_ALLOW_UNTRUSTED},
    {0, "arch", 0, true, O_ARCH},
    {0, "cache-dir", 0, true, O_CACHE_DIR},
    {0, "cache-max-age", 0, true, O_IGNORED},
    {0, "cache-packages", 0, false, O_CACHE_PACKAGES}, /* apk 3 only */
    {0, "force", 'f', false, O_IGNORED},
    {0, "force-binary-stdout", 0, false, O_IGNORED},
    {0, "force-broken-world", 0, false, O_IGNORED},
    {0, "force-missing-repositories", 0, false, O_IGNORED},
    {0, "force-non-repository", 0, false, O_IGNORED},
    {0, "force-old-apk", 0, false, O_IGNORED},
    {0, "force-overwrite", 0, false, O_IGNORED},
    {0, "force-refresh", 0, false, O_IGNORED},
    {0, "help", 'h', false, O_HELP},
    {0, "interactive", 'i', false, O_IGNORED},
    {0, "keys-dir", 0, true, O_IGNORED},
    {0, "no-cache", 0, false, O_NO_CACHE},
    {0, "no-check-certificate", 0, false, O_IGNORED},
    {0, "no-interactive", 0, false, O_IGNORED},
    {0, "no-logfile", 0, false, O_IGNORED},
    {0, "no-network", 0, false, O_NO_NETWORK},
    {0, "no-progress", 0, false, O_IGNORED},
    {0, "preserve-env", 0, false, O_IGNORED},
    {0, "print-arch", 0, false, O_PRINT_ARCH},
    {0, "progress", 0, false, O_IGNORED},
    {0, "progress-fd", 0, true, O_PROGRESS_FD},
    {0, "purge", 0, false, O_IGNORED},
    {0, "quiet", 'q', false, O_QUIET},
    {0, "repositories-file", 0, true, O_IGNORED},
    {0, "repository", 'X', true, O_REPOSITORY},
    {0, "root", 'p', true, O_ROOT},
    {0, "timeout", 0, true, O_IGNORED},
    {0, "update-cache", 'U', false, O_UPDATE_CACHE},
    {0, "verbose", 'v', false, O_VERBOSE},
    {0, "version", 'V', false, O_VERSION},
    {0, "wait", 0, true, O_WAIT},
    {0, "initdb", 0, false, O_INITDB},
    {-1, "simulate", 's', false, O_SIMULATE},
    {-1, "clean-protected", 0, false, O_IGNORED},
    {-1, "no-scripts", 0, false, O_IGNORED},
    {-1, "no-commit-hooks", 0, false, O_IGNORED},
    {-1, "initramfs-diskless-boot", 0, false, O_IGNORED},
    {A_ADD, "latest", 'l', false, O_LATEST},
    {A_ADD, "no-chown", 0, false, O_IGNORED},
    {A_ADD, "upgrade", 'u', false, O_UPGRADE_FLAG},
    {A_ADD, "virtual", 't', true, O_VIRTUAL},
    {A_DEL, "rdepends", 'r', false, O_RDEPENDS},
    {A_UPGRADE, "available", 'a', false, O_AVAILABLE},
    {A_UPGRADE, "ignore", 0, false, O_IGNORE},
    {A_UPGRADE, "latest", 'l', false, O_LATEST},
    {A_UPGRADE, "no-self-upgrade", 0, false, O_IGNORED},
    {A_UPGRADE, "prune", 0, false, O_PRUNE},
    {A_UPGRADE, "self-upgrade-only", 0, false, O_SELF_ONLY},
    {A_FIX, "depends", 'd', false, O_IGNORED},
    {A_FIX, "reinstall", 'r', false, O_REINSTALL},
    {A_FIX, "upgrade", 'u', false, O_UPGRADE_FLAG},
    {A_FIX, "xattr", 'x', false, O_IGNORED},
    {A_FIX, "directory-permissions", 0, false, O_IGNORED},
    {A_FETCH, "built-after", 0, true, O_IGNORED},
    {A_FETCH, "link", 'l', false, O_LINK},
    {A_FETCH, "recursive", 'R', false, O_RECURSIVE},
    {A_FETCH, "output", 'o', true, O_OUTPUT},
    {A_FETCH, "simulate", 0, false, O_SIMULATE},
    {A_FETCH, "stdout", 's', false, O_STDOUT},
    {A_FETCH, "url", 0, false, O_URL},
    {A_FETCH, "world", 'w', false, O_WORLD},
    {A_VERSION, "all", 'a', false, O_ALL},
    {A_VERSION, "check", 'c', false, O_CHECK},
    {A_VERSION, "indexes", 'I', false, O_INDEXES},
    {A_VERSION, "limit", 'l', true, O_LIMIT},
    {A_VERSION, "test", 't', false, O_TEST},
    {A_SEARCH, "all", 'a', false, O_ALL},
    {A_SEARCH, "description", 'd', false, O_DESCRIPTION},
    {A_SEARCH, "exact", 'e', false, O_EXACT},
    {A_SEARCH, "exact", 'x', false, O_EXACT},
    {A_SEARCH, "has-origin", 0, false, O_HAS_ORIGIN},
    {A_SEARCH, "origin", 'o', false, O_ORIGIN},
    {A_SEARCH, "rdepends", 'r', false, O_RDEPENDS},
    {A_INFO, "all", 'a', false, O_ALL},
    {A_INFO, "contents", 'L', false, O_CONTENTS},
    {A_INFO, "depends", 'R', false, O_DEPENDS},
    {A_INFO, "description", 'd', false, O_DESCRIPTION},
    {A_INFO, "install-if", 0, false, O_INSTALL_IF},
    {A_INFO, "installed", 'e', false, O_INSTALLED},
    {A_INFO, "license", 0, false, O_LICENSE},
    {A_INFO, "provides", 'P', false, O_PROVIDES},
    {A_INFO, "rdepends", 'r', false, O_RDEPENDS},
    {A_INFO, "size", 's', false, O_SIZE},
    {A_INFO, "webpage", 'w', false, O_WEBPAGE},
    {A_INFO, "who-owns", 'W', false, O_WHO_OWNS},
    {A_LIST, "available", 'a', false, O_AVAILABLE},
    {A_LIST, "installed", 'I', false, O_INSTALLED},
    {A_LIST, "depends", 'd', false, O_DEPENDS},
    {A_LIST, "origin", 'o', false, O_ORIGIN},
    {A_LIST, "orphaned", 'O', false, O_IGNORED},
    {A_LIST, "providers", 'P', false, O_PROVIDES},
    {A_LIST, "upgradable", 'u', false, O_UPGRADABLE},
    {A_LIST, "upgradeable", 0, false, O_UPGRADABLE},
};

#define NOPTS (sizeof(options) / sizeof(options[0]))

/* What the command line asked for. */
static struct cmdline {
	enum applet applet;
	char **args;
	size_t nargs;
	bool seen[O_UPGRADABLE + 1];
	const char *root, *arch, *cache_dir, *virtual_name, *output, *limit;
	char **repos;
	size_t nrepos, crepos;
	double wait;
	bool wait_set;
} cl;

static const char *progname = "apk-double";

static void print_version(void)
{
	printf("apk-tools %s, compiled for x86_64.\n", db.version);
}

static int usage(int code)
{
	print_version();
	printf("\nusage: apk %s%s[<OPTIONS>...] %s\n", cl.applet ? applet_names[cl.applet] : "",
	       cl.applet ? " " : "", cl.applet ? "ARGS..." : "COMMAND [<ARGUMENTS>...]");
	return code;
}

static int bad_option(const char *what, const char *name)
{
	if (db.major >= 3) {
		err("command line: %s '%s'", what, name);
		return 1;
	}
	fprintf(stderr, "%s: %s: %s\n", progname, what, name);
	return usage(1);
}

static const struct option_def *find_option(const char *lng, char sh)
{
	/* the applet's own options first: "fetch -s" is --stdout */
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < NOPTS; i++) {
			const struct option_def *o = &options[i];
			bool group = pass == 0 ? o->applet > 0 && o->applet == (int)cl.applet
				     : pass == 1
					 ? o->applet == -1 && ((COMMIT_APPLETS >> cl.applet) & 1)
					 : o->applet == 0;
			if (o->id == O_CACHE_PACKAGES && db.major < 3)
				continue;
			if (group && (lng ? !strcmp(o->name, lng) : o->shortopt == sh))
				return o;
		}
	return NULL;
}

static void take_option(const struct option_def *o, const char *arg)
{
	cl.seen[o->id] = true;
	switch (o->id) {
	case O_ARCH:
		cl.arch = arg;
		break;
	case O_CACHE_DIR:
		cl.cache_dir = arg;
		break;
	case O_ROOT:
		cl.root = arg;
		break;
	case O_VIRTUAL:
		cl.virtual_name = arg;
		break;
	case O_OUTPUT:
		cl.output = arg;
		break;
	case O_LIMIT:
		cl.limit = arg;
		break;
	case O_QUIET:
		db.verbosity--;
		break;
	case O_VERBOSE:
		db.verbosity++;
		break;
	case O_PROGRESS_FD:
		db.progress_fd = atoi(arg);
		break;
	case O_WAIT:
		cl.wait = strtod(arg, NULL);
		cl.wait_set = true;
		break;
	case O_REPOSITORY:
		*(const char **)xgrow(&cl.repos, &cl.crepos, cl.nrepos++, sizeof(char *)) = arg;
		break;
	default:
		break;
	}
}

/* apk finds the applet first: the first word naming one (deduce_applet). */
static enum applet find_applet(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		for (int a = 1; a <= A_POLICY; a++)
			if (argv[i][0] != '-' && !strcmp(argv[i], applet_names[a]))
				return (enum applet)a;
	}
	return A_NONE;
}

static void add_arg(char *a)
{
	static size_t cap;

	*(char **)xgrow(&cl.args, &cap, cl.nargs++, sizeof(char *)) = a;
}

/* Parse like apk's getopt_long: options anywhere, "--" ends them. */
static int parse_cmdline(int argc, char **argv)
{
	bool dashdash = false;

	cl.applet = find_applet(argc, argv);
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (dashdash || a[0] != '-' || !a[1]) {
			add_arg(a);
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		if (a[1] == '-') {
			char *eq = strchr(a + 2, '='),
			     *name = eq ? xstrndup(a + 2, (size_t)(eq - a - 2)) : xstrdup(a + 2);
			const struct option_def *o = find_option(name, 0);
			int r = 0;

			if (!o)
				r = bad_option("unrecognized option", name);
			else if (o->arg && !eq && i + 1 >= argc)
				r = bad_option("option requires an argument", name);
			else
				take_option(o, o->arg ? (eq ? eq + 1 : argv[++i]) : NULL);
			free(name); /* LeakSanitizer at exit: SIGABRT under run-all's abort_on_error */
			if (r)
				return r;
			continue;
		}
		for (char *s = a + 1; *s; s++) {
			const struct option_def *o = find_option(NULL, *s);
			char opt[2] = {*s, 0};
			if (!o)
				return bad_option("unrecognized option", opt);
			if (!o->arg) {
				take_option(o, NULL);
				continue;
			}
			if (s[1]) {
				take_option(o, s + 1);
			} else {
				if (i + 1 >= argc)
					return bad_option("option requires an argument", opt);
				take_option(o, argv[++i]);
			}
			break;
		}
	}
	/* the applet's own name is not an argument */
	if (cl.applet && cl.nargs && !strcmp(cl.args[0], applet_names[cl.applet])) {
		memmove(cl.args, cl.args + 1, (cl.nargs - 1) * sizeof(char *));
		cl.nargs--;
	}
	return 0;
}

static void log_argv(int argc, char **argv)
{
	const char *path = getenv("APK_DOUBLE_LOG");
	struct aipkg_buf b = AIPKG_BUF_INIT;
	int fd;

	if (!path || !*path)
		return;
	for (int i = 0; i < argc; i++)
		bprintf(&b, "%s%s", i ? " " : "", argv[i]);
	bputs(&b, "\n");
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)write_all(fd, b.data, b.len);
		close(fd);
	}
	aipkg_buf_release(&b);
}

/* ---- opening the database ---- */

static int open_failed(const char *what, int e)
{
	err("%s: %s", what, apk_strerror(e));
	/* apk 3 stops at the first line when the root itself is missing */
	if (db.major < 3 || strcmp(what, "Unable to open root"))
		err("Failed to open apk database: %s", apk_strerror(e));
	return 99;
}

static void alarm_noop(int sig)
{
	(void)sig;
}

/* flock lib/apk/db/lock as apk does, waiting up to --wait seconds. */
static int take_lock(void)
{
	char *path = root_path("lib/apk/db/lock");
	int e;

	db.lock_fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	free(path);
	if (db.lock_fd < 0)
		return open_failed("Unable to lock database", errno);
	if (flock(db.lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	e = errno;
	if (!cl.wait_set || cl.wait <= 0)
		return open_failed("Unable to lock database", e == EWOULDBLOCK ? EAGAIN : e);
	msg("Waiting for repository lock");
	struct sigaction sa = {.sa_handler = alarm_noop};
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)(cl.wait + 0.999));
	if (flock(db.lock_fd, LOCK_EX) < 0)
		return open_failed("Unable to lock database", errno);
	alarm(0);
	return 0;
}

static void write_if_missing(const char *rel, const void *data, size_t len)
{
	char *path = root_path(rel);

	if (!path_exists(path) && file_write_atomic(path, data, len, 0644) < 0)
		die("cannot create %s: %s", path, strerror(errno));
	free(path);
}

/* apk --initdb: the directories and empty database files. */
static void init_db(void)
{
	static const char *dirs[] = {"etc/apk", "lib/apk/db", "var/cache/apk", "tmp"};
	struct aipkg_buf scripts = AIPKG_BUF_INIT, gz = AIPKG_BUF_INIT;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = root_path(dirs[i]);
		if (mkdir_p(p, 0755) < 0)
			die("cannot create %s: %s", p, strerror(errno));
		free(p);
	}
	tar_end(&scripts);
	write_if_missing("lib/apk/db/installed", "", 0);
	write_if_missing("lib/apk/db/triggers", "", 0);
	if (db.major >= 3) {
		gzip_member(scripts.data, scripts.len, &gz);
		write_if_missing("lib/apk/db/scripts.tar.gz", gz.data, gz.len);
	} else {
		write_if_missing("lib/apk/db/scripts.tar", scripts.data, scripts.len);
	}
	write_if_missing("etc/apk/world", "\n", 1);
	aipkg_buf_release(&scripts);
	aipkg_buf_release(&gz);
}

static void read_arch(bool write)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *path = root_path("etc/apk/arch");

	if (cl.arch) {
		db.arch = xstrdup(cl.arch);
		if (write && cl.root) {
			char *text = xasprintf("%s\n", db.arch);
			(void)file_write_atomic(path, text, strlen(text), 0644);
			free(text);
		}
	} else if (file_read(path, &b) == 0 && b.len) {
		db.arch = aipkg_slice_dup(aipkg_slice_trim(aipkg_slice_of(&b)));
		if (!db.arch)
			die("out of memory");
	} else {
		db.arch = xstrdup("x86_64");
		if (write)
			(void)file_write_atomic(path, "x86_64\n", 7, 0644);
	}
	free(path);
	aipkg_buf_release(&b);
}

static void read_installed(void)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *path = root_path("lib/apk/db/installed");

	if (file_read(path, &b) == 0 && b.len)
		parse_records(b.data, -1);
	free(path);
	aipkg_buf_release(&b);
}

static void read_world(void)
{
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *path = root_path("etc/apk/world"), *s;

	if (file_read(path, &b) == 0) {
		for (s = b.data ? b.data : ""; *s;) {
			size_t l = strcspn(s, " \t\n");
			struct dep d;
			if (l && dep_parse(s, l, &d))
				deps_add(&db.world, &d);
			s += l;
			s += strspn(s, " \t\n");
		}
	}
	free(path);
	aipkg_buf_release(&b);
}

/* Parse an APKINDEX.tar.gz into repository R, checking its signature
 * against ROOT/etc/apk/keys with aipkg's own reader (which does it as apk
 * does); NULL or apk's reason. */
static const char *load_index(const struct aipkg_buf *file, size_t r)
{
	struct aipkg_buf text = AIPKG_BUF_INIT, desc = AIPKG_BUF_INIT;
	struct aipkg_keyring keys;
	struct aipkg_apkindex_read rd = {&text, &desc, &keys, AIPKG_TRUST_UNCHECKED, ""};
	const char *why = NULL;
	char empty[1] = "";

	if (aipkg_keyring_load(db.root, &keys) < 0)
		die("out of memory");
	if (aipkg_apkindex_read(file->data, file->len, &rd) < 0)
		why = "BAD archive";
	else if (rd.trust == AIPKG_TRUST_BAD)
		why = "BAD signature";
	else if (rd.trust != AIPKG_TRUST_OK && !db.allow_untrusted)
		why = "UNTRUSTED signature";
	else if (!parse_records(text.len ? text.data : empty, (int)r))
		why = "BAD archive";
	if (!why && desc.len)
		db.repos[r].desc = xstrndup(desc.data, desc.len);
	aipkg_keyring_release(&keys);
	aipkg_buf_release(&text);
	aipkg_buf_release(&desc);
	return why;
}

static struct {
	int unavailable, stale;
} repo_stats;

static const char *download_error(int e)
{
	static char buf[64];

	if (db.major < 3 && e == -ECONNREFUSED)
		return "could not connect to server (check repositories file)";
	if (db.major >= 3 && download_status >= 400) {
		snprintf(buf, sizeof(buf), "HTTP %ld: %s", download_status,
			 download_status == 404	  ? "Not Found"
			 : download_status == 403 ? "Forbidden"
			 : download_status == 500 ? "Internal Server Error"
						  : "Error");
		return buf;
	}
	return apk_strerror(-e);
}

/* A remote index: refresh the cached copy when asked or stale.  One
 * warning names what failed, as apk's does. */
static int remote_index(size_t r, struct aipkg_buf *file, bool force)
{
	struct repo *rp = &db.repos[r];
	struct stat st;
	bool have = stat(rp->cache, &st) == 0;
	bool refresh = force || !have || st.st_mtime + 4 * 3600 < time(NULL);
	const char *where = db.major >= 3 ? rp->index_url : rp->url;
	int e = 0;

	if (db.no_network)
		refresh = false;
	if (refresh || db.no_cache) {
		struct aipkg_buf dl = AIPKG_BUF_INIT;
		if (db.major < 3)
			msg("fetch %s", rp->index_url);
		e = download(rp->index_url, &dl);
		if (e == 0 && db.no_cache) {
			*file = dl;
			return 0;
		}
		if (e == 0 && !db.simulate) {
			(void)mkdir_p(db.cache_dir, 0755);
			e = file_write_atomic(rp->cache, dl.data, dl.len, 0644);
		}
		aipkg_buf_release(&dl);
	}
	if (file_read(rp->cache, file) < 0) {
		if (e < 0)
			warn("updating and opening %s: %s", where, download_error(e));
		else
			warn("opening from cache %s: %s", where, apk_strerror(ENOENT));
		/* apk 2 counts a missing remote index twice */
		repo_stats.unavailable += db.major < 3 ? 2 : 1;
		return -1;
	}
	if (e < 0) {
		warn("updating %s: %s", where, download_error(e));
		repo_stats.stale++;
	}
	return 0;
}

static void load_repo(size_t r, bool force)
{
	struct repo *rp = &db.repos[r];
	struct aipkg_buf file = AIPKG_BUF_INIT;
	const char *why;

	if (rp->remote) {
		if (remote_index(r, &file, force) < 0)
			goto out;
	} else if (file_read(url_local_path(rp->index_url), &file) < 0) {
		warn("opening %s: %s", db.major >= 3 ? rp->index_url : rp->url, strerror(errno));
		goto out;
	}
	if ((why = load_index(&file, r))) {
		warn("opening %s: %s", db.major >= 3 ? rp->index_url : rp->url, why);
		if (rp->remote)
			repo_stats.unavailable++;
		goto out;
	}
	rp->ok = true;
	db.tags[rp->tag].allowed |= 1u << r;
	if (!rp->remote || !db.no_network)
		db.available |= 1u << r;
	if (!rp->remote)
		db.local |= 1u << r;
out:
	aipkg_buf_release(&file);
}

static void add_repos(struct aipkg_repo *repos, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct repo *rp;
		size_t k;
		for (k = 0; k < db.nrepos && strcmp(db.repos[k].url, repos[i].url); k++)
			;
		if (k < db.nrepos || db.nrepos >= 31)
			continue;
		db.repos = xrealloc(db.repos, (db.nrepos + 1) * sizeof(*db.repos));
		rp = &db.repos[db.nrepos++];
		memset(rp, 0, sizeof(*rp));
		rp->url = xstrdup(repos[i].url);
		rp->tag = repos[i].tag ? tag_get(repos[i].tag, strlen(repos[i].tag)) : 0;
		rp->remote = url_is_remote(rp->url);
		rp->index_url = aipkg_repo_index_url(&repos[i], db.arch, db.major);
		if (!rp->index_url)
			die("out of memory");
		if (rp->remote) {
			char *name = aipkg_repo_cache_file(&repos[i], db.arch,
							   aipkg_cache_naming_of(db.version));
			rp->cache =
			    xasprintf("%s/%s", db.cache_dir, name ? name : "APKINDEX.tar.gz");
			free(name);
		}
	}
}

static void read_repos(bool force)
{
	struct aipkg_repo *repos = NULL;
	size_t n = 0;
	struct aipkg_buf b = AIPKG_BUF_INIT;
	char *path = root_path("etc/apk/repositories"), *dir;
	char **lists;
	size_t nlists;

	for (size_t i = 0; i < cl.nrepos; i++)
		if (aipkg_repos_add_cli(cl.repos[i], &repos, &n) < 0)
			die("bad repository '%s'", cl.repos[i]);
	(void)file_read(path, &b);
	dir = root_path("etc/apk/repositories.d");
	lists = dir_list(dir, ".list", &nlists);
	for (size_t i = 0; i < nlists; i++) {
		char *p = xasprintf("%s/%s", dir, lists[i]);
		bputs(&b, "\n");
		(void)file_read(p, &b);
		free(p);
		free(lists[i]);
	}
	free(lists);
	if (b.len && aipkg_repos_parse(aipkg_buf_str(&b), &repos, &n) < 0)
		warn("%s: cannot parse", path);
	add_repos(repos, n);
	aipkg_repos_free(repos, n);
	for (size_t r = 0; r < db.nrepos; r++)
		load_repo(r, force);
	free(path);
	free(dir);
	aipkg_buf_release(&b);
}

enum { OPEN_WRITE = 1, OPEN_NO_STATE = 2, OPEN_NO_REPOS = 4, OPEN_FORCE_UPDATE = 8 };

/* The cache, as apk's setup: --cache-dir or etc/apk/cache (relative to
 * the root, as apk opens it: an absolute link there is followed on the
 * host), active when it is a directory; else the static ROOT/var/cache/apk,
 * which apk 3 fills only with --cache-packages. */
static int open_cache(void)
{
	const char *dir = cl.cache_dir ? cl.cache_dir : "etc/apk/cache";
	char *path = dir[0] == '/' ? xstrdup(dir) : root_path(dir);
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		db.cache_dir = path;
		db.cache_packages = true;
		return 0;
	}
	free(path);
	if (db.major >= 3 && cl.cache_dir) {
		err("Unable to setup the cache");
		return 1;
	}
	db.cache_dir = root_path("var/cache/apk");
	db.cache_packages = db.major >= 3 && cl.seen[O_CACHE_PACKAGES];
	return 0;
}

static int open_db(unsigned flags)
{
	struct stat st;
	int r;
	const char *root = cl.root ? cl.root : getenv("APK_DOUBLE_ROOT");
	size_t l;

	if (!root || !*root)
		die("refusing to work on the host's / (give --root or set APK_DOUBLE_ROOT)");
	db.root = xstrdup(root);
	l = strlen(db.root);
	while (l > 1 && db.root[l - 1] == '/')
		db.root[--l] = '\0';
	if (db.initdb && (flags & OPEN_WRITE)) {
		if (mkdir_p(db.root, 0755) < 0)
			return open_failed("Unable to open root", errno);
		init_db();
	}
	if (stat(db.root, &st) < 0)
		return open_failed("Unable to open root", errno);
	if ((r = open_cache()))
		return r;
	if ((flags & OPEN_WRITE) && !db.simulate && (r = take_lock()))
		return r;
	read_arch((flags & OPEN_WRITE) && !db.simulate);
	if (!(flags & OPEN_NO_STATE)) {
		read_installed();
		read_world();
	}
	if (!(flags & OPEN_NO_REPOS))
		read_repos((flags & OPEN_FORCE_UPDATE) || db.update_cache);
	rdeps_rebuild();
	return 0;
}

/* ---- add, del, upgrade, fix ---- */

/* The world an applet works on and its change list, kept global so that
 * everything stays reachable to the end (the double frees little). */
static struct deps work;
static struct changeset cset;

static struct deps *work_world(void)
{
	work.n = 0;
	for (size_t i = 0; i < db.world.n; i++)
		deps_add(&work, &db.world.v[i]);
	return &work;
}

static int solve_and_commit(struct deps *world, unsigned flags)
{
	solve(world, flags);
	changeset_generate(&cset, world);
	if (cset.errors) {
		print_errors(&cset, world);
		return cset.errors;
	}
	return commit(&cset, world);
}

/* A virtual package (add --virtual NAME): its version is the time. */
static struct pkg *make_virtual(const char *spec, const struct deps *deps)
{
	struct dep d;
	struct pkg *p;
	char ver[32], csum[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!dep_parse(spec, strlen(spec), &d) || d.conflict || (d.version && d.mask != V_EQUAL)) {
		err("%s: bad package specifier", spec);
		return NULL;
	}
	if (!d.version) {
		gmtime_r(&now, &tm);
		strftime(ver, sizeof(ver), "%Y%m%d.%H%M%S", &tm);
		d.version = intern_str(ver);
		d.mask = V_EQUAL;
	}
	p = pkg_new();
	p->name = d.name;
	p->version = d.version;
	p->desc = "virtual meta package";
	p->arch = "noarch";
	p->is_virtual = true;
	char *seed = xasprintf("%d %s %s", (int)getpid(), d.name->s, d.version);
	q1_checksum(seed, strlen(seed), csum);
	free(seed);
	p->csum = intern_str(csum);
	p->depends = *deps;
	p = pkg_add(p);
	deps_set(&db.world, &d);
	d.name->sflags |= cl.seen[O_UPGRADE_FLAG] ? SF_UPGRADE : 0;
	return p;
}

/* A package file named on the command line ("apk add ./x.apk"). */
static struct pkg *add_file_pkg(const char *path, struct dep *d)
{
	struct archive a = {0};
	char *info = NULL, val[4096];
	const char *why;
	struct pkg *p;

	if (file_read(path, &a.file) < 0) {
		err("%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((why = archive_open(&a, NULL, &info))) {
		err("%s: %s", path, why);
		free(info);
		archive_release(&a);
		return NULL;
	}
	p = pkg_new();
	static const struct {
		const char *key;
		char field;
	} keys[] = {
	    {"pkgname", 'P'},	 {"pkgver", 'V'},    {"pkgdesc", 'T'}, {"url", 'U'},
	    {"size", 'I'},	 {"license", 'L'},   {"arch", 'A'},    {"origin", 'o'},
	    {"maintainer", 'm'}, {"builddate", 't'}, {"commit", 'c'},  {"provider_priority", 'k'},
	    {"install_if", 'i'},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (pkginfo_value(info, strlen(info), keys[i].key, val, sizeof(val)))
			pkg_field(p, keys[i].field, val);
	for (const char *l = info; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t ll = strcspn(l, "\n");
		char *line = xstrndup(l, ll);
		if (!strncmp(line, "depend = ", 9))
			deps_parse_list(&p->depends, line + 9);
		else if (!strncmp(line, "provides = ", 11))
			deps_parse_list(&p->provides, line + 11);
		free(line);
	}
	/* identity: the control member's SHA-1, as for repository packages;
	 * the control is the member before the data (after any signature) */
	struct gz_member m[4];
	struct aipkg_buf plain = AIPKG_BUF_INIT;
	char q1[32];
	int nm = gunzip_members(a.file.data, a.file.len, &plain, m, 4);
	int ctl = nm >= 2 && nm <= 4 ? nm - 2 : 0;
	q1_checksum(a.file.data + m[ctl].off, m[ctl].len, q1);
	aipkg_buf_release(&plain);
	p->csum = intern_str(q1);
	p->size = a.file.len;
	free(info);
	archive_release(&a);
	if (!p->name) {
		err("%s: BAD archive", path);
		return NULL;
	}
	*d = (struct dep){.name = p->name, .version = p->csum, .mask = DEPMASK_CHECKSUM};
	return p;
}

static int cmd_add(void)
{
	struct deps vdeps = {0};
	int r;

	/* apk edits a copy of the world; the double edits its own, which is
	 * only written when the change is committed */
	if ((r = open_db(OPEN_WRITE)))
		return r;
	for (size_t i = 0; i < cl.nargs; i++) {
		struct dep d;
		const char *a = cl.args[i];
		if (strstr(a, ".apk")) {
			struct pkg *p = add_file_pkg(a, &d);
			if (!p)
				return 99;
			p = pkg_add(p);
			p->file = a;
		} else if (!dep_parse(a, strlen(a), &d) || (cl.virtual_name && d.tag)) {
			err("'%s' is not a valid %s dependency, format is %s", a,
			    cl.virtual_name ? "child" : "world",
			    cl.virtual_name ? "name([<>~=]version)" : "name(@tag)([<>~=]version)");
			return 99;
		}
		if (cl.virtual_name) {
			deps_set(&vdeps, &d);
			continue;
		}
		deps_set(&db.world, &d);
		if (cl.seen[O_UPGRADE_FLAG]) {
			d.name->sflags |= SF_UPGRADE;
			d.name->sflags_inh |= SF_UPGRADE;
		}
	}
	if (cl.virtual_name) {
		if (!cl.nargs)
			warn("creating empty virtual package");
		if (!make_virtual(cl.virtual_name, &vdeps))
			return 99;
	}
	rdeps_rebuild();
	return solve_and_commit(&db.world, cl.seen[O_LATEST] ? SF_LATEST : 0);
}

static void del_pkg(struct deps *world, struct pkg *p, bool recursive)
{
	deps_del(world, p->name);
	if (!recursive || p->genid == db.genid)
		return;
	p->genid = db.genid;
	for (size_t i = 0; i < p->provides.n; i++)
		deps_del(world, p->provides.v[i].name);
	for (size_t i = 0; i < db.ninst; i++) {
		struct pkg *p0 = db.inst[i];
		for (size_t j = 0; j < p0->depends.n; j++)
			if (dep_analyze(&p0->depends.v[j], p) == DEP_SATISFIES) {
				del_pkg(world, p0, recursive);
				break;
			}
	}
}

struct not_deleted {
	struct indent i;
	struct name *name;
	bool header;
};

static void not_deleted_pkg(struct pkg *p0, const struct dep *d, void *ud);

static void print_not_deleted(struct pkg *p0, struct not_deleted *nd)
{
	if (!nd->header) {
		msg("World updated, but the following packages are not removed due to:");
		nd->header = true;
	}
	if (!nd->i.indent)
		ind_group(&nd->i, 0, "  %s:", nd->name->s);
	if (p0->name->in_world)
		ind_word(&nd->i, p0->name->s);
	for (size_t i = 0; i < p0->provides.n; i++)
		if (p0->provides.v[i].name->in_world)
			ind_word(&nd->i, p0->provides.v[i].name->s);
	foreach_rdep(p0, DEP_SATISFIES, false, not_deleted_pkg, nd);
}

static void not_deleted_pkg(struct pkg *p0, const struct dep *d, void *ud)
{
	print_not_deleted(p0, ud);
}

static int cmp_str_name(const void *a, const void *b)
{
	return name_cmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_del(void)
{
	struct deps *world;
	struct not_deleted nd = {.header = false};
	int r, errors = 0;

	if ((r = open_db(OPEN_WRITE)))
		return r;
	world = work_world();
	db.genid++;
	for (size_t i = 0; i < cl.nargs; i++) {
		struct name *n = name_find(cl.args[i]);
		struct pkg *p;
		if (!n) {
			err("No such package: %s", cl.args[i]);
			errors++;
			continue;
		}
		if ((p = installed_named(n)))
			del_pkg(world, p, cl.seen[O_RDEPENDS]);
		else
			deps_del(world, n);
	}
	if (errors)
		return errors;
	solve(world, 0);
	changeset_generate(&cset, world);
	if (cset.errors) {
		print_errors(&cset, world);
		return cset.errors;
	}
	for (size_t i = 0; i < cset.n; i++)
		if (cset.v[i].new)
			cset.v[i].new->marked = true;
	for (size_t i = 0; i < world->n; i++)
		world->v[i].name->in_world = true;
	if (cl.nargs)
		qsort(cl.args, cl.nargs, sizeof(char *), cmp_str_name);
	for (size_t i = 0; i < cl.nargs; i++) {
		nd.name = name_find(cl.args[i]);
		db.genid++;
		ind_init(&nd.i, stdout);
		for (size_t k = 0; k < nd.name->nprov; k++)
			if (nd.name->prov[k].pkg->marked)
				print_not_deleted(nd.name->prov[k].pkg, &nd);
		if (db.verbosity >= 1)
			ind_end(&nd.i);
	}
	if (nd.header)
		msg("%s", "");
	return commit(&cset, world);
}

static int cmd_upgrade(void)
{
	unsigned flags = SF_UPGRADE;
	int r, errors = 0;

	if ((r = open_db(OPEN_WRITE)))
		return r;
	if (repo_stats.unavailable || repo_stats.stale) {
		err("Not continuing due to stale/unavailable repositories.%s"
		    "Use --force-missing-repositories to continue.",
		    db.major >= 3 ? " " : "");
		return 99;
	}
	if (cl.seen[O_SELF_ONLY])
		return 0;
	if (cl.seen[O_LATEST])
		flags |= SF_LATEST;
	work.n = 0;
	for (size_t i = 0; i < db.world.n; i++) {
		struct dep d = db.world.v[i];
		if (cl.seen[O_AVAILABLE] && d.mask == DEPMASK_CHECKSUM) {
			d.mask = DEPMASK_ANY;
			d.version = NULL;
		}
		if (cl.seen[O_PRUNE]) {
			bool in_repo = false;
			for (size_t k = 0; k < d.name->nprov; k++)
				in_repo |= d.name->prov[k].pkg->repos != 0;
			if (!in_repo)
				continue;
		}
		deps_add(&work, &d);
	}
	if (cl.nargs) {
		if (!cl.seen[O_IGNORE])
			flags &= ~(unsigned)SF_UPGRADE;
		for (size_t i = 0; i < cl.nargs; i++) {
			struct name *n = name_find(cl.args[i]);
			if (!n) {
				err("Package '%s' not found", cl.args[i]);
				errors++;
				continue;
			}
			n->sflags |= cl.seen[O_IGNORE] ? SF_INSTALLED : SF_UPGRADE;
		}
		if (errors)
			return errors;
	}
	return solve_and_commit(&work, flags);
}

static int cmd_fix(void)
{
	unsigned flags =
	    (cl.seen[O_UPGRADE_FLAG] ? SF_UPGRADE : 0) | (cl.seen[O_REINSTALL] ? SF_REINSTALL : 0);
	int r, errors = 0;

	if ((r = open_db(OPEN_WRITE)))
		return r;
	if (!flags)
		flags = SF_REINSTALL;
	/* without names: the packages whose files did not all land */
	for (size_t i = 0; !cl.nargs && i < db.ninst; i++)
		if (db.inst[i]->broken && *db.inst[i]->broken)
			db.inst[i]->name->sflags |= flags;
	for (size_t i = 0; i < cl.nargs; i++) {
		struct name *n = name_find(cl.args[i]);
		if (!n) {
			err("Package '%s' not found", cl.args[i]);
			errors++;
			continue;
		}
		n->sflags |= flags;
	}
	if (errors)
		return errors;
	return solve_and_commit(work_world(), 0);
}

/* ---- update, fetch ---- */

static int cmd_update(void)
{
	size_t distinct = 0;
	int r;

	if ((r = open_db(OPEN_WRITE | OPEN_FORCE_UPDATE)))
		return r;
	r = repo_stats.unavailable + repo_stats.stale;
	if (db.verbosity < 1)
		return r;
	for (size_t i = 0; i < db.nrepos; i++)
		if (db.repos[i].ok && db.repos[i].desc)
			msg("%s [%s]", db.repos[i].desc, db.repos[i].url);
	for (size_t i = 0; i < db.npkgs; i++)
		distinct += !db.pkgs[i]->is_virtual;
	if (r)
		msg("%d unavailable, %d stale; %zu distinct packages available",
		    repo_stats.unavailable, repo_stats.stale, distinct);
	else
		msg("OK: %zu distinct packages available", distinct);
	return r;
}

static int fetch_one(struct pkg *p, int outfd)
{
	struct archive a = {0};
	char *name = xasprintf("%s-%s.apk", p->name->s, p->version);
	struct stat st;
	int r = 0, fd;

	if (!cl.seen[O_STDOUT] && fstatat(outfd, name, &st, 0) == 0 &&
	    (uint64_t)st.st_size == p->size)
		goto out;
	if (cl.seen[O_URL]) {
		int repo = pkg_repo(p);
		char *url = repo >= 0 ? pkg_url(p, repo) : xstrdup(name);
		msg("%s", url);
		free(url);
	} else {
		msg("Downloading %s", pkg_nv(p));
	}
	if (db.simulate)
		goto out;
	if ((r = pkg_get_file(p, &a, &(bool){false})) < 0) {
		err("%s: %s", pkg_nv(p), apk_strerror(-r));
		goto out;
	}
	if (cl.seen[O_STDOUT]) {
		r = write_all(STDOUT_FILENO, a.file.data, a.file.len);
	} else {
		fd = openat(outfd, name, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
		r = fd < 0 ? -errno : write_all(fd, a.file.data, a.file.len);
		if (fd >= 0)
			close(fd);
	}
	if (r < 0)
		err("%s: %s", pkg_nv(p), apk_strerror(-r));
out:
	archive_release(&a);
	free(name);
	return r < 0;
}

static void fetch_fail(const char *arg)
{
	char *name = xstrndup(arg, strcspn(arg, "<>=~"));

	if (!strchr(arg, '*'))
		msg("%s: unable to select package (or its dependencies)",
		    db.major >= 3 ? name : arg);
	free(name);
}

static int cmd_fetch(void)
{
	struct pkg **sel = NULL;
	size_t nsel = 0, csel = 0;
	int r, errors = 0, outfd = AT_FDCWD;

	db.simulate = cl.seen[O_SIMULATE];
	if ((r = open_db(cl.seen[O_WORLD] ? 0 : OPEN_NO_STATE)))
		return r;
	if (cl.output && (outfd = open(cl.output, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err("%s: %s", cl.output, strerror(errno));
		return 1;
	}
	if (cl.seen[O_RECURSIVE] || cl.seen[O_WORLD]) {
		struct deps *world = cl.seen[O_WORLD] ? work_world() : &work;
		for (size_t i = 0; i < cl.nargs; i++) {
			struct name *n = name_find(cl.args[i]);
			if (!n) {
				fetch_fail(cl.args[i]);
				errors++;
				continue;
			}
			struct dep d = {.name = n, .mask = DEPMASK_ANY};
			deps_set(world, &d);
		}
		if (errors)
			return errors;
		solve(world, 0);
		changeset_generate(&cset, world);
		if (cset.errors) {
			print_errors(&cset, world);
			return 1;
		}
		for (size_t i = 0; i < cset.n; i++)
			if (cset.v[i].new && !cset.v[i].new->is_virtual)
				*(struct pkg **)xgrow(&sel, &csel, nsel++, sizeof(*sel)) =
				    cset.v[i].new;
	} else {
		for (size_t i = 0; i < cl.nargs; i++) {
			struct name *n = name_find(cl.args[i]);
			struct pkg *best = NULL;
			for (size_t k = 0; n && k < n->nprov; k++) {
				struct pkg *p = n->prov[k].pkg;
				if (!p->repos)
					continue;
				if (!best || (p->name == n && best->name != n) ||
				    version_cmp(p->version, best->version, false) == V_GREATER)
					best = p;
			}
			if (!best) {
				fetch_fail(cl.args[i]);
				errors++;
				continue;
			}
			*(struct pkg **)xgrow(&sel, &csel, nsel++, sizeof(*sel)) = best;
		}
	}
	if (errors) {
		free(sel);
		return errors;
	}
	if (nsel)
		qsort(sel, nsel, sizeof(*sel), pkg_cmp_display);
	for (size_t i = 0; i < nsel; i++)
		if (!i || sel[i] != sel[i - 1])
			errors += fetch_one(sel[i], outfd);
	if (outfd >= 0 && outfd != AT_FDCWD)
		close(outfd);
	free(sel);
	return errors;
}

/* ---- version ---- */

static bool version_valid(const char *v)
{
	return aipkg_version_validate_rules(db.major >= 3 ? 3 : 2, aipkg_slice_str(v));
}

static int cmd_version(void)
{
	int r, errors = 0;

	if (cl.seen[O_TEST]) {
		/* apk 2 orders anything; apk 3 refuses an invalid version */
		if (cl.nargs != 2 ||
		    (db.major >= 3 && (!version_valid(cl.args[0]) || !version_valid(cl.args[1]))))
			return 1;
		unsigned v = version_cmp(cl.args[0], cl.args[1], false);
		if (!v)
			return 1;
		printf("%s\n", op_string(v));
		return 0;
	}
	if (cl.seen[O_CHECK]) {
		for (size_t i = 0; i < cl.nargs; i++)
			if (!version_valid(cl.args[i])) {
				if (db.verbosity > 0)
					printf("%s\n", cl.args[i]);
				errors++;
			}
		return errors;
	}
	if ((r = open_db(0)))
		return r;
	const char *limit = cl.limit ? (*cl.limit ? cl.limit : NULL)
				     : (!cl.nargs && db.verbosity == 1 ? "<" : NULL);
	struct pkg **inst = sorted_installed();
	if (db.verbosity > 0)
		printf("%-39s   %s\n", "Installed:", "Available:");
	for (size_t i = 0; i < db.ninst; i++) {
		struct pkg *p = inst[i], *latest = p;
		bool listed = !cl.nargs;
		for (size_t k = 0; k < cl.nargs; k++)
			listed |= !fnmatch(cl.args[k], p->name->s, 0);
		if (!listed)
			continue;
		unsigned allowed = db.tags[tag_id(p->inst_tag)].allowed;
		for (size_t k = 0; k < p->name->nprov; k++) {
			struct pkg *p0 = p->name->prov[k].pkg;
			if (p0->name != p->name || !p0->repos ||
			    !(cl.seen[O_ALL] || (p0->repos & allowed)))
				continue;
			if (version_cmp(p0->version, latest->version, false) == V_GREATER)
				latest = p0;
		}
		const char *op = op_string(version_cmp(p->version, latest->version, false));
		if (limit && !strchr(limit, *op))
			continue;
		if (db.verbosity <= 0) {
			printf("%s\n", p->name->s);
			continue;
		}
		int pad = 39 - (int)strlen(pkg_nv(p));
		printf("%s%*s %s %s \n", pkg_nv(p), pad > 0 ? pad : 0, "", op, latest->version);
	}
	free(inst);
	return 0;
}

/* ---- search, info, list, policy ---- */

static bool pkg_matches(const struct pkg *p, char **pats, size_t n, bool provides)
{
	for (size_t i = 0; i < n; i++) {
		if (!fnmatch(pats[i], p->name->s, 0))
			return true;
		for (size_t k = 0; provides && k < p->provides.n; k++)
			if (!fnmatch(pats[i], p->provides.v[k].name->s, 0))
				return true;
	}
	return false;
}

/* apk list's patterns: apk 3 globs a pattern with '*' or '?' and folds
 * case; apk 2 globs every pattern when one holds '*' (else each is the name
 * exactly), folding case from 2.14 on. */
static bool list_matches(const struct pkg *p, char **pats, size_t n)
{
	bool any_star = false, fold = true;
	unsigned minor = 0;

	for (size_t i = 0; i < n; i++)
		any_star |= strchr(pats[i], '*') != NULL;
	if (db.major < 3 && sscanf(db.version, "2.%u", &minor) == 1)
		fold = minor >= 14;
	for (size_t i = 0; i < n; i++) {
		bool glob = db.major >= 3 ? strpbrk(pats[i], "*?") != NULL : any_star;

		if (glob ? !fnmatch(pats[i], p->name->s, fold ? FNM_CASEFOLD : 0)
			 : !strcmp(pats[i], p->name->s))
			return true;
	}
	return false;
}

static struct pkg **sorted_pkgs(size_t *n)
{
	struct pkg **v = xmalloc((db.npkgs + 1) * sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < db.npkgs; i++)
		if (!db.pkgs[i]->is_virtual || db.pkgs[i]->installed)
			v[(*n)++] = db.pkgs[i];
	qsort(v, *n, sizeof(*v), pkg_cmp_display);
	return v;
}

static void search_print(const struct pkg *p)
{
	if (cl.seen[O_ORIGIN]) {
		printf("%s", p->origin ? p->origin : p->name->s);
		if (db.verbosity > 0)
			printf("-%s", p->version);
		printf("\n");
		return;
	}
	printf("%s", p->name->s);
	if (db.verbosity > 0)
		printf("-%s", p->version);
	if (db.verbosity > 1)
		printf(" - %s", p->desc);
	printf("\n");
}

static int cmd_search(void)
{
	char **pats = xmalloc((cl.nargs + 1) * sizeof(*pats));
	bool all = cl.seen[O_ALL] || cl.seen[O_DESCRIPTION] || cl.seen[O_HAS_ORIGIN] ||
		   (db.major >= 3 && !cl.nargs);
	struct pkg **v, *prev = NULL;
	size_t n;
	int r;

	if ((r = open_db(0)))
		return r;
	for (size_t i = 0; i < cl.nargs; i++)
		pats[i] = cl.seen[O_EXACT] || cl.seen[O_HAS_ORIGIN] ? xstrdup(cl.args[i])
								    : xasprintf("*%s*", cl.args[i]);
	v = sorted_pkgs(&n);
	for (size_t i = 0; i <= n; i++) {
		struct pkg *p = i < n ? v[i] : NULL;
		bool hit = p && (!cl.nargs || pkg_matches(p, pats, cl.nargs, true));
		if (p && cl.seen[O_DESCRIPTION]) {
			hit = !cl.nargs;
			for (size_t k = 0; k < cl.nargs; k++)
				hit |= !fnmatch(pats[k], p->desc, FNM_CASEFOLD) ||
				       !fnmatch(pats[k], p->name->s, FNM_CASEFOLD);
		} else if (p && cl.seen[O_HAS_ORIGIN]) {
			hit = false;
			for (size_t k = 0; k < cl.nargs; k++)
				hit |= p->origin && !strcmp(p->origin, cl.args[k]);
		}
		if (all) {
			if (hit)
				search_print(p);
			continue;
		}
		/* the newest version of each name */
		if (prev && (!p || (hit && p->name != prev->name))) {
			search_print(prev);
			prev = NULL;
		}
		if (hit)
			prev = p;
	}
	free(v);
	for (size_t i = 0; i < cl.nargs; i++)
		free(pats[i]);
	free(pats);
	return 0;
}

static void info_deps(const struct pkg *p, const struct deps *ds, const char *what)
{
	if (db.verbosity == 1)
		printf("%s %s:\n", pkg_nv(p), what);
	if (db.verbosity > 1)
		printf("%s: ", p->name->s);
	for (size_t i = 0; i < ds->n; i++) {
		char *s = dep_str(&ds->v[i], true);
		printf("%s%s", s, db.verbosity > 1 ? " " : "\n");
		free(s);
	}
}

static void info_rdep_cb(struct pkg *p0, const struct dep *d, void *ud)
{
	printf("%s%s", pkg_nv(p0), db.verbosity > 1 ? " " : "\n");
}

static void info_contents(const char *path, bool dir, void *ud)
{
	if (dir)
		return;
	if (db.verbosity > 1)
		printf("%s: ", ((const struct pkg *)ud)->name->s);
	printf("%s\n", path);
}

static void info_size(const struct pkg *p)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	uint64_t v = p->isize;
	int u = 0;

	/* apk 2 and 3 print whole units here */
	while (v >= 10000 && u < 4)
		v /= 1024, u++;
	printf("%s installed size:\n%llu %s\n", pkg_nv(p), (unsigned long long)v, units[u]);
}

static void info_rinstall_if(const struct pkg *p)
{
	printf("%s affects auto-installation of:\n", pkg_nv(p));
	for (size_t i = 0; i < db.npkgs; i++)
		for (size_t j = 0; j < db.pkgs[i]->iif.n; j++)
			if (dep_analyze(&db.pkgs[i]->iif.v[j], (struct pkg *)p) != DEP_IRRELEVANT) {
				printf("%s\n", db.pkgs[i]->name->s);
				break;
			}
}

/* apk info's sections, in apk's order; the *_INST ones only for
 * installed packages. */
static void info_pkg(struct pkg *p)
{
	bool all = cl.seen[O_ALL], inst = p->installed;
	bool any = cl.seen[O_DESCRIPTION] || cl.seen[O_WEBPAGE] || cl.seen[O_SIZE] ||
		   cl.seen[O_DEPENDS] || cl.seen[O_PROVIDES] || cl.seen[O_RDEPENDS] ||
		   cl.seen[O_CONTENTS] || cl.seen[O_INSTALL_IF] || cl.seen[O_LICENSE] || all;

	if (all || !any || cl.seen[O_DESCRIPTION])
		printf("%s description:\n%s\n\n", pkg_nv(p), p->desc);
	if (all || !any || cl.seen[O_WEBPAGE])
		printf("%s webpage:\n%s\n\n", pkg_nv(p), p->url);
	if (all || !any || cl.seen[O_SIZE]) {
		info_size(p);
		printf("\n");
	}
	if (all || cl.seen[O_DEPENDS]) {
		info_deps(p, &p->depends, "depends on");
		printf("\n");
	}
	if (all || cl.seen[O_PROVIDES]) {
		info_deps(p, &p->provides, "provides");
		printf("\n");
	}
	if ((all || cl.seen[O_RDEPENDS]) && inst) {
		printf("%s is required by:\n", pkg_nv(p));
		for (size_t i = 0; i < db.npkgs; i++)
			db.pkgs[i]->marked = db.pkgs[i]->installed;
		db.genid++;
		foreach_rdep(p, DEP_SATISFIES, false, info_rdep_cb, NULL);
		printf("\n");
	}
	if ((all || cl.seen[O_CONTENTS]) && inst) {
		if (db.verbosity == 1)
			printf("%s contains:\n", pkg_nv(p));
		files_each(p, info_contents, p);
		printf("\n");
	}
	if (all && inst)
		printf("%s triggers:\n\n", pkg_nv(p));
	if (all || cl.seen[O_INSTALL_IF]) {
		info_deps(p, &p->iif, "has auto-install rule");
		printf("\n");
	}
	if (all && inst) {
		info_rinstall_if(p);
		printf("\n%s replaces:\n\n", pkg_nv(p));
	}
	if (all || cl.seen[O_LICENSE])
		printf("%s license:\n%s\n\n", pkg_nv(p), p->license);
}

/* info --who-owns: the first installed package whose R: lines hold the
 * path (leading and trailing '/' dropped); apk 3 also owns directories
 * (here: the first package with that F:, not apk 3's finer choice). */
static const struct pkg *file_owner(const char *path)
{
	size_t len;

	while (*path == '/')
		path++;
	len = strlen(path);
	while (len && path[len - 1] == '/')
		len--;
	for (size_t i = 0; i < db.npkgs; i++) {
		const struct pkg *p = db.pkgs[i];
		const char *l = p->files.data, *end = l ? l + p->files.len : NULL, *dir = "";
		size_t dlen = 0;

		for (; p->installed && l && l < end; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : end) {
			size_t n = strcspn(l, "\n");

			if (n >= 2 && l[0] == 'F' && l[1] == ':') {
				dir = l + 2;
				dlen = n - 2;
				if (db.major >= 3 && dlen == len && !strncmp(dir, path, len))
					return p;
			} else if (n >= 2 && l[0] == 'R' && l[1] == ':' &&
				   len == dlen + (dlen > 0) + n - 2 && !strncmp(path, dir, dlen) &&
				   (!dlen || path[dlen] == '/') &&
				   !strncmp(path + dlen + (dlen > 0), l + 2, n - 2)) {
				return p;
			}
		}
	}
	return NULL;
}

static int cmd_info(void)
{
	int r, errors = 0;

	if ((r = open_db(0)))
		return r;
	if (cl.seen[O_WHO_OWNS]) {
		for (size_t i = 0; i < cl.nargs; i++) {
			const struct pkg *p = file_owner(cl.args[i]);

			if (p) {
				printf("%s is owned by %s\n", cl.args[i], pkg_nv(p));
			} else {
				fprintf(stderr, "ERROR: %s: Could not find owner package\n", cl.args[i]);
				errors++;
			}
		}
		return errors;
	}
	if (cl.seen[O_INSTALLED]) {
		for (size_t i = 0; i < cl.nargs; i++) {
			struct dep d;
			if (!dep_parse(cl.args[i], strlen(cl.args[i]), &d))
				continue;
			bool ok = dep_is_provided(&d, NULL);
			for (size_t k = 0; k < d.name->nprov; k++) {
				if (!d.name->prov[k].pkg->installed)
					continue;
				ok = dep_is_provided(&d, &d.name->prov[k]);
				if (ok && db.verbosity >= 1) {
					printf("%s", d.name->prov[k].pkg->name->s);
					if (db.verbosity > 1)
						printf("-%s", d.name->prov[k].pkg->version);
					printf("\n");
				}
				break;
			}
			errors += !ok;
		}
		return errors;
	}
	if (!cl.nargs) {
		struct pkg **v = sorted_installed();
		for (size_t i = 0; i < db.ninst; i++)
			printf(db.verbosity > 1 ? "%s\n" : "%.0s%s\n",
			       db.verbosity > 1 ? pkg_nv(v[i]) : "", v[i]->name->s);
		free(v);
		return 0;
	}
	for (size_t i = 0; i < cl.nargs; i++) {
		struct name *n = name_find(cl.args[i]);
		struct pkg **v;
		size_t nv = 0;
		if (!n) {
			errors++;
			continue;
		}
		/* the packages of that name and those providing it, each once */
		v = xmalloc((n->nprov + 1) * sizeof(*v));
		for (size_t k = 0; k < n->nprov; k++) {
			size_t j = 0;

			while (j < nv && v[j] != n->prov[k].pkg)
				j++;
			if (j == nv)
				v[nv++] = n->prov[k].pkg;
		}
		qsort(v, nv, sizeof(*v), pkg_cmp_display);
		for (size_t k = 0; k < nv; k++) {
			info_pkg(v[k]);
			/* apk 3.0.6 fails info -a on a package that is not installed */
			errors += db.major >= 3 && cl.seen[O_ALL] && !v[k]->installed;
		}
		errors += !nv;
		free(v);
	}
	return errors;
}

static int cmd_list(void)
{
	struct pkg **v;
	size_t n;
	int r;

	if ((r = open_db(0)))
		return r;
	v = sorted_pkgs(&n);
	for (size_t i = 0; i < n; i++) {
		struct pkg *p = v[i], *inst = installed_named(p->name);
		unsigned allowed = inst ? db.tags[tag_id(inst->inst_tag)].allowed : ~0u;
		bool newest = true;
		for (size_t k = i + 1; k < n && v[k]->name == p->name; k++)
			newest &= !(v[k]->repos & allowed);
		if (cl.nargs && !list_matches(p, cl.args, cl.nargs))
			continue;
		if (cl.seen[O_INSTALLED] && !p->installed)
			continue;
		if (cl.seen[O_UPGRADABLE] &&
		    (!inst || inst == p || !newest || !(p->repos & allowed) ||
		     version_cmp(p->version, inst->version, false) != V_GREATER))
			continue;
		if ((cl.seen[O_AVAILABLE] || (!cl.seen[O_INSTALLED] && !cl.seen[O_UPGRADABLE])) &&
		    (!newest || !p->repos) && !p->installed)
			continue;
		printf("%s %s {%s} (%s)", pkg_nv(p), p->arch, p->origin ? p->origin : p->name->s,
		       p->license);
		if (p->installed)
			printf(" [installed]");
		else if (inst && version_cmp(p->version, inst->version, false) == V_GREATER)
			printf(" [upgradable from: %s]", pkg_nv(inst));
		printf("\n");
	}
	free(v);
	return 0;
}

static int cmd_policy(void)
{
	int r;

	if ((r = open_db(0)))
		return r;
	for (size_t i = 0; i < cl.nargs; i++) {
		struct name *n = name_find(cl.args[i]);
		struct pkg **v;
		size_t nv = 0;
		if (!n)
			continue;
		/* the packages of that name and those providing it, each once */
		v = xmalloc((n->nprov + 1) * sizeof(*v));
		for (size_t k = 0; k < n->nprov; k++) {
			size_t j = 0;

			while (j < nv && v[j] != n->prov[k].pkg)
				j++;
			if (j == nv)
				v[nv++] = n->prov[k].pkg;
		}
		qsort(v, nv, sizeof(*v), pkg_cmp_display);
		printf("%s policy:\n", n->s);
		for (size_t k = 0; k < nv; k++) {
			printf("  %s:\n", v[k]->version);
			if (v[k]->installed)
				printf("    %s\n", "lib/apk/db/installed");
			for (size_t rp = 0; rp < db.nrepos; rp++)
				if (v[k]->repos & (1u << rp))
					printf("    %s%s%s\n", db.repos[rp].tag ? "@" : "",
					       db.repos[rp].tag ? db.tags[db.repos[rp].tag].name
								: "",
					       db.repos[rp].url);
		}
		free(v);
	}
	return 0;
}

static int run_applet(void)
{
	switch (cl.applet) {
	case A_ADD:
		return cmd_add();
	case A_DEL:
		return cmd_del();
	case A_UPGRADE:
		return cmd_upgrade();
	case A_UPDATE:
		return cmd_update();
	case A_FIX:
		return cmd_fix();
	case A_FETCH:
		return cmd_fetch();
	case A_VERSION:
		return cmd_version();
	case A_SEARCH:
		return cmd_search();
	case A_INFO:
		return cmd_info();
	case A_LIST:
		return cmd_list();
	case A_POLICY:
		return cmd_policy();
	default:
		return 1;
	}
}

/* apk resets the terminal and exits 128 + the signal */
static void on_sigint(int sig)
{
	_exit(128 + sig);
}

int main(int argc, char **argv)
{
	const char *major = getenv("APK_DOUBLE_MAJOR"), *version = getenv("APK_DOUBLE_VERSION");
	int r;

	signal(SIGINT, on_sigint);
	tool_name = "apk-double";
	tool_die_code = 99;
	progname = argv[0];
	log_argv(argc, argv);
	if (major && !strcmp(major, "3"))
		db.major = 3;
	if (version && *version)
		db.major = version[0] >= '3' ? 3 : 2;
	db.version = version && *version ? version : db.major >= 3 ? "3.0.6" : "2.14.4";
	if ((r = parse_cmdline(argc, argv)))
		return r;
	db.allow_untrusted = cl.seen[O_ALLOW_UNTRUSTED];
	db.no_network = cl.seen[O_NO_NETWORK];
	db.no_cache = cl.seen[O_NO_CACHE];
	db.update_cache = cl.seen[O_UPDATE_CACHE];
	db.simulate = cl.seen[O_SIMULATE] && ((COMMIT_APPLETS >> cl.applet) & 1);
	db.initdb = cl.seen[O_INITDB];
	if (cl.seen[O_VERSION]) {
		print_version();
		return 0;
	}
	if (cl.seen[O_PRINT_ARCH]) {
		printf("%s\n", cl.arch ? cl.arch : "x86_64");
		return 0;
	}
	if (cl.seen[O_HELP])
		return usage(0);
	if (!cl.applet) {
		if (argc > 1) {
			err("'%s' is not an apk command. See 'apk --help'.",
			    db.major >= 3 && cl.nargs ? cl.args[0] : argv[1]);
			return 1;
		}
		if (db.major >= 3) {
			print_version();
			err("This apk-tools has been built without help");
			return 1;
		}
		return usage(0);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = run_applet();
	curl_global_cleanup();
	fflush(stdout);
	return r < 0 ? 99 : r > 99 ? 99 : r;
}
