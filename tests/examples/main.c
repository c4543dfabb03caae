/*
 * main.c - prints every worked example of docs/PROTOCOL.md (see examples.h).
 * Deterministic: libsodium's random source is replaced, before sodium_init,
 * by ChaCha20 keyed with a fixed key, so every nonce, ephemeral key and
 * random id comes out the same on every run and every machine.
 */
#include "examples.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "keys/crypto.h"

static unsigned char rng_key[crypto_stream_chacha20_KEYBYTES];
static uint64_t rng_counter;

static const char *rng_name(void)
{
	return "palermo-examples";
}

static void rng_buf(void *const buf, const size_t size)
{
	unsigned char nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
	size_t i;

	for (i = 0; i < 8; i++)
		nonce[i] = (unsigned char)(rng_counter >> (8 * i));
	rng_counter++;
	crypto_stream_chacha20((unsigned char *)buf, size, nonce, rng_key);
}

static uint32_t rng_random(void)
{
	uint32_t v;

	rng_buf(&v, sizeof(v));
	return v;
}

static struct randombytes_implementation deterministic = {
    .implementation_name = rng_name,
    .random = rng_random,
    .stir = NULL,
    .uniform = NULL,
    .buf = rng_buf,
    .close = NULL,
};

void example_block(const char *name, const char *caption,
                   const unsigned char *bytes, size_t len)
{
	size_t i;

	printf("<!-- example %s -->\n", name);
	if (caption != NULL)
		printf("%s (%zu bytes):\n\n", caption, len);
	printf("```text\n");
	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			printf("%s%04zx ", i ? "\n" : "", i);
		printf(" %02x", bytes[i]);
	}
	printf("\n```\n<!-- /example -->\n");
}

void example_text(const char *name, const char *text)
{
	printf("<!-- example %s -->\n```text\n%s\n```\n<!-- /example -->\n", name, text);
}

void example_die(const char *what, int code, const char *msg)
{
	fprintf(stderr, "protocol-examples: %s failed (%d): %s\n", what, code,
	        msg ? msg : "");
	exit(1);
}

void example_seed(unsigned char seed[32], unsigned char n)
{
	size_t i;

	for (i = 0; i < 32; i++)
		seed[i] = (unsigned char)(n + i);
}

int main(void)
{
	memset(rng_key, 0x42, sizeof(rng_key));
	randombytes_set_implementation(&deterministic);
	if (sodium_init() < 0)
		example_die("sodium_init", -1, NULL);
	/* Each module draws from its own stretch of the stream, so that a change
	 * to one module's examples does not change the bytes of the others. */
	rng_counter = (uint64_t)1 << 32;
	examples_crypto();
	rng_counter = (uint64_t)2 << 32;
	examples_keystore();
	rng_counter = (uint64_t)3 << 32;
	examples_records();
	rng_counter = (uint64_t)4 << 32;
	examples_envelope();
	rng_counter = (uint64_t)5 << 32;
	examples_merkle();
	rng_counter = (uint64_t)6 << 32;
	examples_history();
	rng_counter = (uint64_t)9 << 32;
	examples_archive();
	examples_parties();
	return 0;
}
