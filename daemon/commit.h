/*
 * commit.h - group commit of small envelopes (docs/ARCHITECTURE.md "Group
 * commit"): requests whose envelope is verified hand it over and wait; one
 * of them at a time (the leader) takes every envelope waiting, appends their
 * bodies to a pack with one fdatasync (blobs.h), checks them again against
 * their reviews and records them with their log leaves in one SQLite
 * transaction (reviews_commit_envelopes), then wakes them all. Nobody is
 * answered before the transaction that records its envelope is durable.
 */
#ifndef PALERMOD_COMMIT_H
#define PALERMOD_COMMIT_H

#include <pthread.h>
#include <stddef.h>

#include "daemon/store.h"
#include "keys/envelope.h"
#include "keys/error.h"

struct server;

/* The largest envelope that goes through the group commit (whole, in memory). */
#define COMMIT_SMALL_MAX ((size_t)64 << 10)

/* One envelope handed to the group commit. */
struct commit_item {
	const plm_envelope_header *header; /* as verified */
	const unsigned char *bytes;        /* the whole envelope */
	size_t len;
	struct store_envelope env; /* its metadata; seq etc. filled */
	/* out */
	int result; /* 0 stored, PLM_ERR_EXISTS already stored, else refused */
	plm_error err;
	/* the queue's own */
	int done;
	pthread_cond_t wake;
	struct commit_item *next;
};

/*
 * Hands ITEM over and waits until it is durably stored (item->result 0),
 * found already stored (PLM_ERR_EXISTS, item->env.seq the stored copy's),
 * refused by its review's current state (item->err says why) or failed
 * (PLM_ERR_IO: not stored, the client may retry). Blocks the calling thread
 * for one or two batches.
 */
void commit_envelope(struct server *srv, struct commit_item *item);

#endif
