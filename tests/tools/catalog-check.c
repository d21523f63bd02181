/* catalog-check: the offline planner's catalogue against real Alpine indexes, release by release. */
/* SPDX-License-Identifier: MIT */

/*
 * usage: catalog-check [--partial LABEL]... [--requests FILE] [-v] LABEL=INDEX[,INDEX...]...
 *        catalog-check --names
 *
 * Each LABEL=INDEX,... is one release: its APKINDEX.tar.gz files (main,
 * community) read as untagged repositories, in that order.  For each
 * release it says, for every catalogue slot ("nginx|lighttpd|apache2"),
 * which alternative fills it and how (a package, or a provided name and
 * what apk 2 and 3 would take for it), and lists the slots nothing fills.
 * Then the catalogue names no given release holds at all.  --requests
 * FILE plans each line of FILE with the offline planner on every release.
 *
 * Exit 1 when a slot is empty in a release not named with --partial (a
 * release given with main only, say), or a catalogue name exists in no
 * release; 0 otherwise; 2 on a usage or read error.  --names prints every
 * name the catalogue mentions, once, one per line (to build fixtures).
 */
#include <jansson.h>

#include "tool.h"

#include "ai/catalog.h"
#include "ai/planner.h"
#include "ai/resolve.h"
#include "apk/select.h"
#include "apk/state.h"
#include "apk/version.h"

struct release {
	char *label;
	bool partial;
	struct aipkg_state st;
	size_t empty; /* slots nothing fills */
};

static void load_index(struct aipkg_state *st, const char *path, int repo)
{
	struct aipkg_buf gz, text = AIPKG_BUF_INIT;
	size_t len;
	int r;

	aipkg_buf_init(&gz, (size_t)256 << 20);
	if (file_read(path, &gz) < 0)
		die("cannot read %s: %s", path, strerror(errno));
	r = aipkg_apkindex_extract(gz.data, gz.len, &text, NULL);
	if (r < 0)
		die("%s: not a readable APKINDEX.tar.gz", path);
	len = text.len;
	if (aipkg_pkgset_parse(&st->available, aipkg_buf_detach(&text), len, repo, NULL) < 0)
		die("%s: corrupt package records", path);
	aipkg_buf_release(&gz);
}

