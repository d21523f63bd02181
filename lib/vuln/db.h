/* The secdb of the system's branch, cached under ROOT/var/lib/aipkg/secdb/ and kept fresh. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_VULN_DB_H
#define AIPKG_VULN_DB_H

#include <stdbool.h>
#include <time.h>

#include "vuln/secdb.h"

struct aipkg_ctx;
struct aipkg_state;

/* The secdb files of a branch. */
#define AIPKG_SECDB_REPOS                                                                          \
	{                                                                                          \
		"main", "community"                                                                \
	}

enum aipkg_vuln_mode {
	AIPKG_VULN_AUTO = 0,	   /* download when missing or older than vuln.max_age */
	AIPKG_VULN_REFRESH = 1,	   /* download now, without a conditional request */
	AIPKG_VULN_CACHE_ONLY = 2, /* never download */
};

struct aipkg_vuln_db {
	struct aipkg_secdb secdb;
	char *branch;	   /* "v3.20", "edge" */
	char *source;	   /* the branch's URL: "https://secdb.alpinelinux.org/v3.20/" */
	time_t fetched_at; /* when the server last confirmed the oldest file */
	bool offline;	   /* a refresh failed and the cache was used */
};

/*
 * Load the secdb (main and community) for ST's branch into DB, from the
 * cache or downloading it as MODE says.  A download is checked before it
 * replaces the cache; when it fails (network, HTTP status, timeout, a file
 * that is not a secdb), the cache is used with a warning saying how old it
 * is.  Without a usable cache the result is the download's error (or
 * -ENOENT in AIPKG_VULN_CACHE_ONLY), with a message saying what to do.
 * Release DB with aipkg_vuln_db_release() in every case.
 */
int aipkg_vuln_db_open(struct aipkg_ctx *ctx, const struct aipkg_state *st,
		       enum aipkg_vuln_mode mode, struct aipkg_vuln_db *db);
void aipkg_vuln_db_release(struct aipkg_vuln_db *db);

/* "v3.20" for the release "3.20.3"; "edge" for edge ("3.21_alpha2024...")
 * and anything unknown or NULL.  malloc'd. */
char *aipkg_vuln_release_branch(const char *release);

/* The branch a repository URL names (".../alpine/v3.19/main" -> "v3.19"),
 * malloc'd, or NULL; *is_main (may be NULL) says the repository is main. */
char *aipkg_vuln_repo_branch(const char *url, bool *is_main);

/* The branch to check ST against: the repositories' when they name one
 * (with *warning set, malloc'd, when it differs from etc/alpine-release),
 * else etc/alpine-release's.  malloc'd; NULL when out of memory. */
char *aipkg_vuln_branch(const struct aipkg_state *st, char **warning);

/* mkdir -p of the directory PATH is in (PATH itself is a file); -errno. */
int aipkg_vuln_mkdir_for(const char *path);


#endif
