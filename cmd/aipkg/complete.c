/* Shell completion: what may come next on an aipkg command line, for the bash, zsh and fish scripts. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/*
 * `aipkg __complete WORD... CURRENT` (not in the command table: a
 * protocol, not a command) reads the words typed after "aipkg", as the
 * shell split them, and prints what CURRENT may become: first a line
 * saying how ("words", "paths", "dirs", "files" or "none"), then for
 * "words" one candidate a line, "WORD<TAB>DESCRIPTION", and for "paths"
 * the paths inside the root one a line, a directory's ending in "/" (the
 * shell adds no blank after it).  "dirs" and "files" are the host's, which
 * the shell lists itself.  The scripts in completions/
 * only relay it, so every shell completes the same commands, options and
 * values from the one command table, and honours --root, --root=DIR,
 * ~ and ~user, --config and -X wherever they are on the line.
 */

/* Values beyond what the command table says: which packages a command
 * takes, and option values.  A command not listed still completes its
 * name and options; "a|b|c" in its args completes those words. */
static const struct {
	const char *cmd, *what;
} positionals[] = {
	{ "check-vuln", "@installed" }, { "doctor", "@installed" },   { "help", "@commands" },
	{ "history", "1:@ids" },
	{ "info", "@available" },       { "install", "@available" }, { "list", "@installed" },
	{ "lock", "@installed" },
	{ "remove", "@installed" },     { "rollback", "1:@ids" },    { "search", "@available" },
	{ "tool", "1:@tools" },
	{ "unlock", "@locked" },        { "update", "@installed" },
};

static const struct {
	const char *option, *what;
} option_values[] = {
	{ "fail-on", "any critical high medium low" },
	{ "package", "@installed" },
};

/* Commands that take a file's path where a package name goes (info
 * /usr/sbin/nginx, search /PATH), and the flag that makes every word one. */
static const char *const path_commands[] = { "info", "search" };
#define PATHS_FLAG "who-owns"
/* Commands whose arguments are files, always: aipkg ansible ARGS_FILE. */
static const char *const file_commands[] = { "ansible" };

/* What the words before CURRENT say. */
struct line {
	struct aipkg_opts opts;
	const char *repos[16];
	char *expanded[2]; /* ~ expanded root and config (malloc'd) */
	const struct aipkg_cmd *cmd;
	int npos;          /* positional words after the command */
	const struct cli_option *pending; /* an option waiting for its value */
	bool only_args;    /* after "--" */
	bool paths;        /* PATHS_FLAG given: the words are files */
};

/* ~ and ~user at the start of PATH, as the shell would expand them. */
static char *expand_tilde(const char *path)
{
	const char *slash = strchr(path, '/'), *home = NULL;
	char *user, *out = NULL;
	struct passwd *pw;

	if (path[0] != '~')
		return strdup(path);
	user = strndup(path + 1, (slash ? (size_t)(slash - path) : strlen(path)) - 1);
	if (user && !user[0])
		home = getenv("HOME");
	if (user && !home && (pw = user[0] ? getpwnam(user) : getpwuid(getuid())))
		home = pw->pw_dir;
	if (home && asprintf(&out, "%s%s", home, slash ? slash : "") < 0)
		out = NULL;
	free(user);
	return out ? out : strdup(path);
}

/* A global option that matters to completion: where the system is. */
static void take_value(struct line *l, const struct cli_option *o, const char *val)
{
	if (strcmp(o->long_name, "root") == 0 || strcmp(o->long_name, "config") == 0) {
		int i = o->long_name[0] == 'c';

		free(l->expanded[i]);
		l->expanded[i] = expand_tilde(val);
		*(i ? &l->opts.config : &l->opts.root) = l->expanded[i];
	} else if (strcmp(o->long_name, "repository") == 0 &&
		   l->opts.nrepos < sizeof(l->repos) / sizeof(l->repos[0])) {
		l->repos[l->opts.nrepos++] = val;
	}
}

static const struct cli_option *find_any(const struct line *l, const char *lname, char sname)
{
	const struct cli_option *o = cli_option_find(cli_global_options, lname, sname);

	return o || !l->cmd ? o : cli_option_find(l->cmd->options, lname, sname);
}

