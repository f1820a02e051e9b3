/* What cubicle-sandbox and cubicle-layer (layer/) both use: the header preamble, the error type
 * and make_error, cleanup attributes and write_all. One copy, so the two programs cannot drift. */
#ifndef CUBICLE_COMMON_H
#define CUBICLE_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef TEMP_FAILURE_RETRY
#define TEMP_FAILURE_RETRY(expression)                                                             \
  (__extension__({                                                                                 \
    long int result_;                                                                              \
    do                                                                                             \
      result_ = (long int)(expression);                                                            \
    while (result_ == -1L && errno == EINTR);                                                      \
    result_;                                                                                       \
  }))
#endif

#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- errors (crun style: fallible functions return int, error struct last) */

/* The helper sends its errors to the outer process in one pipe write (< PIPE_BUF), so its
 * messages are shorter; the layer tool's Makefile sets 4096 for every object it builds. */
#ifndef CUB_ERROR_MESSAGE_MAX
#define CUB_ERROR_MESSAGE_MAX 2048
#endif

struct cub_error {
  char stage[24]; /* the helper's "args", "setup", "uid_map", "mount", ...; unused by the layer tool
                   */
  int errnum;     /* 0 when no errno applies */
  char message[CUB_ERROR_MESSAGE_MAX];
};

/* Fills err (message + ": strerror(errnum)" when errnum != 0); returns -1. */
int make_error(struct cub_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records the stage of a failed step unless a deeper call already named one. */
void set_error_stage(struct cub_error *err, const char *stage);

/* ---- cleanup attributes */

static inline void close_fdp(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
static inline void free_ptrp(void *ptr) { free(*(void **)ptr); }
#define cleanup_close __attribute__((cleanup(close_fdp)))
#define cleanup_free __attribute__((cleanup(free_ptrp)))

/* ---- I/O */

/* Writes all of buf, retrying short writes and EINTR; -1 with errno on failure. */
int write_all(int fd, const void *buf, size_t len);

#endif
