/*
 * evil.h - the one hook of the malicious relay of the tests (tests/t50*.sh,
 * docs/SECURITY.md). Only build/tests/palermod-evil is compiled with
 * -DPLM_EVIL; in bin/palermod evil_accept() is the constant 0 and the
 * compiler drops what it guards, so the released daemon has no such mode.
 */
#ifndef PALERMOD_EVIL_H
#define PALERMOD_EVIL_H

#ifdef PLM_EVIL
#include <stdlib.h>
#include <string.h>

/*
 * PLM_EVIL=accept in the environment: store and log what the review state
 * refuses (an observer's document, a forked roster), so that the tests can
 * show that every client refuses it by its own replay of policies/review.c.
 */
static inline int evil_accept(void)
{
	const char *mode = getenv("PLM_EVIL");

	return mode != NULL && strcmp(mode, "accept") == 0;
}
#else
#define evil_accept() 0
#endif

#endif
