/* attach.c - file types by libmagic, and which may travel (see attach.h). */
#define _GNU_SOURCE
#include "client/attach.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/local.h"

/* How much of a file name a message shows. */
#define NAME_SHOWN 80

/*
 * Types refused whatever the policy says, and what to call them. An entry
 * ending in '*' matches every type that starts with what comes before it.
 * The names follow libmagic's MAGIC_MIME_TYPE output (file 5.4x) and the
 * older spellings it used.
 */
static const struct refused_type {
	const char *mime;
	const char *what;
} refused_types[] = {
    /* Executables and libraries. */
    {"application/x-executable", "an executable program (ELF)"},
    {"application/x-pie-executable", "an executable program (ELF)"},
    {"application/x-sharedlib", "a shared library (ELF)"},
    {"application/x-object", "an object file (ELF)"},
    {"application/x-coredump", "a core dump"},
    {"application/x-elf", "an executable program (ELF)"},
    {"application/x-dosexec", "a Windows program"},
    {"application/vnd.microsoft.portable-executable", "a Windows program"},
    {"application/x-msdownload", "a Windows program"},
    {"application/x-ms-installer", "a Windows installer"},
    {"application/x-msi", "a Windows installer"},
    {"application/x-mach-binary", "a macOS program"},
    {"application/x-mach-o*", "a macOS program"},
    {"application/x-java-applet", "a Java program"},
    {"application/java-archive", "a Java program"},
    {"application/x-java-archive", "a Java program"},
    {"application/vnd.android.package-archive", "an Android program"},
    {"application/wasm", "a WebAssembly program"},
    {"application/x-bytecode.python", "a compiled Python program"},
    {"application/x-ms-shortcut", "a Windows shortcut"},
    /* Scripts. */
    {"text/x-shellscript", "a shell script"},
    {"application/x-shellscript", "a shell script"},
    {"text/x-sh", "a shell script"},
    {"text/x-script.python", "a Python script"},
    {"text/x-python", "a Python script"},
    {"text/x-python3", "a Python script"},
    {"text/x-perl", "a Perl script"},
    {"text/x-script.perl", "a Perl script"},
    {"text/x-ruby", "a Ruby script"},
    {"text/x-script.ruby", "a Ruby script"},
    {"text/x-php", "a PHP script"},
    {"text/x-lua", "a Lua script"},
    {"text/x-tcl", "a Tcl script"},
    {"text/x-awk", "an awk script"},
    {"text/x-nawk", "an awk script"},
    {"text/x-gawk", "an awk script"},
    {"text/x-m4", "an m4 script"},
    {"text/x-msdos-batch", "a Windows batch file"},
    {"text/x-powershell", "a PowerShell script"},
    {"text/javascript", "a JavaScript program"},
    {"application/javascript", "a JavaScript program"},
    {"application/x-javascript", "a JavaScript program"},
    {"text/x-script.*", "a script"},
    {"application/x-script.*", "a script"},
    /* Archives and compressed files. */
    {"application/zip", "a zip archive"},
    {"application/x-zip", "a zip archive"},
    {"application/x-zip-compressed", "a zip archive"},
    {"application/x-tar", "a tar archive"},
    {"application/x-gtar", "a tar archive"},
    {"application/x-ustar", "a tar archive"},
    {"application/gzip", "a gzip-compressed file"},
    {"application/x-gzip", "a gzip-compressed file"},
    {"application/x-bzip2", "a bzip2-compressed file"},
    {"application/x-bzip", "a bzip-compressed file"},
    {"application/x-xz", "an xz-compressed file"},
    {"application/x-lzma", "an lzma-compressed file"},
    {"application/x-lzip", "an lzip-compressed file"},
    {"application/x-lz4", "an lz4-compressed file"},
    {"application/x-lzop", "an lzop-compressed file"},
    {"application/zstd", "a zstd-compressed file"},
    {"application/x-zstd", "a zstd-compressed file"},
    {"application/x-compress", "a compressed file"},
    {"application/x-7z-compressed", "a 7-Zip archive"},
    {"application/x-rar", "a RAR archive"},
    {"application/x-rar-compressed", "a RAR archive"},
    {"application/vnd.rar", "a RAR archive"},
    {"application/x-arj", "an ARJ archive"},
    {"application/x-lha", "an LHA archive"},
    {"application/x-lzh-compressed", "an LHA archive"},
    {"application/x-cpio", "a cpio archive"},
    {"application/x-archive", "an ar archive"},
    {"application/x-xar", "a xar archive"},
    {"application/x-stuffit", "a StuffIt archive"},
    {"application/vnd.ms-cab-compressed", "a cabinet archive"},
    {"application/x-iso9660-image", "a disk image"},
    {"application/x-apple-diskimage", "a disk image"},
    {"application/x-qemu-disk", "a disk image"},
    {"application/x-virtualbox-vdi", "a disk image"},
    {"application/x-debian-package", "a software package"},
    {"application/vnd.debian.binary-package", "a software package"},
    {"application/x-rpm", "a software package"},
    {"application/x-redhat-package-manager", "a software package"},
    /* Nothing at all. */
    {"application/x-empty", "empty"},
    {"inode/x-empty", "empty"},
};

