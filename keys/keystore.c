/* keystore.c - passphrase-protected keystore file (see keystore.h, PROTOCOL.md §4). */
#include "keys/keystore.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/codec.h"

/* Field offsets of the keystore file (PROTOCOL.md §4.1). */
enum {
	OFF_MAGIC = 0,
	OFF_VERSION = 4,
	OFF_KDF = 5,
	OFF_OPSLIMIT = 6,
	OFF_MEMLIMIT = 14,
	OFF_SALT = 22,
	OFF_SIGN_PK = 38,
	OFF_BOX_PK = 70,
	OFF_NONCE = 102,
	OFF_CIPHERTEXT = 126,
	OFF_CHECKSUM = 174,
};

_Static_assert(OFF_SIGN_PK + PLM_SIGN_PK_BYTES == OFF_BOX_PK, "layout");
_Static_assert(OFF_BOX_PK + PLM_BOX_PK_BYTES == OFF_NONCE, "layout");
_Static_assert(OFF_NONCE + PLM_NONCE_BYTES == OFF_CIPHERTEXT, "layout");
_Static_assert(OFF_CIPHERTEXT == PLM_KEYSTORE_AD_BYTES, "layout");
_Static_assert(OFF_CIPHERTEXT + PLM_KEYSTORE_CIPHERTEXT_BYTES == OFF_CHECKSUM,
               "layout");
_Static_assert(OFF_CHECKSUM == PLM_KEYSTORE_CHECKED_BYTES, "layout");
_Static_assert(OFF_CHECKSUM + PLM_HASH_BYTES == PLM_KEYSTORE_BYTES, "layout");
_Static_assert(PLM_KEYSTORE_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(PLM_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
               "nonce size");
_Static_assert(PLM_KEYSTORE_CIPHERTEXT_BYTES ==
                   PLM_SEED_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "ciphertext size");
_Static_assert(PLM_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
               "key size");
_Static_assert(PLM_KDF_OPSLIMIT_MIN == crypto_pwhash_OPSLIMIT_MIN, "kdf");
_Static_assert(PLM_KDF_OPSLIMIT_INTERACTIVE == crypto_pwhash_OPSLIMIT_INTERACTIVE,
               "kdf");
_Static_assert(PLM_KDF_OPSLIMIT_MODERATE == crypto_pwhash_OPSLIMIT_MODERATE, "kdf");
_Static_assert(PLM_KDF_OPSLIMIT_MAX == crypto_pwhash_OPSLIMIT_SENSITIVE, "kdf");
_Static_assert(PLM_KDF_MEMLIMIT_MIN == crypto_pwhash_MEMLIMIT_MIN, "kdf");
_Static_assert(PLM_KDF_MEMLIMIT_INTERACTIVE == crypto_pwhash_MEMLIMIT_INTERACTIVE,
               "kdf");
_Static_assert(PLM_KDF_MEMLIMIT_MODERATE == crypto_pwhash_MEMLIMIT_MODERATE, "kdf");
_Static_assert(PLM_KDF_MEMLIMIT_MAX == crypto_pwhash_MEMLIMIT_SENSITIVE, "kdf");

#define DAMAGED_ADVICE                                                                 \
	"restore it from a backup or ask the secretariat to certify new keys"

static int limits_valid(plm_kdf_limits limits)
{
	return limits.opslimit >= PLM_KDF_OPSLIMIT_MIN &&
	       limits.opslimit <= PLM_KDF_OPSLIMIT_MAX &&
	       limits.memlimit >= PLM_KDF_MEMLIMIT_MIN &&
	       limits.memlimit <= PLM_KDF_MEMLIMIT_MAX;
}

/* Checks a caller's passphrase argument: present and not empty. */
static int passphrase_valid(const unsigned char *passphrase, size_t passlen,
                            plm_error *err)
{
	if (passphrase == NULL || passlen == 0)
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "the passphrase is empty; a keystore needs a "
		                     "passphrase");
	return 0;
}