/* One option word (not "--") before CURRENT. */
static void read_option(struct line *l, const char *w)
{
	const struct cli_option *o;

	if (w[1] == '-') {
		const char *eq = strchr(w, '=');
		char *name = strndup(w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));

		o = name ? find_any(l, name, 0) : NULL;
		free(name);
		if (o && strcmp(o->long_name, PATHS_FLAG) == 0)
			l->paths = true;
		if (o && o->arg && eq)
			take_value(l, o, eq + 1);
		else if (o && o->arg)
			l->pending = o;
		return;
	}
	for (const char *c = w + 1; *c; c++) {
		o = find_any(l, NULL, *c);
		if (o && strcmp(o->long_name, PATHS_FLAG) == 0)
			l->paths = true;
		if (!o || !o->arg)
			continue;
		if (c[1])
			take_value(l, o, c + 1);
		else
			l->pending = o;
		return;
	}
}

static void read_line(struct line *l, int n, char **words)
{
	for (int i = 0; i < n; i++) {
		const char *w = words[i];

		if (l->pending) {
			take_value(l, l->pending, w);
			l->pending = NULL;
		} else if (!l->only_args && strcmp(w, "--") == 0) {
			l->only_args = true;
		} else if (!l->only_args && w[0] == '-' && w[1]) {
			read_option(l, w);
		} else if (!l->cmd) {
			l->cmd = cli_command_find(w);
			if (!l->cmd)
				l->npos = -1; /* an unknown command: nothing follows */
		} else if (l->npos >= 0) {
			l->npos++;
		}
	}
	l->opts.repos = l->repos;
}

/* Does S hold only what a shell line takes literally?  bash inserts a
 * candidate as it is, so a package named "x;reboot" from a hostile index
 * would run a command when the completed line is entered: whatever is not
 * a letter, a digit or one of "+-._:/=,@%" (every command, option, package
 * name and id is made of those) is never offered. */
static bool shell_inert(const char *s)
{
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && !strchr("+-._:/=,@%", *s))
			return false;
	return true;
}

/* Print CANDIDATE (and its description) when it starts with CUR and holds
 * nothing a terminal or a shell line would act on. */
static void offer(const char *cur, const char *candidate, const char *desc)
{
	if (strncmp(candidate, cur, strlen(cur)) != 0 || !shell_inert(candidate))
		return;
	printf("%s%s%s\n", candidate, desc && *desc ? "\t" : "", desc ? cli_safe(desc) : "");
}

static void offer_options(const char *cur, const struct cli_option *o)
{
	for (; o && o->long_name; o++) {
		char name[80], s[3] = { '-', o->short_name, 0 };

		snprintf(name, sizeof(name), "--%s%s", o->long_name, o->arg ? "=" : "");
		/* "--root=" only when the = is typed: else "--root" and a blank */
		if (o->arg && !strchr(cur, '='))
			name[strlen(name) - 1] = '\0';
		offer(cur, name, o->help);
		if (o->short_name && strcmp(cur, "-") == 0)
			offer(cur, s, o->help);
	}
}

/* Packages (FILTER: installed, available, locked) or operation ids, read
 * the way the commands read them, with nothing printed on failure. */
static void offer_from_tool(const struct line *l, const char *cur, const char *what)
{
	bool ids = strcmp(what, "ids") == 0;
	struct aipkg_ctx *ctx = NULL;
	json_t *result = NULL, *args, *item;
	size_t i;

	if (aipkg_ctx_new(&ctx, &l->opts, NULL) == 0) {
		args = ids ? json_pack("{s:i}", "limit", 20) : json_pack("{s:s}", "filter", what);
		aipkg_tool_call(ctx, ids ? "pkg.history" : "pkg.list", args, &result);
		json_decref(args);
	}
	json_array_foreach(json_object_get(result, ids ? "transactions" : "packages"), i, item) {
		char id[24];

		snprintf(id, sizeof(id), "%lld",
			 (long long)json_integer_value(json_object_get(item, "id")));
		offer(cur, ids ? id : json_string_value(json_object_get(item, "name")),
		      json_string_value(json_object_get(item, ids ? "command" : "description")));
	}
	json_decref(result);
	aipkg_ctx_free(ctx);
}

