/* Fuzz target: MCP messages, one per line, through aipkg_mcp_handle on a scratch root. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aipkg/mcp.h"
#include "fuzz.h"

static struct aipkg_ctx *ctx;
static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void quiet(void *ud, const char *msg)
{
}

/* A root with one installed package, no index, a secdb URL that refuses at
 * once, and an apk that is /bin/false: the tools answer from the files and
 * never wait on anything. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static struct aipkg_opts opts;
	static struct aipkg_callbacks cb;
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/aipkg-fuzz-mcp-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		abort();
	put("etc/apk/arch", "x86_64\n");
	put("etc/apk/world", "hello\n");
	put("etc/apk/repositories", "");
	put("etc/alpine-release", "3.20.3\n");
	put("etc/aipkg/aipkg.yaml", "vuln:\n  secdb_url: http://127.0.0.1:9/\n  timeout: 1\n");
	put("lib/apk/db/installed", "C:Q1abc=\nP:hello\nV:1.0-r0\nA:x86_64\nT:greets\no:hello\n"
				    "F:usr/bin\nR:hello\n");
	opts.root = root;
	opts.apk_command = "/bin/false";
	opts.cmdline = "aipkg mcp";
	opts.lock_timeout = 0;
	cb.warn = quiet;
	cb.note = quiet;
	if (aipkg_ctx_new(&ctx, &opts, &cb) < 0)
		abort();
	return 0;
}

/* Each line is one message to a fresh server, which reaches the tools only
 * after an "initialize": the seeds start with one. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aipkg_mcp *mcp = aipkg_mcp_new(ctx, AIPKG_MCP_READ_ONLY);
	const char *p = (const char *)data, *end = p + size;

	if (!mcp)
		abort();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = fuzz_memdup((const uint8_t *)p, len);

		free(aipkg_mcp_handle(mcp, line, len));
		free(line);
		p += len + 1;
	}
	aipkg_mcp_free(mcp);
	return 0;
}