/* Checks caller-chosen Argon2id limits against the bounds a reader accepts. */
static int limits_argument_valid(plm_kdf_limits limits, plm_error *err)
{
	if (!limits_valid(limits))
		return plm_error_set(err, PLM_ERR_INVALID,
		                     "Argon2id limits opslimit %llu, memlimit %llu "
		                     "bytes are outside %llu..%llu and %llu..%llu",
		                     (unsigned long long)limits.opslimit,
		                     (unsigned long long)limits.memlimit,
		                     PLM_KDF_OPSLIMIT_MIN, PLM_KDF_OPSLIMIT_MAX,
		                     PLM_KDF_MEMLIMIT_MIN, PLM_KDF_MEMLIMIT_MAX);
	return 0;
}

/*
 * Derives the 32-byte file key from PASSPHRASE with Argon2id v1.3
 * (PROTOCOL.md §4.3). KEY must be secret memory. Fails with PLM_ERR_NOMEM
 * when the system refuses Argon2id its memory.
 */
static int derive_key(unsigned char key[PLM_KEY_BYTES], const unsigned char *passphrase,
                      size_t passlen, const unsigned char salt[PLM_KEYSTORE_SALT_BYTES],
                      plm_kdf_limits limits, plm_error *err)
{
	if (crypto_pwhash(key, PLM_KEY_BYTES, (const char *)passphrase, passlen, salt,
	                  limits.opslimit, (size_t)limits.memlimit,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_memzero(key, PLM_KEY_BYTES);
		return plm_error_set(err, PLM_ERR_NOMEM,
		                     "Argon2id could not get the %llu bytes of memory "
		                     "it needs to derive the keystore key; close other "
		                     "programs and try again",
		                     (unsigned long long)limits.memlimit);
	}
	return 0;
}

/* Puts PREFIX in front of the message already in ERR; returns CODE. */
static int error_prefix(plm_error *err, int code, const char *prefix)
{
	char message[PLM_ERROR_MESSAGE_MAX];

	if (err == NULL)
		return code;
	memcpy(message, err->message, sizeof(message));
	message[sizeof(message) - 1] = '\0';
	return plm_error_set(err, code, "%s%s", prefix, message);
}

/* Names the file PATH in front of the message already in ERR; returns CODE. */
static int error_in_file(plm_error *err, int code, const char *path)
{
	char prefix[PLM_ERROR_MESSAGE_MAX];

	snprintf(prefix, sizeof(prefix), "%s: ", path);
	return error_prefix(err, code, prefix);
}

/* An errno value as text, thread-safely (XSI strerror_r). */
static const char *errno_text(int errnum, char *buf, size_t len)
{
	if (strerror_r(errnum, buf, len) != 0)
		snprintf(buf, len, "error %d", errnum);
	return buf;
}

int plm_keystore_lock(unsigned char out[PLM_KEYSTORE_BYTES], const plm_identity *id,
                      const unsigned char *passphrase, size_t passlen,
                      plm_kdf_limits limits, plm_error *err)
{
	unsigned char *key = NULL;
	int r;

	memset(out, 0, PLM_KEYSTORE_BYTES);
	if (id == NULL) {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "no identity was given to store in the keystore");
		goto out;
	}
	if ((r = passphrase_valid(passphrase, passlen, err)) != 0)
		goto out;
	if ((r = limits_argument_valid(limits, err)) != 0)
		goto out;
	if ((r = plm_init(err)) != 0)
		goto out;
	if ((key = plm_secret_alloc(PLM_KEY_BYTES)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM,
		                  "out of secure memory for the keystore key");
		goto out;
	}

	/* PROTOCOL.md §4.1: the cleartext part, which is also the AD. */
	memcpy(out + OFF_MAGIC, PLM_KEYSTORE_MAGIC, 4);
	out[OFF_VERSION] = PLM_KEYSTORE_VERSION;
	out[OFF_KDF] = PLM_KEYSTORE_KDF_ARGON2ID13;
	plm_store_u64(out + OFF_OPSLIMIT, limits.opslimit);
	plm_store_u64(out + OFF_MEMLIMIT, limits.memlimit);
	randombytes_buf(out + OFF_SALT, PLM_KEYSTORE_SALT_BYTES);
	memcpy(out + OFF_SIGN_PK, id->pub.sign_pk, PLM_SIGN_PK_BYTES);
	memcpy(out + OFF_BOX_PK, id->pub.box_pk, PLM_BOX_PK_BYTES);
	randombytes_buf(out + OFF_NONCE, PLM_NONCE_BYTES);

	/* PROTOCOL.md §4.3 */
	if ((r = derive_key(key, passphrase, passlen, out + OFF_SALT, limits, err)) !=
	    0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
	        out + OFF_CIPHERTEXT, NULL, id->seed, PLM_SEED_BYTES, out,
	        PLM_KEYSTORE_AD_BYTES, NULL, out + OFF_NONCE, key) != 0) {
		r = plm_error_set(err, PLM_ERR_CRYPTO,
		                  "encrypting the identity seed failed");
		goto out;
	}
	plm_hash(out + OFF_CHECKSUM, out, PLM_KEYSTORE_CHECKED_BYTES);
	r = 0;
