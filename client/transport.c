/* transport.c - signed HTTP requests on libcurl (see transport.h). */
#define _GNU_SOURCE
#include "client/transport.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/state.h"
#include "keys/httpsig.h"

#define URL_MAX 1024
#define PROGRESS_MIN (1u << 20)
#define TRANSFER_BUFFER (512L * 1024) /* libcurl receive and send buffers */

struct transport {
	char base[URL_MAX];       /* "http://127.0.0.1:8470", no trailing slash */
	const plm_identity *me;
	CURL *curl;
	int progress;
};

void response_free(struct response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

int transport_new_url(const char *url, const plm_identity *me, struct transport **out,
                      plm_error *err)
{
	static int curl_ready;
	struct transport *t;
	size_t n = strlen(url);

	*out = NULL;
	if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
	    n >= URL_MAX - 1)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the server URL must start with http:// or https://, "
		                     "like https://palermo.example.org");
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return plm_error_set(err, PLM_ERR_NET, "libcurl could not start");
		curl_ready = 1;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
	memcpy(t->base, url, n + 1);
	while (n > 0 && t->base[n - 1] == '/')
		t->base[--n] = '\0';
	t->me = me;
	t->progress = isatty(STDERR_FILENO);
	if ((t->curl = curl_easy_init()) == NULL) {
		free(t);
		return plm_error_set(err, PLM_ERR_NOMEM, "libcurl could not start");
	}
	*out = t;
	return 0;
}

int transport_new(struct state *st, const plm_identity *me, struct transport **out,
                  plm_error *err)
{
	char url[URL_MAX];

	if (state_get_str(st, "server", url, sizeof(url), NULL) != 0)
		return plm_error_set(err, PLM_ERR_NOTFOUND,
		                     "no server is set in this home; run `palermo init "
		                     "--server URL` first");
	return transport_new_url(url, me, out, err);
}

void transport_free(struct transport *t)
{
	if (t == NULL)
		return;
	curl_easy_cleanup(t->curl);
	free(t);
}

void transport_set_progress(struct transport *t, int on)
{
	t->progress = on;
}

/* Where a request's body comes from: memory or a file range. */
struct body_source {
	const unsigned char *mem;
	size_t mem_len, mem_off;
	int fd;
};

/* Where an answer's body goes: memory (bounded) or a file descriptor. */
struct sink {
	struct response *resp;
	size_t cap;
	int fd;            /* >= 0: stream the body here */
	int write_failed;
};

#define RESPONSE_MAX (64u << 20) /* a JSON answer larger than this is refused */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n, done = 0;
	unsigned char *p;
	ssize_t w;

	if (s->fd >= 0) {
		while (done < len) {
			w = write(s->fd, data + done, len - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				s->write_failed = 1;
				return 0;
			}
			done += (size_t)w;
		}
		return len;
	}
	if (s->resp->len + len > RESPONSE_MAX)
		return 0;
	if (s->resp->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->resp->len + len + 1)
			cap *= 2;
		p = realloc(s->resp->body, cap);
		if (p == NULL)
			return 0;
		s->resp->body = p;
		s->cap = cap;
	}
	memcpy(s->resp->body + s->resp->len, data, len);
	s->resp->len += len;
	s->resp->body[s->resp->len] = '\0';
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct response *resp = ctx;
	size_t len = size * n;
	char line[256];

	if (len >= sizeof(line))
		return len;
	memcpy(line, data, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncasecmp(line, "Upload-Offset:", 14) == 0) {
		resp->upload_offset = strtoull(line + 14, NULL, 10);
		resp->has_upload_offset = 1;
	} else if (strncasecmp(line, "Content-Type:", 13) == 0) {
		const char *v = line + 13;
		while (*v == ' ')
			v++;
		snprintf(resp->content_type, sizeof(resp->content_type), "%.95s", v);
	} else if (strncasecmp(line, "Date:", 5) == 0) {
		time_t t = curl_getdate(line + 5, NULL);
		if (t > 0)
			resp->date = (uint64_t)t;
	}
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
	struct body_source *src = ctx;
	size_t want = size * n;
	ssize_t got;

	if (src->fd >= 0) {
		do
			got = read(src->fd, buf, want);
		while (got < 0 && errno == EINTR);
		return got < 0 ? CURL_READFUNC_ABORT : (size_t)got;
	}
	if (want > src->mem_len - src->mem_off)
		want = src->mem_len - src->mem_off;
	memcpy(buf, src->mem + src->mem_off, want);
	src->mem_off += want;
	return want;
}

/* Draws "[=====>    ]  45%  12.3 MiB" on stderr. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	const char *what = ctx;
	curl_off_t total = ultotal > 0 ? ultotal : dltotal, now = ultotal > 0 ? ulnow : dlnow;
	char bar[31];
	int pct, i;

	if (total < (curl_off_t)PROGRESS_MIN)
		return 0;
	pct = (int)(now * 100 / total);
	for (i = 0; i < 30; i++)
		bar[i] = i < pct * 30 / 100 ? '=' : ' ';
	bar[30] = '\0';
	fprintf(stderr, "\r%s [%s] %3d%% %8.1f MiB", what, bar, pct, (double)now / 1048576.0);
	if (now >= total)
		fputc('\n', stderr);
	return 0;
}

/*
 * One request. BODY (memory) or BODY_FD + BODY_LEN (a file range already
 * positioned) give the body, whose Content-Digest is DIGEST (computed by the
 * caller for files). SINK_FD >= 0 streams the answer's body there. EXTRA is
 * one more header line or NULL.
 */
