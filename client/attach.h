/*
 * attach.h - what kind of file is this, and may it travel? (DESIGN.md §11)
 *
 * The type of every document and attachment is detected by libmagic
 * (MAGIC_MIME_TYPE, the system's magic database), never taken from a file
 * name or from what the user says. A detected type is then judged twice:
 *
 *  1. Executables (ELF, PE, Mach-O...), scripts (a shebang, shell, Python,
 *     Perl, PHP, JavaScript, batch files...) and archives or compressed
 *     files (zip that is not OOXML or ODF, tar, gzip, 7z, RAR...) are
 *     refused outright, with a message naming what the file is:
 *       "law.sh is a shell script (text/x-shellscript); attach documents
 *        only: PDF, ODF, OOXML, text, Markdown, RTF, images"
 *  2. Everything else must be on the policy's allow-list
 *     (attachments.mime_types, plm_policy_attachment_allowed).
 *
 * libmagic reports Markdown as text/plain: a file named *.md or *.markdown
 * that libmagic sees as text/plain is text/markdown. OOXML and ODF are
 * recognised by libmagic's specific types (a docx whose [Content_Types].xml
 * libmagic cannot see is a plain zip, and refused).
 *
 * The sender checks before sealing (cmd_send.c); the reader checks again
 * after decrypting (attach_check_file): the detected type must be the one
 * the manifest announced, and allowed.
 *
 * All functions return 0 or a PLM_ERR_* code with one sentence in ERR:
 * PLM_ERR_POLICY for a refused type, PLM_ERR_MISMATCH for a type other
 * than the announced one, PLM_ERR_IO when the file cannot be read.
 */
#ifndef PALERMO_ATTACH_H
#define PALERMO_ATTACH_H

#include <stddef.h>

#include "client/cli.h"
#include "keys/manifest.h"
#include "policies/policy.h"

/* Room for a detected type (as a manifest may carry it), NUL included. */
#define ATTACH_MIME_MAX (PLM_MANIFEST_MIME_MAX + 1)

/*
 * Detects the type of the file at PATH into MIME (capacity CAP, NUL-ended,
 * parameters stripped, lower case), applying the Markdown rule to PATH's
 * name. PLM_ERR_IO if PATH cannot be opened or is not a regular file,
 * PLM_ERR_LIMIT if the type does not fit in CAP.
 */
int attach_detect(const char *path, char *mime, size_t cap, plm_error *err);

/* The same for an open regular file FD (read from its start) named NAME. */
int attach_detect_fd(int fd, const char *name, char *mime, size_t cap, plm_error *err);

/*
 * The same for LEN bytes in memory (a document read from standard input;
 * NAME may be NULL). WARNING: libmagic reads the bytes in place but may
 * copy parts of them into its own heap memory while it works; give it
 * plaintext only when the type must be known (it must, before sealing).
 */
int attach_detect_buffer(const void *buf, size_t len, const char *name, char *mime,
                         size_t cap, plm_error *err);

/*
 * Judges the detected type MIME of the file called NAME (used in the
 * message, may be NULL): refused outright if it is an executable, a script,
 * an archive or empty, else it must be allowed by POLICY. VERB completes
 * "VERB documents only: ..." ("attach", "send"). PLM_ERR_POLICY when refused.
 */
int attach_check_type(const plm_policy *policy, const char *name, const char *mime,
                      const char *verb, plm_error *err);

/*
 * The reader's check after decrypting: the type of the file at PATH must
 * be EXPECTED_MIME, the type in the document's manifest (text/plain is
 * accepted for text/markdown: libmagic cannot tell them apart), and allowed
 * by the local policy (local_policy). PLM_ERR_MISMATCH (exit 3) when the
 * file is something else than announced, PLM_ERR_POLICY when the type is
 * refused, PLM_ERR_IO when PATH cannot be read.
 */
int attach_check_file(struct cli *cli, const char *path, const char *expected_mime,
                      plm_error *err);

#endif