out:
	if (r != 0)
		memset(out, 0, PLM_KEYSTORE_BYTES);
	plm_secret_free(key);
	return r;
}

int plm_keystore_parse(const unsigned char *bytes, size_t len, plm_keystore *out,
                       plm_error *err)
{
	unsigned char checksum[PLM_HASH_BYTES];
	size_t magic_len = len < 4 ? len : 4;
	int r;

	memset(out, 0, sizeof(*out));
	if (bytes == NULL && len > 0) {
		r = plm_error_set(err, PLM_ERR_INVALID, "no keystore bytes were given");
		goto out;
	}
	/* PROTOCOL.md §4.2 step 1: what format is this, on whatever is there. */
	if (magic_len > 0 && memcmp(bytes, PLM_KEYSTORE_MAGIC, magic_len) != 0) {
		r = plm_error_set(err, PLM_ERR_VERSION,
		                  "this is not a Palermo keystore file (it does not "
		                  "start with \"PLMK\")");
		goto out;
	}
	if (len > OFF_VERSION && bytes[OFF_VERSION] != PLM_KEYSTORE_VERSION) {
		r = plm_error_set(err, PLM_ERR_VERSION,
		                  "the keystore has format version %u, which this "
		                  "version of Palermo cannot read; upgrade palermo",
		                  bytes[OFF_VERSION]);
		goto out;
	}
	if (len > OFF_KDF && bytes[OFF_KDF] != PLM_KEYSTORE_KDF_ARGON2ID13) {
		r = plm_error_set(err, PLM_ERR_VERSION,
		                  "the keystore uses key derivation function %u, "
		                  "which this version of Palermo does not know; "
		                  "upgrade palermo",
		                  bytes[OFF_KDF]);
		goto out;
	}
	/* Step 2: size. */
	if (len < PLM_KEYSTORE_BYTES) {
		r = plm_error_set(
		    err, PLM_ERR_CORRUPT,
		    "the keystore file is truncated (%zu of %d bytes); " DAMAGED_ADVICE,
		    len, PLM_KEYSTORE_BYTES);
		goto out;
	}
	if (len > PLM_KEYSTORE_BYTES) {
		r = plm_error_set(err, PLM_ERR_CORRUPT,
		                  "the keystore file is longer than the %d bytes of "
		                  "a keystore; " DAMAGED_ADVICE,
		                  PLM_KEYSTORE_BYTES);
		goto out;
	}
	/* Step 3: checksum, so that damage is never taken for a wrong passphrase. */
	plm_hash(checksum, bytes, PLM_KEYSTORE_CHECKED_BYTES);
	if (sodium_memcmp(checksum, bytes + OFF_CHECKSUM, PLM_HASH_BYTES) != 0) {
		r = plm_error_set(err, PLM_ERR_CORRUPT,
		                  "the keystore file is damaged; " DAMAGED_ADVICE);
		goto out;
	}

	out->version = bytes[OFF_VERSION];
	out->kdf = bytes[OFF_KDF];
	out->limits.opslimit = plm_load_u64(bytes + OFF_OPSLIMIT);
	out->limits.memlimit = plm_load_u64(bytes + OFF_MEMLIMIT);
	memcpy(out->salt, bytes + OFF_SALT, PLM_KEYSTORE_SALT_BYTES);
	memcpy(out->pub.sign_pk, bytes + OFF_SIGN_PK, PLM_SIGN_PK_BYTES);
	memcpy(out->pub.box_pk, bytes + OFF_BOX_PK, PLM_BOX_PK_BYTES);
	memcpy(out->nonce, bytes + OFF_NONCE, PLM_NONCE_BYTES);
	memcpy(out->ciphertext, bytes + OFF_CIPHERTEXT, PLM_KEYSTORE_CIPHERTEXT_BYTES);
	memcpy(out->checksum, bytes + OFF_CHECKSUM, PLM_HASH_BYTES);

	/* Step 4: Argon2id limits, before anything runs with them. */
	if (!limits_valid(out->limits)) {
		r = plm_error_set(err, PLM_ERR_CORRUPT,
		                  "the keystore asks for Argon2id limits outside the "
		                  "accepted range (opslimit %llu, memlimit %llu "
		                  "bytes); it was damaged or altered: " DAMAGED_ADVICE,
		                  (unsigned long long)out->limits.opslimit,
		                  (unsigned long long)out->limits.memlimit);
		goto out;
	}
	r = 0;
out:
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int plm_keystore_unlock(const unsigned char *bytes, size_t len,
                        const unsigned char *passphrase, size_t passlen,
                        plm_identity **out, plm_error *err)
{
	plm_keystore keystore;
	unsigned char *key = NULL, *seed = NULL;
	plm_identity *id = NULL;
	int r;

	*out = NULL;
	if ((r = passphrase_valid(passphrase, passlen, err)) != 0)
		goto out;
	if ((r = plm_init(err)) != 0)
		goto out;
	if ((r = plm_keystore_parse(bytes, len, &keystore, err)) != 0)
		goto out;
	key = plm_secret_alloc(PLM_KEY_BYTES);
	seed = plm_secret_alloc(PLM_SEED_BYTES);
	if (key == NULL || seed == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM,
		                  "out of secure memory for the keystore key");
		goto out;
	}
	/* PROTOCOL.md §4.2 steps 5 and 6. */
	if ((r = derive_key(key, passphrase, passlen, keystore.salt, keystore.limits,
	                    err)) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	        seed, NULL, NULL, keystore.ciphertext, PLM_KEYSTORE_CIPHERTEXT_BYTES,
	        bytes, PLM_KEYSTORE_AD_BYTES, keystore.nonce, key) != 0) {
		r = plm_error_set(err, PLM_ERR_PASSPHRASE,
		                  "wrong passphrase: it does not unlock this keystore");
		goto out;
	}
	/* Step 7: the seed must give the public keys stored in clear. */
	if ((r = plm_identity_from_seed(&id, seed, err)) != 0)
		goto out;
	if (sodium_memcmp(id->pub.sign_pk, keystore.pub.sign_pk, PLM_SIGN_PK_BYTES) !=
	        0 ||
	    sodium_memcmp(id->pub.box_pk, keystore.pub.box_pk, PLM_BOX_PK_BYTES) != 0) {
		r = plm_error_set(
		    err, PLM_ERR_CORRUPT,
		    "the public keys in the keystore do not belong to "
		    "its secret seed, so the file was altered; " DAMAGED_ADVICE);
		goto out;
	}
	*out = id;
	id = NULL;
	r = 0;