static int perform(struct transport *t, const char *method, const char *path,
                   const void *body, size_t len, int body_fd, uint64_t body_len,
                   const char *digest, int sink_fd, const char *extra,
                   const char *progress, struct response *resp, plm_error *err)
{
	char url[URL_MAX + 2048], input[PLM_HTTPSIG_INPUT_MAX], sig[PLM_HTTPSIG_SIG_MAX];
	char h_input[PLM_HTTPSIG_INPUT_MAX + 32], h_sig[PLM_HTTPSIG_SIG_MAX + 32];
	char h_digest[PLM_CONTENT_DIGEST_BYTES + 32], cd[PLM_CONTENT_DIGEST_BYTES];
	struct curl_slist *headers = NULL;
	struct body_source src = {body, len, 0, body_fd};
	struct sink sink = {resp, 0, sink_fd, 0};
	CURL *c = t->curl;
	CURLcode rc;
	int r = 0;

	memset(resp, 0, sizeof(*resp));
	if (strlen(path) >= 2048)
		return plm_error_set(err, PLM_ERR_INVALID, "request path too long");
	snprintf(url, sizeof(url), "%s%s", t->base, path);
	if (t->me != NULL) {
		if (digest == NULL) {
			plm_content_digest(body, len, cd);
			digest = cd;
		}
		if ((r = plm_httpsig_sign(method, url, digest, (uint64_t)time(NULL), NULL, t->me,
		                          input, sig, err)) != 0)
			return r;
		snprintf(h_input, sizeof(h_input), "Signature-Input: %s", input);
		snprintf(h_sig, sizeof(h_sig), "Signature: %s", sig);
		snprintf(h_digest, sizeof(h_digest), "Content-Digest: %s", digest);
		headers = curl_slist_append(headers, h_input);
		headers = curl_slist_append(headers, h_sig);
		headers = curl_slist_append(headers, h_digest);
	}
	headers = curl_slist_append(headers, "Expect:");
	if (extra != NULL)
		headers = curl_slist_append(headers, extra);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "palermo/0.1");
	/* libcurl's 16 KiB default means a recv per 16 KiB: curl(1) uses 100 KiB. */
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, TRANSFER_BUFFER);
	curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, TRANSFER_BUFFER);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &src);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		                 (curl_off_t)(body_fd >= 0 ? body_len : len));
	}
	if (progress != NULL && t->progress) {
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)progress);
	}
	rc = curl_easy_perform(c);
	curl_slist_free_all(headers);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		return 0;
	}
	if (sink.write_failed)
		r = plm_error_set(err, PLM_ERR_IO, "could not write what the server sent: %s",
		                  strerror(errno));
	else
		r = plm_error_set(err, PLM_ERR_NET,
		                  "cannot reach the server at %s (%s); check the network and "
		                  "try again",
		                  t->base, curl_easy_strerror(rc));
	response_free(resp);
	return r;
}

int transport_request(struct transport *t, const char *method, const char *path,
                      const void *body, size_t len, struct response *resp,
                      plm_error *err)
{
	return perform(t, method, path, body, len, -1, 0, NULL, -1, NULL, NULL, resp, err);
}

int transport_check(const struct response *resp, const char *what, plm_error *err)
{
	const char *detail = NULL;
	json_t *doc = NULL;
	int code;

	if (resp->status >= 200 && resp->status < 300)
		return 0;
	if (resp->body != NULL && strstr(resp->content_type, "json") != NULL &&
	    (doc = json_loadb((const char *)resp->body, resp->len, 0, NULL)) != NULL)
		detail = json_string_value(json_object_get(doc, "detail"));
	switch (resp->status) {
	case 401:
	case 403:
		code = PLM_ERR_DENIED;
		break;
	case 404:
		code = PLM_ERR_NOTFOUND;
		break;
	case 413:
		code = PLM_ERR_LIMIT;
		break;
	default:
		code = resp->status >= 500 ? PLM_ERR_NET : PLM_ERR_POLICY;
	}
	plm_error_set(err, code, "the server refused to %s (HTTP %ld): %s", what, resp->status,
	              detail ? detail : "no reason given");
	json_decref(doc);
	return code;
}

int transport_json(struct transport *t, const char *method, const char *path,
                   const void *body, size_t len, json_t **out, plm_error *err)
{
	struct response resp;
	json_error_t jerr;
	int r;

	*out = NULL;
	if ((r = transport_request(t, method, path, body, len, &resp, err)) != 0)
		return r;
	if ((r = transport_check(&resp, path, err)) == 0) {
		*out = json_loadb((const char *)resp.body, resp.len, 0, &jerr);
		if (*out == NULL)
			r = plm_error_set(err, PLM_ERR_FORMAT,
			                  "the server's answer to %s is not valid JSON", path);
	}
	response_free(&resp);
	return r;
}

