/*
 * writeback.h - have the kernel start writing a file back to disk while it
 * is still being written, so that the fsync at its end has little left to
 * wait for: the opener's plaintext (envelope_read.c), palermod's uploads
 * (daemon/blobs.c). The fsync still decides durability; this only moves
 * the disk's work earlier.
 */
#ifndef PLM_WRITEBACK_H
#define PLM_WRITEBACK_H

#include <stdint.h>

/* Start a writeback every this many bytes written. */
#define PLM_WRITEBACK_BYTES (8u << 20)

/*
 * FD has SIZE bytes written so far, and the writeback of the first
 * *FLUSHED was started already: once PLM_WRITEBACK_BYTES more are there,
 * starts writing them back (Linux sync_file_range; elsewhere nothing) and
 * moves *FLUSHED to SIZE. Advisory: an error here is found again by the
 * fsync, so none is returned.
 */
void plm_writeback_start(int fd, uint64_t *flushed, uint64_t size);

#endif