out:
	plm_identity_free(id);
	plm_secret_free(seed);
	plm_secret_free(key);
	return r;
}

/*
 * Reads the file at PATH into BUF: at most PLM_KEYSTORE_BYTES + 1 bytes, so
 * that a longer file shows up as too long without being read in full. PATH
 * must be a regular file, not a symbolic link. PLM_ERR_NOTFOUND if it does
 * not exist, PLM_ERR_IO otherwise.
 */
static int read_keystore_file(const char *path,
                              unsigned char buf[PLM_KEYSTORE_BYTES + 1], size_t *len,
                              plm_error *err)
{
	char why[128];
	struct stat st;
	ssize_t n;
	int fd = -1, r;

	*len = 0;
	/* O_NONBLOCK: a FIFO planted at PATH must not hang us before fstat. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			r = plm_error_set(err, PLM_ERR_NOTFOUND,
			                  "there is no keystore at %s; create one "
			                  "with \"palermo init\"",
			                  path);
		else if (errno == ELOOP)
			r = plm_error_set(err, PLM_ERR_IO,
			                  "refusing to open the keystore %s: it is a "
			                  "symbolic link, and a keystore must be a "
			                  "regular file",
			                  path);
		else
			r = plm_error_set(err, PLM_ERR_IO,
			                  "cannot open the keystore %s: %s", path,
			                  errno_text(errno, why, sizeof(why)));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot examine the keystore %s: %s",
		                  path, errno_text(errno, why, sizeof(why)));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = plm_error_set(err, PLM_ERR_IO,
		                  "refusing to read the keystore %s: it is not a "
		                  "regular file",
		                  path);
		goto out;
	}
	while (*len < PLM_KEYSTORE_BYTES + 1) {
		n = read(fd, buf + *len, PLM_KEYSTORE_BYTES + 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = plm_error_set(err, PLM_ERR_IO,
			                  "cannot read the keystore %s: %s", path,
			                  errno_text(errno, why, sizeof(why)));
			goto out;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/*
 * fsyncs the folder that holds PATH, so that a file just created or renamed
 * there survives a crash. File systems that cannot fsync a folder (EINVAL)
 * are tolerated. PLM_ERR_IO or PLM_ERR_NOMEM on failure.
 */
static int fsync_parent(const char *path, plm_error *err)
{
	const char *slash = strrchr(path, '/');
	char *folder = NULL, why[128];
	size_t len;
	int fd = -1, r;

	if (slash == NULL)
		len = 0;
	else if (slash == path)
		len = 1; /* the file is in "/" */
	else
		len = (size_t)(slash - path);
	if ((folder = malloc(len + 2)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (len == 0) {
		strcpy(folder, ".");
	} else {
		memcpy(folder, path, len);
		folder[len] = '\0';
	}
	fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot open the folder %s: %s",
		                  folder, errno_text(errno, why, sizeof(why)));
		goto out;
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		r = plm_error_set(err, PLM_ERR_IO,
		                  "cannot flush the folder %s to disk: %s", folder,
		                  errno_text(errno, why, sizeof(why)));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(folder);
	return r;
}

/*
 * Creates PATH, which must not exist (O_EXCL; a symbolic link there counts
 * as existing and is not followed), mode 0600, and writes LEN bytes to it,
 * fsynced and closed. The folder is not fsynced here. PLM_ERR_EXISTS leaves
 * whatever is at PATH alone; on any other failure the new file is removed.
 */
static int write_new_file(const char *path, const unsigned char *bytes, size_t len,
                          plm_error *err)
{
	char why[128];
	struct stat st;
	size_t done = 0;
	ssize_t n;
	int fd = -1, created = 0, r;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			r = plm_error_set(err, PLM_ERR_EXISTS,
			                  "refusing to write a keystore to %s: a "
			                  "symbolic link is there, and it is not "
			                  "followed",
			                  path);
		else if (errno == EEXIST)
			r = plm_error_set(
			    err, PLM_ERR_EXISTS,
			    "refusing to overwrite %s: a file is already "
			    "there; move it away first if you really mean "
			    "to replace it",
			    path);
		else
			r = plm_error_set(err, PLM_ERR_IO, "cannot create %s: %s", path,
			                  errno_text(errno, why, sizeof(why)));
		goto out;
	}
	created = 1;
	/* The umask may only have removed bits; make it exactly 0600. */
	if (fchmod(fd, 0600) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot set the mode of %s: %s",
		                  path, errno_text(errno, why, sizeof(why)));
		goto out;
	}
	while (done < len) {
		n = write(fd, bytes + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = plm_error_set(err, PLM_ERR_IO, "cannot write %s: %s", path,
			                  errno_text(errno, why, sizeof(why)));
			goto out;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot flush %s to disk: %s", path,
		                  errno_text(errno, why, sizeof(why)));
		goto out;
	}
	n = close(fd);
	fd = -1;
	if (n != 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot close %s: %s", path,
		                  errno_text(errno, why, sizeof(why)));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (r != 0 && created)
		unlink(path);
	return r;
}