/* 1 if MIME matches PATTERN (exact, or a prefix when it ends in '*'). */
static int type_matches(const char *pattern, const char *mime)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncasecmp(pattern, mime, n - 1) == 0;
	return strcasecmp(pattern, mime) == 0;
}

/* What MIME is, if it is refused outright; else NULL. */
static const char *refused_what(const char *mime)
{
	size_t i;

	for (i = 0; i < sizeof(refused_types) / sizeof(refused_types[0]); i++)
		if (type_matches(refused_types[i].mime, mime))
			return refused_types[i].what;
	return NULL;
}

/* A short human name for an allowed type: "PDF", "ODF", "images"... */
static const char *allowed_label(const char *mime)
{
	if (strcasecmp(mime, "application/pdf") == 0)
		return "PDF";
	if (strncasecmp(mime, "application/vnd.oasis.opendocument.", 35) == 0)
		return "ODF";
	if (strncasecmp(mime, "application/vnd.openxmlformats-officedocument.", 46) ==
	    0)
		return "OOXML";
	if (strcasecmp(mime, "text/plain") == 0)
		return "text";
	if (strcasecmp(mime, "text/markdown") == 0)
		return "Markdown";
	if (strcasecmp(mime, "application/rtf") == 0 ||
	    strcasecmp(mime, "text/rtf") == 0)
		return "RTF";
	if (strncasecmp(mime, "image/", 6) == 0)
		return "images";
	return mime;
}

/*
 * The policy's allow-list for people: "PDF, ODF, OOXML, text, Markdown,
 * RTF, images" (labels in the policy's order, each once) into OUT.
 */
static void allowed_summary(const plm_policy *policy, char *out, size_t cap)
{
	size_t i, j, n = plm_policy_count(policy, PLM_POLICY_MIME_TYPES), used = 0;
	const char *label;
	int seen, w;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		label = allowed_label(plm_policy_nth(policy, PLM_POLICY_MIME_TYPES, i));
		for (seen = 0, j = 0; j < i && !seen; j++)
			seen =
			    strcmp(label, allowed_label(plm_policy_nth(
			                      policy, PLM_POLICY_MIME_TYPES, j))) == 0;
		if (seen)
			continue;
		w = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", label);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
	if (used == 0)
		snprintf(out, cap, "none (the policy allows no attachment)");
}

/* The last component of PATH ("" stays ""). */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

/* 1 if NAME ends in .md or .markdown (any case). */
static int is_markdown_name(const char *name)
{
	size_t n;

	if (name == NULL)
		return 0;
	n = strlen(name);
	return (n > 3 && strcasecmp(name + n - 3, ".md") == 0) ||
	       (n > 9 && strcasecmp(name + n - 9, ".markdown") == 0);
}

/*
 * Copies libmagic's answer DETECTED into MIME: parameters cut, lower case,
 * the Markdown rule applied for NAME. PLM_ERR_LIMIT if it does not fit.
 */
static int store_type(const char *detected, const char *name, char *mime, size_t cap,
                      plm_error *err)
{
	size_t n;

	if (detected == NULL || *detected == '\0')
		detected = "application/octet-stream";
	/* libmagic guesses news and mail from a text's first word ("Article
	 * 5 of ...", "From ..."): such a text is plain text to a reader. */
	if (strncasecmp(detected, "message/news", 12) == 0 ||
	    strncasecmp(detected, "message/rfc822", 14) == 0)
		detected = "text/plain";
	if (strcasecmp(detected, "text/plain") == 0 && is_markdown_name(name))
		detected = "text/markdown";
	n = strcspn(detected, "; \t");
	if (n + 1 > cap)
		return plm_error_set(err, PLM_ERR_LIMIT,
		                     "the file type '%.60s' is too long", detected);
	for (size_t i = 0; i < n; i++)
		mime[i] = (char)tolower((unsigned char)detected[i]);
	mime[n] = '\0';
	return 0;
}

/* A libmagic cookie with the system's database, asking for MIME types. */
static int magic_start(magic_t *out, plm_error *err)
{
	magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);

	*out = NULL;
	if (m == NULL)
		return plm_error_set(err, PLM_ERR_NOMEM, "libmagic could not start");
	if (magic_load(m, NULL) != 0) {
		int r = plm_error_set(
		    err, PLM_ERR_IO,
		    "libmagic cannot load the system's magic database (%s); "
		    "install the Debian package libmagic-mgc",
		    magic_error(m) ? magic_error(m) : "unknown error");
		magic_close(m);
		return r;
	}
	*out = m;
	return 0;
}

