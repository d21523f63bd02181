/* Fuzz target: etc/apk/repositories (apk 2 and 3 syntax) and --repository. */
/* SPDX-License-Identifier: MIT */
#include "apk/state.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	struct aipkg_repo *repos = NULL;
	size_t n = 0;

	aipkg_repos_parse(text, &repos, &n);
	aipkg_repos_add_cli(text, &repos, &n);
	for (size_t i = 0; i < n; i++) {
		free(aipkg_repo_index_url(&repos[i], "x86_64", 2));
		free(aipkg_repo_cache_name(&repos[i], "x86_64", 3));
	}
	aipkg_repos_free(repos, n);
	free(text);
	return 0;
}