int plm_keystore_create(const char *path, const plm_identity *id,
                        const unsigned char *passphrase, size_t passlen,
                        plm_kdf_limits limits, plm_error *err)
{
	unsigned char file[PLM_KEYSTORE_BYTES];
	int written = 0, r;

	if (path == NULL || path[0] == '\0') {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "no path was given for the keystore");
		goto out;
	}
	if ((r = plm_keystore_lock(file, id, passphrase, passlen, limits, err)) != 0)
		goto out;
	if ((r = write_new_file(path, file, sizeof(file), err)) != 0)
		goto out;
	written = 1;
	if ((r = fsync_parent(path, err)) != 0)
		goto out;
	r = 0;
out:
	if (r != 0 && written)
		unlink(path);
	return r;
}

int plm_keystore_open(const char *path, const unsigned char *passphrase, size_t passlen,
                      plm_identity **out, plm_error *err)
{
	unsigned char file[PLM_KEYSTORE_BYTES + 1];
	size_t len;
	int r;

	*out = NULL;
	if (path == NULL || path[0] == '\0') {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "no path was given for the keystore");
		goto out;
	}
	if ((r = passphrase_valid(passphrase, passlen, err)) != 0)
		goto out;
	if ((r = read_keystore_file(path, file, &len, err)) != 0)
		goto out;
	if ((r = plm_keystore_unlock(file, len, passphrase, passlen, out, err)) != 0)
		r = error_in_file(err, r, path);