static void release_load(struct release *rel, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char *files, *save = NULL;
	size_t n = 0;

	if (!eq || eq == spec)
		die("'%s' is not LABEL=INDEX[,INDEX...]", spec);
	rel->label = xstrndup(spec, (size_t)(eq - spec));
	aipkg_pkgset_init(&rel->st.installed);
	aipkg_pkgset_init(&rel->st.available);
	files = xstrdup(eq + 1);
	for (char *f = strtok_r(files, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		rel->st.repos = xrealloc(rel->st.repos, (n + 1) * sizeof(*rel->st.repos));
		memset(&rel->st.repos[n], 0, sizeof(rel->st.repos[n]));
		rel->st.repos[n].url = xstrdup(f);
		load_index(&rel->st, f, (int)n);
		n++;
	}
	rel->st.nrepos = n;
	rel->st.arch = xstrdup("x86_64");
	free(files);
	if (aipkg_pkgset_index(&rel->st.available) < 0 || aipkg_pkgset_index(&rel->st.installed) < 0)
		die("out of memory");
}

/* The I-th '|' alternative of SLOT (LEN bytes), or NULL past the last. */
static char *slot_alt(const char *slot, size_t len, size_t i)
{
	const char *p = slot, *end = slot + len;

	while (i--) {
		p = memchr(p, '|', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
	}
	return xstrndup(p, strcspn(p, "| ") < (size_t)(end - p) ? strcspn(p, "| ")
								  : (size_t)(end - p));
}

/* How NAME is held in REL: "" when absent. */
static void describe(const struct aipkg_state *st, const char *name, char *out, size_t size)
{
	enum aipkg_resolve_how how;
	const struct aipkg_pkg *p = aipkg_resolve(st, name, 0, &how);
	struct aipkg_selection s2, s3;
	struct aipkg_dep dep;

	out[0] = '\0';
	if (!p)
		return;
	if (how == AIPKG_RESOLVE_EXACT) {
		snprintf(out, size, "%s-%s", p->name, p->version);
		return;
	}
	aipkg_dep_parse(aipkg_slice_str(name), &dep);
	aipkg_select_as(st, &dep, 0, 2, &s2);
	aipkg_select_as(st, &dep, 0, 3, &s3);
	snprintf(out, size, "%s-%s (%s '%s'; apk 2 takes %s, apk 3 %s)", p->name, p->version,
		 how == AIPKG_RESOLVE_COMMAND ? "provides the command" : "provides", name,
		 s2.pkg ? s2.pkg->name : "nothing", s3.pkg ? s3.pkg->name : "nothing");
}

static void check_slot(struct release *rel, const struct aipkg_intent *in, const char *slot,
		       size_t len, bool verbose)
{
	char what[512];
	size_t alt = 0;
	const struct aipkg_pkg *p = aipkg_planner_slot(&rel->st, slot, len, &alt);
	char *first = slot_alt(slot, len, 0), *name = slot_alt(slot, len, alt);

	if (!p) {
		rel->empty++;
		printf("  %-26s EMPTY   %.*s\n", in->what, (int)len, slot);
	} else {
		describe(&rel->st, name, what, sizeof(what));
		if (alt || verbose || strcmp(p->name, name) != 0)
			printf("  %-26s %-7s %s%s%s\n", in->what, alt ? "ALT" : "ok", what,
			       alt ? " instead of " : "", alt ? first : "");
	}
	free(first);
	free(name);
}

static void check_release(struct release *rel, bool verbose)
{
	size_t n, slots = 0;
	const struct aipkg_intent *cat = aipkg_catalog(&n);

	printf("%s: %zu packages in %zu index%s%s\n", rel->label, rel->st.available.n,
	       rel->st.nrepos, rel->st.nrepos == 1 ? "" : "es", rel->partial ? " (partial)" : "");
	for (size_t i = 0; i < n; i++) {
		for (const char *s = cat[i].packages; *s;) {
			size_t len = strcspn(s, " ");

			check_slot(rel, &cat[i], s, len, verbose);
			slots++;
			s += len;
			s += strspn(s, " ");
		}
	}
	printf("%s: %zu slots, %zu empty\n", rel->label, slots, rel->empty);
}

/* Catalogue names no release holds (as a package or a provided name). */
static size_t dead_names(struct release *rels, size_t nrel)
{
	size_t n, dead = 0;
	const struct aipkg_intent *cat = aipkg_catalog(&n);

	for (size_t i = 0; i < n; i++) {
		for (const char *s = cat[i].packages; *s;) {
			size_t len = strcspn(s, " ");
			char *name;

			for (size_t a = 0; (name = slot_alt(s, len, a)); a++) {
				bool found = false;

				for (size_t r = 0; r < nrel && !found; r++)
					found = aipkg_resolve(&rels[r].st, name, 0, NULL) != NULL;
				if (!found) {
					printf("no release holds '%s' (%s)\n", name, cat[i].what);
					dead++;
				}
				free(name);
			}
			s += len;
			s += strspn(s, " ");
		}
	}
	return dead;
}

static void plan_requests(struct release *rels, size_t nrel, const char *file)
{
	struct aipkg_buf text = AIPKG_BUF_INIT;

	if (file_read(file, &text) < 0)
		die("cannot read %s: %s", file, strerror(errno));
	for (char *line = strtok(text.data, "\n"); line; line = strtok(NULL, "\n")) {
		if (!*line || *line == '#')
			continue;
		printf("\"%s\"\n", line);
		for (size_t r = 0; r < nrel; r++) {
			struct aipkg_plan plan;
			json_t *p;
			size_t i;

			aipkg_plan_init(&plan);
			aipkg_planner_offline(&rels[r].st, line, &plan);
			printf("  %-12s", rels[r].label);
			json_array_foreach(plan.packages, i, p)
				printf(" %s", json_string_value(json_object_get(p, "name")));
			if (!json_array_size(plan.packages))
				printf(" (nothing)");
			printf("\n");
			aipkg_plan_release(&plan);
		}
	}
	aipkg_buf_release(&text);
}

static void print_names(void)
{
	size_t n, printed = 0;
	const struct aipkg_intent *cat = aipkg_catalog(&n);
	char **seen = NULL;

	for (size_t i = 0; i < n; i++) {
		for (const char *s = cat[i].packages; *s;) {
			size_t len = strcspn(s, " ");
			char *name;

			for (size_t a = 0; (name = slot_alt(s, len, a)); a++) {
				size_t k = 0;

				while (k < printed && strcmp(seen[k], name) != 0)
					k++;
				if (k < printed) {
					free(name);
					continue;
				}
				seen = xrealloc(seen, (printed + 1) * sizeof(*seen));
				seen[printed++] = name;
				printf("%s\n", name);
			}
			s += len;
			s += strspn(s, " ");
		}
	}
	for (size_t k = 0; k < printed; k++)
		free(seen[k]);
	free(seen);
}

int main(int argc, char **argv)
{
	struct release *rels = NULL;
	const char *requests = NULL, *partial[16];
	size_t nrel = 0, npartial = 0, failed = 0;
	bool verbose = false;

	tool_name = "catalog-check";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--partial") == 0 && i + 1 < argc && npartial < 16) {
			partial[npartial++] = argv[++i];
		} else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc) {
			requests = argv[++i];
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else if (strcmp(argv[i], "--names") == 0) {
			print_names();
			return 0;
		} else if (argv[i][0] == '-') {
			die("usage: catalog-check [--partial LABEL]... [--requests FILE] [-v] "
			    "LABEL=INDEX[,INDEX...]...");
		} else {
			rels = xrealloc(rels, (nrel + 1) * sizeof(*rels));
			memset(&rels[nrel], 0, sizeof(rels[nrel]));
			release_load(&rels[nrel++], argv[i]);
		}
	}
	if (!nrel)
		die("name at least one release: LABEL=INDEX[,INDEX...]");
	for (size_t r = 0; r < nrel; r++) {
		for (size_t k = 0; k < npartial; k++)
			rels[r].partial |= strcmp(partial[k], rels[r].label) == 0;
		check_release(&rels[r], verbose);
		failed += rels[r].partial ? 0 : rels[r].empty;
	}
	failed += dead_names(rels, nrel);
	if (requests)
		plan_requests(rels, nrel, requests);
	for (size_t r = 0; r < nrel; r++) {
		aipkg_state_release(&rels[r].st);
		free(rels[r].label);
	}
	free(rels);
	return failed ? 1 : 0;
}
