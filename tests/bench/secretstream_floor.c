/*
 * secretstream_floor.c - the floor for sealing: the raw libsodium
 * secretstream loop over a file, 64 KiB chunks, no header, no manifest, no
 * digest, no signature. make bench measures plm_envelope_seal against it.
 *
 *   secretstream_floor IN OUT     encrypt IN into OUT (no fsync, like age)
 *   secretstream_floor hash IN    BLAKE2b-256 of IN, 64 KiB at a time
 *
 * Not a file format: OUT is only there to pay for the same writes.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

/*
 * Reads (WRITING 0) or writes (1) N bytes of BUF, retrying short transfers;
 * a read stops early at end of file. Returns the count, or -1.
 */
static ssize_t transfer(int fd, unsigned char *buf, size_t n, int writing)
{
	size_t done = 0;
	ssize_t k;

	while (done < n) {
		k = writing ? write(fd, buf + done, n - done)
		            : read(fd, buf + done, n - done);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		done += (size_t)k;
	}
	return (ssize_t)done;
}

/* BLAKE2b-256 of IN_FD, printed in hex: the cost of the envelope digest. */
static int hash_fd(int in_fd)
{
	static unsigned char plain[CHUNK];
	unsigned char out[32];
	char hex[65];
	crypto_generichash_state st;
	ssize_t got;

	crypto_generichash_init(&st, NULL, 0, sizeof(out));
	while ((got = transfer(in_fd, plain, CHUNK, 0)) > 0)
		crypto_generichash_update(&st, plain, (size_t)got);
	if (got < 0)
		return 1;
	crypto_generichash_final(&st, out, sizeof(out));
	printf("%s\n", sodium_bin2hex(hex, sizeof(hex), out, sizeof(out)));
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char plain[CHUNK],
	    cipher[CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES];
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned long long clen;
	ssize_t got;
	int in, out;
	unsigned char tag;

	if (sodium_init() < 0 || argc != 3) {
		fprintf(stderr, "usage: secretstream_floor IN OUT | hash IN\n");
		return 2;
	}
	if (strcmp(argv[1], "hash") == 0) {
		if ((in = open(argv[2], O_RDONLY)) < 0)
			return 1;
		return hash_fd(in);
	}
	if ((in = open(argv[1], O_RDONLY)) < 0 ||
	    (out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror("open");
		return 1;
	}
	crypto_secretstream_xchacha20poly1305_keygen(key);
	crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
	if (transfer(out, header, sizeof(header), 1) != (ssize_t)sizeof(header))
		return 1;
	do {
		if ((got = transfer(in, plain, CHUNK, 0)) < 0)
			return 1;
		tag = got < CHUNK ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
		                  : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
		crypto_secretstream_xchacha20poly1305_push(&st, cipher, &clen, plain,
		                                           (size_t)got, NULL, 0, tag);
		if (transfer(out, cipher, (size_t)clen, 1) != (ssize_t)clen)
			return 1;
	} while (got == CHUNK);
	if (close(out) != 0)
		return 1;
	return 0;
}