int attach_detect_fd(int fd, const char *name, char *mime, size_t cap, plm_error *err)
{
	const char *shown = name != NULL ? base_name(name) : "the file";
	const char *detected;
	struct stat sb;
	magic_t m = NULL;
	int r;

	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return plm_error_set(err, PLM_ERR_IO, "%.*s is not a regular file",
		                     NAME_SHOWN, shown);
	if ((r = magic_start(&m, err)) != 0)
		return r;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot read %.*s: %s", NAME_SHOWN,
		                  shown, strerror(errno));
		goto out;
	}
	/* libmagic reads a dup of FD's position; start and end at 0. */
	detected = magic_descriptor(m, fd);
	if (detected == NULL) {
		r = plm_error_set(err, PLM_ERR_IO, "cannot tell the type of %.*s: %s",
		                  NAME_SHOWN, shown,
		                  magic_error(m) ? magic_error(m) : "libmagic failed");
		goto out;
	}
	if ((r = store_type(detected, name, mime, cap, err)) != 0)
		goto out;
	if (lseek(fd, 0, SEEK_SET) < 0)
		r = plm_error_set(err, PLM_ERR_IO, "cannot read %.*s: %s", NAME_SHOWN,
		                  shown, strerror(errno));
out:
	magic_close(m);
	return r;
}

int attach_detect(const char *path, char *mime, size_t cap, plm_error *err)
{
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return plm_error_set(err, PLM_ERR_IO, "cannot open %.200s: %s", path,
		                     strerror(errno));
	r = attach_detect_fd(fd, path, mime, cap, err);
	close(fd);
	return r;
}

int attach_detect_buffer(const void *buf, size_t len, const char *name, char *mime,
                         size_t cap, plm_error *err)
{
	const char *detected;
	magic_t m = NULL;
	int r;

	if ((r = magic_start(&m, err)) != 0)
		return r;
	if (len == 0)
		detected = "application/x-empty";
	else if ((detected = magic_buffer(m, buf, len)) == NULL) {
		r = plm_error_set(err, PLM_ERR_IO,
		                  "cannot tell the type of the document: %s",
		                  magic_error(m) ? magic_error(m) : "libmagic failed");
		goto out;
	}
	r = store_type(detected, name, mime, cap, err);
out:
	magic_close(m);
	return r;
}

int attach_check_type(const plm_policy *policy, const char *name, const char *mime,
                      const char *verb, plm_error *err)
{
	const char *what = refused_what(mime);
	const char *shown = name != NULL ? base_name(name) : "the document";
	char allowed[200];

	allowed_summary(policy, allowed, sizeof(allowed));
	if (what != NULL && strcmp(what, "empty") == 0)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "%.*s is empty; there is nothing to %s",
		                     NAME_SHOWN, shown, verb);
	if (what != NULL)
		return plm_error_set(err, PLM_ERR_POLICY,
		                     "%.*s is %s (%s); %s documents only: %s",
		                     NAME_SHOWN, shown, what, mime, verb, allowed);
	if (plm_policy_attachment_allowed(policy, mime, NULL) != 0)
		return plm_error_set(
		    err, PLM_ERR_POLICY,
		    "%.*s is of type %s, which the policy does not accept "
		    "(attachments.mime_types); %s documents only: %s",
		    NAME_SHOWN, shown, mime, verb, allowed);
	return 0;
}

int attach_check_file(struct cli *cli, const char *path, const char *expected_mime,
                      plm_error *err)
{
	const plm_policy *policy;
	char mime[ATTACH_MIME_MAX], expected[ATTACH_MIME_MAX];
	int r;

	if ((r = local_policy(cli, &policy, err)) != 0)
		return r;
	/* The manifest's type, compared the way libmagic's is stored. */
	if ((r = store_type(expected_mime, NULL, expected, sizeof(expected), err)) != 0)
		return r;
	if ((r = attach_detect(path, mime, sizeof(mime), err)) != 0)
		return r;
	if (strcmp(mime, expected) != 0 && !(strcmp(expected, "text/markdown") == 0 &&
	                                     strcmp(mime, "text/plain") == 0)) {
		const char *what = refused_what(mime);
		if (what != NULL)
			return plm_error_set(
			    err, PLM_ERR_MISMATCH,
			    "%.*s is %s (%s), not the %s its sender announced; "
			    "do not open it, and tell the secretariat",
			    NAME_SHOWN, base_name(path), what, mime, expected);
		return plm_error_set(
		    err, PLM_ERR_MISMATCH,
		    "%.*s is of type %s, not the %s its sender announced; do "
		    "not open it, and tell the secretariat",
		    NAME_SHOWN, base_name(path), mime, expected);
	}
	return attach_check_type(policy, path, expected, "attach", err);
}