int transport_download(struct transport *t, const char *path, int fd, uint64_t offset,
                       uint64_t total, plm_error *err)
{
	struct response resp;
	char range[64], what[64];
	int r;

	(void)total;
	snprintf(range, sizeof(range), "Range: bytes=%llu-", (unsigned long long)offset);
	snprintf(what, sizeof(what), "download");
	r = perform(t, "GET", path, NULL, 0, -1, 0, NULL, fd, offset ? range : NULL, what,
	            &resp, err);
	if (r != 0)
		return r;
	if (resp.status != 200 && resp.status != 206) {
		r = transport_check(&resp, "send the document", err);
		response_free(&resp);
		return r ? r : plm_error_set(err, PLM_ERR_NET, "unexpected answer");
	}
	response_free(&resp);
	return 0;
}

/* 1 if RESP is a problem+json answer of type "/problems/NAME". */
static int problem_is(const struct response *resp, const char *name)
{
	const char *type;
	char want[96];
	json_t *doc;
	int match = 0;

	if (resp->body == NULL || strstr(resp->content_type, "json") == NULL ||
	    (doc = json_loadb((const char *)resp->body, resp->len, 0, NULL)) == NULL)
		return 0;
	snprintf(want, sizeof(want), "/problems/%s", name);
	type = json_string_value(json_object_get(doc, "type"));
	match = type != NULL && strcmp(type, want) == 0;
	json_decref(doc);
	return match;
}

/* SHA-256 Content-Digest of FD's bytes from OFFSET to the end; leaves FD at OFFSET. */
static int digest_file(int fd, uint64_t offset, char value[PLM_CONTENT_DIGEST_BYTES],
                       uint64_t *len, plm_error *err)
{
	plm_content_digest_state st;
	unsigned char buf[1 << 16];
	ssize_t n;

	*len = 0;
	if (lseek(fd, (off_t)offset, SEEK_SET) < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read the sealed envelope");
	plm_content_digest_init(&st);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		plm_content_digest_update(&st, buf, (size_t)n);
		*len += (uint64_t)n;
	}
	if (n < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read the sealed envelope");
	plm_content_digest_final(&st, NULL, value);
	if (lseek(fd, (off_t)offset, SEEK_SET) < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot read the sealed envelope");
	return 0;
}

int transport_upload(struct transport *t, const char *review,
                     const unsigned char upload_id[TRANSPORT_UPLOAD_ID_BYTES],
                     const char *file, json_t **out, plm_error *err)
{
	char path[512], uid[2 * TRANSPORT_UPLOAD_ID_BYTES + 1], digest[PLM_CONTENT_DIGEST_BYTES];
	char offset_header[64];
	struct response resp;
	uint64_t offset = 0, len;
	int fd, r, attempt;

	*out = NULL;
	plm_hex(uid, upload_id, TRANSPORT_UPLOAD_ID_BYTES);
	snprintf(path, sizeof(path), "/v1/reviews/%s/uploads/%s", review, uid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot open %s: %s", file, strerror(errno));
	for (attempt = 0; attempt < 3; attempt++) {
		/* Where does the server stand? */
		if ((r = transport_request(t, "HEAD", path, NULL, 0, &resp, err)) != 0)
			break;
		if ((r = transport_check(&resp, "accept the upload", err)) != 0) {
			response_free(&resp);
			break;
		}
		offset = resp.has_upload_offset ? resp.upload_offset : 0;
		response_free(&resp);
		if ((r = digest_file(fd, offset, digest, &len, err)) != 0)
			break;
		snprintf(offset_header, sizeof(offset_header), "Upload-Offset: %llu",
		         (unsigned long long)offset);
		r = perform(t, "PUT", path, NULL, 0, fd, len, digest, -1, offset_header, "upload",
		            &resp, err);
		if (r != 0)
			break; /* network: the outbox keeps it; the next sync resumes */
		if (resp.status == 409 && attempt < 2) {
			response_free(&resp);
			continue; /* the offset moved (a parallel attempt): ask again */
		}
		if (resp.status == 409 && (problem_is(&resp, "upload-busy") ||
		                           problem_is(&resp, "offset-mismatch"))) {
			/* Still busy or moving: transient, the item stays queued. */
			response_free(&resp);
			r = plm_error_set(err, PLM_ERR_NET,
			                  "the server is still finishing an earlier attempt of "
			                  "this upload; it will be resumed at the next sync");
			break;
		}
		if ((r = transport_check(&resp, "accept the document", err)) == 0) {
			if (resp.status == 202)
				r = plm_error_set(err, PLM_ERR_NET,
				                  "the server kept only part of the document; it "
				                  "will be resumed at the next sync");
			else if ((*out = json_loadb((const char *)resp.body, resp.len, 0, NULL)) ==
			         NULL)
				r = plm_error_set(err, PLM_ERR_FORMAT,
				                  "the server's answer to the upload is not JSON");
		}
		response_free(&resp);
		break;
	}
	close(fd);
	return r;
}