out:
	return r;
}

int plm_keystore_change_passphrase(const char *path, const unsigned char *old_pass,
                                   size_t oldlen, const unsigned char *new_pass,
                                   size_t newlen, plm_kdf_limits limits, plm_error *err)
{
	unsigned char old_file[PLM_KEYSTORE_BYTES + 1], new_file[PLM_KEYSTORE_BYTES];
	unsigned char suffix[8];
	char suffix_hex[2 * sizeof(suffix) + 1], why[128];
	plm_identity *id = NULL;
	char *temp = NULL;
	size_t len, temp_size;
	int temp_written = 0, r;

	if (path == NULL || path[0] == '\0') {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "no path was given for the keystore");
		goto out;
	}
	if ((r = passphrase_valid(old_pass, oldlen, err)) != 0 ||
	    (r = passphrase_valid(new_pass, newlen, err)) != 0 ||
	    (r = limits_argument_valid(limits, err)) != 0)
		goto out;
	if ((r = read_keystore_file(path, old_file, &len, err)) != 0)
		goto out;
	if ((r = plm_keystore_unlock(old_file, len, old_pass, oldlen, &id, err)) != 0) {
		r = error_in_file(err, r, path);
		goto out;
	}
	if ((r = plm_keystore_lock(new_file, id, new_pass, newlen, limits, err)) != 0)
		goto out;

	/* "PATH.tmp-<16 hex digits>" beside PATH, so rename stays in one folder. */
	randombytes_buf(suffix, sizeof(suffix));
	plm_hex(suffix_hex, suffix, sizeof(suffix));
	temp_size = strlen(path) + sizeof(".tmp-") + sizeof(suffix_hex);
	if ((temp = malloc(temp_size)) == NULL) {
		r = plm_error_set(err, PLM_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(temp, temp_size, "%s.tmp-%s", path, suffix_hex);
	if ((r = write_new_file(temp, new_file, sizeof(new_file), err)) != 0)
		goto out;
	temp_written = 1;
	if (rename(temp, path) != 0) {
		r = plm_error_set(err, PLM_ERR_IO,
		                  "cannot replace the keystore %s: %s; it still "
		                  "opens with the old passphrase",
		                  path, errno_text(errno, why, sizeof(why)));
		goto out;
	}
	temp_written = 0;
	if ((r = fsync_parent(path, err)) != 0) {
		r = error_prefix(err, r,
		                 "the new passphrase is in place but may not "
		                 "survive a crash: ");
		goto out;
	}
	r = 0;
out:
	if (temp_written)
		unlink(temp);
	free(temp);
	plm_identity_free(id);
	return r;
}

int plm_keystore_read_public(const char *path, plm_pubkeys *out, plm_error *err)
{
	unsigned char file[PLM_KEYSTORE_BYTES + 1];
	plm_keystore keystore;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	if (path == NULL || path[0] == '\0') {
		r = plm_error_set(err, PLM_ERR_INVALID,
		                  "no path was given for the keystore");
		goto out;
	}
	if ((r = read_keystore_file(path, file, &len, err)) != 0)
		goto out;
	if ((r = plm_keystore_parse(file, len, &keystore, err)) != 0) {
		r = error_in_file(err, r, path);
		goto out;
	}
	*out = keystore.pub;
	r = 0;
out:
	return r;
}
