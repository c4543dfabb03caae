/*
 * auth.c - nonce cache and per-key rate limits (see auth.h). Both are open
 * hash tables keyed by BLAKE2b of their key, under one mutex each; expired
 * nonces are dropped as the table is probed, and the table is bounded: when
 * full, the oldest-created entries make room only once they expire, and a
 * request that finds no room is refused as a replay would be (fail closed).
 */
#include "daemon/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_SLOTS (1u << 20) /* 1,048,576 nonces inside one window */
#define RATE_SLOTS 4096

struct nonce_slot {
	unsigned char tag[16]; /* BLAKE2b-128 of key || nonce; zero = empty */
	uint64_t expires;
};

struct rate_slot {
	unsigned char key[PLM_FPR_BYTES];
	int used;
	double tokens;
	uint64_t last_ms;
};

struct auth {
	pthread_mutex_t nonce_lock, rate_lock;
	struct nonce_slot *nonces;
	struct rate_slot *rates;
	uint64_t window;
	uint64_t per_minute;
	uint64_t started_at;
};

int auth_new(struct auth **out, uint64_t window, uint64_t per_minute,
             uint64_t started_at)
{
	struct auth *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (a == NULL)
		return -1;
	a->nonces = calloc(NONCE_SLOTS, sizeof(*a->nonces));
	a->rates = calloc(RATE_SLOTS, sizeof(*a->rates));
	if (a->nonces == NULL || a->rates == NULL) {
		auth_free(a);
		return -1;
	}
	pthread_mutex_init(&a->nonce_lock, NULL);
	pthread_mutex_init(&a->rate_lock, NULL);
	a->window = window;
	a->per_minute = per_minute;
	a->started_at = started_at;
	*out = a;
	return 0;
}

void auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	free(a->nonces);
	free(a->rates);
	free(a);
}

int auth_before_start(const struct auth *a, uint64_t created)
{
	/* The second the daemon started in is refused too: a request signed
	 * then may have reached the previous run, whose nonces are gone. */
	return created <= a->started_at;
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int auth_nonce_fresh(struct auth *a, const unsigned char key[PLM_FPR_BYTES],
                     const char *nonce, uint64_t created, uint64_t now)
{
	static const unsigned char zero[16];
	unsigned char input[PLM_FPR_BYTES + 65], tag[16];
	size_t nlen = strlen(nonce), i, slot, free_slot = NONCE_SLOTS;
	int r = -1;

	if (nlen > 64)
		return -1;
	memcpy(input, key, PLM_FPR_BYTES);
	memcpy(input + PLM_FPR_BYTES, nonce, nlen);
	crypto_generichash_blake2b(tag, sizeof(tag), input, PLM_FPR_BYTES + nlen, NULL, 0);
	if (memcmp(tag, zero, sizeof(zero)) == 0)
		tag[0] = 1;
	pthread_mutex_lock(&a->nonce_lock);
	slot = (size_t)(load64(tag) % NONCE_SLOTS);
	/* Linear probing over a bounded run of slots. */
	for (i = 0; i < 64; i++, slot = (slot + 1) % NONCE_SLOTS) {
		struct nonce_slot *s = &a->nonces[slot];
		if (memcmp(s->tag, zero, sizeof(zero)) != 0 && s->expires < now)
			memset(s, 0, sizeof(*s)); /* expired: reuse */
		if (memcmp(s->tag, zero, sizeof(zero)) == 0) {
			if (free_slot == NONCE_SLOTS)
				free_slot = slot;
			continue;
		}
		if (memcmp(s->tag, tag, sizeof(tag)) == 0)
			goto out; /* seen: a replay */
	}
	if (free_slot != NONCE_SLOTS) {
		memcpy(a->nonces[free_slot].tag, tag, sizeof(tag));
		/* Remember it until the signature could no longer pass the window. */
		a->nonces[free_slot].expires = created + a->window + 1;
		r = 0;
	}
out:
	pthread_mutex_unlock(&a->nonce_lock);
	return r;
}

int auth_rate_take(struct auth *a, const unsigned char key[PLM_FPR_BYTES],
                   uint64_t now_ms)
{
	struct rate_slot *s = NULL;
	size_t slot, i;
	double burst;
	int r = -1;

	pthread_mutex_lock(&a->rate_lock);
	if (a->per_minute == 0) {
		r = 0;
		goto out;
	}
	burst = (double)a->per_minute / 6.0 + 10.0; /* ten seconds' worth */
	slot = (size_t)(load64(key) % RATE_SLOTS);
	for (i = 0; i < RATE_SLOTS; i++, slot = (slot + 1) % RATE_SLOTS) {
		s = &a->rates[slot];
		if (!s->used || memcmp(s->key, key, PLM_FPR_BYTES) == 0)
			break;
		/* Evict buckets idle for a minute: they would be full anyway. */
		if (now_ms - s->last_ms > 60000) {
			s->used = 0;
			break;
		}
	}
	if (i == RATE_SLOTS) {
		r = 0; /* table full of active keys: do not punish newcomers */
		goto out;
	}
	if (!s->used) {
		memcpy(s->key, key, PLM_FPR_BYTES);
		s->used = 1;
		s->tokens = burst;
		s->last_ms = now_ms;
	}
	s->tokens += (double)(now_ms - s->last_ms) * (double)a->per_minute / 60000.0;
	if (s->tokens > burst)
		s->tokens = burst;
	s->last_ms = now_ms;
	if (s->tokens >= 1.0) {
		s->tokens -= 1.0;
		r = 0;
	}
out:
	pthread_mutex_unlock(&a->rate_lock);
	return r;
}

void auth_set_rate(struct auth *a, uint64_t per_minute)
{
	pthread_mutex_lock(&a->rate_lock);
	a->per_minute = per_minute;
	pthread_mutex_unlock(&a->rate_lock);
}
