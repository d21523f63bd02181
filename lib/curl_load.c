/* libcurl, opened when the first request is made rather than when aipkg starts. */
/* SPDX-License-Identifier: MIT */
/*
 * With the libraries it brings (TLS, HTTP/2, IDN, PSL, SSH, LDAP,
 * Kerberos, brotli, zstd, ...), linking libcurl costs every aipkg process
 * about 2 ms of loading and relocation, while most commands never use the
 * network (an install checks the cached security database only).  So
 * aipkg is not linked with libcurl: the linker sends http.c's calls to the
 * functions below (--wrap, see lib/CMakeLists.txt), which open libcurl on
 * first use.  http.c keeps calling curl's API by its names, with curl's
 * compile-time checks of setopt's argument types.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#include <curl/curl.h>

#include "curl_load.h"

/* libcurl's ABI since 7.16 (2006); the unversioned name where only a
 * development link exists. */
static const char *const sonames[] = { "libcurl.so.4", "libcurl.so" };

static struct {
	bool tried, loaded;
	char why[256];
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
} api;

/* The wrappers' prototypes: only the linker calls them, for http.c. */
CURLcode __wrap_curl_global_init(long flags);
CURL *__wrap_curl_easy_init(void);
CURLcode __wrap_curl_easy_setopt(CURL *c, CURLoption opt, ...);
CURLcode __wrap_curl_easy_perform(CURL *c);
CURLcode __wrap_curl_easy_getinfo(CURL *c, CURLINFO info, ...);
void __wrap_curl_easy_cleanup(CURL *c);
const char *__wrap_curl_easy_strerror(CURLcode code);
struct curl_slist *__wrap_curl_slist_append(struct curl_slist *list, const char *s);
void __wrap_curl_slist_free_all(struct curl_slist *list);

static void *symbol(void *lib, const char *name, bool *ok)
{
	void *p = dlsym(lib, name);

	if (!p && *ok)
		snprintf(api.why, sizeof(api.why), "%s has no %s", sonames[0], name);
	*ok &= p != NULL;
	return p;
}

bool aipkg_curl_load(void)
{
	void *lib = NULL;
	bool ok = true;

	if (api.tried)
		return api.loaded;
	api.tried = true;
	for (size_t i = 0; !lib && i < sizeof(sonames) / sizeof(sonames[0]); i++)
		lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(api.why, sizeof(api.why), "%s", dlerror());
		return false;
	}
	/* casts through void * are how dlsym's result becomes a function */
	*(void **)&api.global_init = symbol(lib, "curl_global_init", &ok);
	*(void **)&api.easy_init = symbol(lib, "curl_easy_init", &ok);
	*(void **)&api.easy_setopt = symbol(lib, "curl_easy_setopt", &ok);
	*(void **)&api.easy_perform = symbol(lib, "curl_easy_perform", &ok);
	*(void **)&api.easy_getinfo = symbol(lib, "curl_easy_getinfo", &ok);
	*(void **)&api.easy_cleanup = symbol(lib, "curl_easy_cleanup", &ok);
	*(void **)&api.easy_strerror = symbol(lib, "curl_easy_strerror", &ok);
	*(void **)&api.slist_append = symbol(lib, "curl_slist_append", &ok);
	*(void **)&api.slist_free_all = symbol(lib, "curl_slist_free_all", &ok);
	api.loaded = ok;
	return ok;
}

const char *aipkg_curl_load_error(void)
{
	return api.why[0] ? api.why : "libcurl was not loaded";
}

CURLcode __wrap_curl_global_init(long flags)
{
	return aipkg_curl_load() ? api.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *__wrap_curl_easy_init(void)
{
	return aipkg_curl_load() ? api.easy_init() : NULL;
}

/* The argument's type follows from the option's number, as curl reads it. */
CURLcode __wrap_curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	CURLcode r;
	va_list ap;

	if (!aipkg_curl_load())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		r = api.easy_setopt(c, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		r = api.easy_setopt(c, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		r = api.easy_setopt(c, opt, va_arg(ap, void (*)(void)));
#ifdef CURLOPTTYPE_BLOB
	else if (opt >= CURLOPTTYPE_BLOB)
		r = api.easy_setopt(c, opt, va_arg(ap, void *));
#endif
	else
		r = api.easy_setopt(c, opt, va_arg(ap, curl_off_t));
	va_end(ap);
	return r;
}

CURLcode __wrap_curl_easy_perform(CURL *c)
{
	return aipkg_curl_load() ? api.easy_perform(c) : CURLE_FAILED_INIT;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode __wrap_curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	CURLcode r;
	va_list ap;

	if (!aipkg_curl_load())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	r = api.easy_getinfo(c, info, va_arg(ap, void *));
	va_end(ap);
	return r;
}

void __wrap_curl_easy_cleanup(CURL *c)
{
	if (aipkg_curl_load())
		api.easy_cleanup(c);
}

const char *__wrap_curl_easy_strerror(CURLcode code)
{
	return aipkg_curl_load() ? api.easy_strerror(code) : aipkg_curl_load_error();
}

struct curl_slist *__wrap_curl_slist_append(struct curl_slist *list, const char *s)
{
	return aipkg_curl_load() ? api.slist_append(list, s) : NULL;
}

void __wrap_curl_slist_free_all(struct curl_slist *list)
{
	if (aipkg_curl_load())
		api.slist_free_all(list);
}