/* WHAT: "@installed", "@available", "@locked", "@ids", "@commands",
 * "@tools", or words separated by blanks or '|'. */
static void offer_values(const struct line *l, const char *cur, const char *what)
{
	const struct aipkg_tool *tools;
	size_t n;

	if (strcmp(what, "@commands") == 0) {
		for (const struct aipkg_cmd *const *c = cli_commands; *c; c++)
			offer(cur, (*c)->name, (*c)->summary);
	} else if (strcmp(what, "@tools") == 0) {
		tools = aipkg_tools(&n);
		for (size_t i = 0; i < n; i++)
			offer(cur, tools[i].name, NULL);
	} else if (what[0] == '@') {
		offer_from_tool(l, cur, what + 1);
	} else {
		char *words = strdup(what), *save = NULL;

		for (char *w = strtok_r(words, " |", &save); w; w = strtok_r(NULL, " |", &save))
			offer(cur, w, NULL);
		free(words);
	}
}

/* What the command takes at its next positional word, or NULL. */
static const char *positional(const struct line *l)
{
	const char *args = l->cmd->args;

	for (size_t i = 0; i < sizeof(positionals) / sizeof(positionals[0]); i++) {
		const char *what = positionals[i].what;

		if (strcmp(positionals[i].cmd, l->cmd->name) != 0)
			continue;
		if (strncmp(what, "1:", 2) == 0)
			return l->npos == 0 ? what + 2 : NULL; /* the first word only */
		return what;
	}
	/* "run|status|install-cron": a choice of words, once */
	if (args && strchr(args, '|') && !strchr(args, ' ') && l->npos == 0)
		return args;
	return NULL;
}

/* A host file here (aipkg ansible ARGS_FILE). */
static bool takes_files(const struct line *l)
{
	for (size_t i = 0; i < sizeof(file_commands) / sizeof(file_commands[0]); i++)
		if (strcmp(file_commands[i], l->cmd->name) == 0)
			return true;
	return false;
}

/* A path inside the root here: after PATHS_FLAG, or a word starting with
 * "/" where the command takes one. */
static bool takes_root_paths(const struct line *l, const char *cur)
{
	for (size_t i = 0; i < sizeof(path_commands) / sizeof(path_commands[0]); i++)
		if (strcmp(path_commands[i], l->cmd->name) == 0)
			return l->paths || cur[0] == '/';
	return false;
}

/*
 * The host's name for PATH inside ROOT, with each symlink on the way
 * followed as it would be were ROOT "/": an absolute target starts again
 * at ROOT (an Alpine root's etc/apk/cache -> /var/cache/apk), ".." stops
 * there.  malloc'd; NULL out of memory or after LINKS_MAX links.
 */
#define LINKS_MAX 40
static char *in_root(const char *root, const char *path)
{
	char *rest = strdup(path), *done = strdup(""), *host = NULL;
	size_t rootlen = strlen(root);
	int links = 0;

	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	while (rest && done && *rest) {
		char *slash = strchr(rest, '/'), *next = NULL, *target = NULL;
		size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
		struct stat st;
		ssize_t n;

		if (len == 0 || (len == 1 && rest[0] == '.')) {
			next = strdup(slash ? slash + 1 : "");
		} else if (len == 2 && strncmp(rest, "..", 2) == 0) {
			char *up = strrchr(done, '/');

			if (up)
				*up = '\0';
			next = strdup(slash ? slash + 1 : "");
		} else if (asprintf(&target, "%s/%.*s", done, (int)len, rest) >= 0 &&
			   asprintf(&host, "%.*s%s", (int)(rootlen == 1 ? 0 : rootlen), root,
				    target) >= 0 &&
			   lstat(host, &st) == 0 && S_ISLNK(st.st_mode) && links++ < LINKS_MAX) {
			char link[4096];

			n = readlink(host, link, sizeof(link) - 1);
			link[n > 0 ? n : 0] = '\0';
			if (link[0] == '/')
				done[0] = '\0';
			if (asprintf(&next, "%s/%s", link, slash ? slash + 1 : "") < 0)
				next = NULL;
		} else if (links > LINKS_MAX) {
			free(target);
			target = NULL;
			free(done);
			done = NULL;
		} else {
			free(done);
			done = target;
			target = NULL;
			next = strdup(slash ? slash + 1 : "");
		}
		free(target);
		free(host);
		host = NULL;
		free(rest);
		rest = next;
	}
	if (rest && done &&
	    asprintf(&host, "%.*s%s", (int)(rootlen == 1 && *done ? 0 : rootlen), root, done) < 0)
		host = NULL;
	free(rest);
	free(done);
	return host;
}

