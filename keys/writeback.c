/* writeback.c - early writeback of a file being written (writeback.h). */
#define _GNU_SOURCE /* sync_file_range, where there is one */
#include "keys/writeback.h"

#include <fcntl.h>
#include <sys/types.h>

void plm_writeback_start(int fd, uint64_t *flushed, uint64_t size)
{
	if (size < *flushed || size - *flushed < PLM_WRITEBACK_BYTES)
		return;
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(fd, (off_t)*flushed, (off_t)(size - *flushed),
	                      SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
	*flushed = size;
}
