/* TLS in front of a test server: a throwaway CA, a certificate for 127.0.0.1 it signed, and a pump to the plain handler. */
/* SPDX-License-Identifier: MIT */
/*
 * tls_setup(CA_FILE) makes a CA and a server certificate (EC P-256,
 * valid from an hour ago for a day, subjectAltName IP:127.0.0.1 and
 * DNS:localhost) in memory, writes the CA's certificate to CA_FILE for
 * the client to trust (SSL_CERT_FILE), and returns the server context.
 * Nothing is trusted that the test did not make, and no key is written.
 *
 * tls_serve(CTX, FD, HANDLE) completes the handshake on the accepted
 * socket FD, then runs HANDLE on one end of a socket pair in a child
 * process and relays between TLS and the other end until both sides are
 * done: every plain handler of the server works unchanged over TLS.
 */
#ifndef AIPKG_TESTS_TLSFRONT_H
#define AIPKG_TESTS_TLSFRONT_H

#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tool.h"

static void tls_die(const char *what)
{
	ERR_print_errors_fp(stderr);
	die("TLS set-up failed: %s", what);
}

static void tls_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);

	if (!e || !X509_add_ext(x, e, -1))
		tls_die(value);
	X509_EXTENSION_free(e);
}

/* A certificate for KEY named CN, signed by ISSUER (ISSUER_KEY); a
 * self-signed CA when ISSUER is NULL. */
static X509 *tls_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key)
{
	X509 *x = X509_new();
	X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
	X509V3_CTX v3;

	if (!x || !X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), issuer ? 2 : 1) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400) || !X509_set_pubkey(x, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name))
		tls_die("certificate fields");
	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	tls_ext(x, &v3, NID_subject_key_identifier, "hash");
	if (issuer) {
		tls_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
		tls_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE");
		tls_ext(x, &v3, NID_key_usage, "critical,digitalSignature");
		tls_ext(x, &v3, NID_ext_key_usage, "serverAuth");
		tls_ext(x, &v3, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
	} else {
		tls_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE");
		tls_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
	}
	if (!X509_sign(x, issuer ? issuer_key : key, EVP_sha256()))
		tls_die("signing");
	return x;
}

static SSL_CTX *tls_setup(const char *ca_file)
{
	EVP_PKEY *ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *ca, *cert;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	FILE *f;

	if (!ca_key || !key || !ctx)
		tls_die("keys");
	ca = tls_cert(ca_key, "aipkg test CA (throwaway)", NULL, NULL);
	cert = tls_cert(key, "127.0.0.1", ca, ca_key);
	if (!SSL_CTX_use_certificate(ctx, cert) || !SSL_CTX_use_PrivateKey(ctx, key))
		tls_die("server context");
	f = fopen(ca_file, "w");
	if (!f || !PEM_write_X509(f, ca) || fclose(f) != 0)
		die("cannot write %s", ca_file);
	X509_free(cert);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	return ctx;
}

/* Relay between SSL (on FD) and the plain socket PLAIN until the handler
 * has closed its end and everything it wrote was sent. */
static void tls_pump(SSL *ssl, int fd, int plain)
{
	struct pollfd p[2] = { { fd, POLLIN, 0 }, { plain, POLLIN, 0 } };
	char buf[16384];
	bool client_open = true;

	for (;;) {
		int n;

		if (!(client_open && SSL_pending(ssl) > 0) && poll(p, 2, -1) < 0)
			return;
		if (client_open && (SSL_pending(ssl) > 0 || p[0].revents)) {
			n = SSL_read(ssl, buf, sizeof(buf));
			if (n <= 0) {
				client_open = false;
				p[0].fd = -1;
				shutdown(plain, SHUT_WR);
			} else if (write_all(plain, buf, (size_t)n) < 0) {
				return;
			}
		}
		if (p[1].revents) {
			n = (int)read(plain, buf, sizeof(buf));
			if (n <= 0)
				return;
			if (SSL_write(ssl, buf, n) <= 0)
				return;
		}
	}
}

static void tls_serve(SSL_CTX *ctx, int fd, void (*handle)(int fd))
{
	SSL *ssl = SSL_new(ctx);
	int sv[2];
	pid_t pid;

	/* a client that does not trust the CA hangs up here: nothing to serve */
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_accept(ssl) <= 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		SSL_free(ssl);
		close(fd);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(fd);
		handle(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	if (pid > 0)
		tls_pump(ssl, fd, sv[0]);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(sv[0]);
	close(fd);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

#endif