/* The entries of the directory CUR names inside ROOT that start as CUR's
 * last part does: "/usr/sb" offers "/usr/sbin/".  A relative word is
 * taken from the root, as info --who-owns takes it; names a shell line
 * would act on (shell_inert) are not offered. */
static void offer_root_paths(const char *root, const char *cur)
{
	const char *base = strrchr(cur, '/');
	size_t dirlen = base ? (size_t)(base - cur + 1) : 0;
	char *dir = strndup(cur, dirlen), *host = dir ? in_root(root, dir) : NULL;
	DIR *d = host ? opendir(host) : NULL;
	struct dirent *e;

	base = cur + dirlen;
	while (d && (e = readdir(d))) {
		char *path = NULL, *real;
		struct stat st;
		bool isdir;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (e->d_name[0] == '.' && base[0] != '.') ||
		    strncmp(e->d_name, base, strlen(base)) != 0 ||
		    asprintf(&path, "%s%s", dir, e->d_name) < 0)
			continue;
		real = in_root(root, path);
		isdir = real && stat(real, &st) == 0 && S_ISDIR(st.st_mode);
		free(real);
		if (shell_inert(path))
			printf("%s%s\n", path, isdir ? "/" : "");
		free(path);
	}
	if (d)
		closedir(d);
	free(host);
	free(dir);
}

/* The value of option O: a directory, a file, listed words, or free text. */
static const char *option_value(const struct line *l, const struct cli_option *o, const char *cur)
{
	for (size_t i = 0; i < sizeof(option_values) / sizeof(option_values[0]); i++)
		if (strcmp(option_values[i].option, o->long_name) == 0) {
			puts("words");
			offer_values(l, cur, option_values[i].what);
			return NULL;
		}
	if (o->arg && strcmp(o->arg, "DIR") == 0)
		return "dirs";
	if (o->arg && strcmp(o->arg, "FILE") == 0)
		return "files";
	return "none";
}

static void complete(struct line *l, const char *cur)
{
	const char *how = "none", *what;

	if (l->pending) {
		how = option_value(l, l->pending, cur);
	} else if (!l->only_args && cur[0] == '-' && strchr(cur, '=') && cur[1] == '-') {
		char *name = strndup(cur + 2, (size_t)(strchr(cur, '=') - cur - 2));
		const struct cli_option *o = name ? find_any(l, name, 0) : NULL;

		free(name);
		how = o && o->arg ? option_value(l, o, strchr(cur, '=') + 1) : "none";
	} else if (!l->only_args && cur[0] == '-') {
		puts("words");
		offer_options(cur, cli_global_options);
		offer_options(cur, l->cmd ? l->cmd->options : NULL);
		return;
	} else if (!l->cmd && l->npos == 0) {
		puts("words");
		offer_values(l, cur, "@commands");
		return;
	} else if (l->cmd && l->npos >= 0 && takes_root_paths(l, cur)) {
		puts("paths");
		offer_root_paths(l->opts.root ? l->opts.root : "/", cur);
		return;
	} else if (l->cmd && l->npos >= 0 && takes_files(l)) {
		how = "files";
	} else if (l->cmd && l->npos >= 0 && (what = positional(l))) {
		puts("words");
		offer_values(l, cur, what);
		return;
	}
	if (how)
		puts(how);
}

int cli_complete(int argc, char **argv)
{
	struct line l = { 0 };

	/* argv: aipkg __complete WORD... CURRENT */
	if (argc < 3) {
		puts("none");
		return 0;
	}
	l.opts.verbose = -1;
	read_line(&l, argc - 3, argv + 2);
	complete(&l, argv[argc - 1]);
	free(l.expanded[0]);
	free(l.expanded[1]);
	fflush(stdout);
	return 0;
}
