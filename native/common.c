/* Errors and write_all, shared by cubicle-sandbox and cubicle-layer (see common.h). */
#include "common.h"

#include <stdarg.h>
#include <string.h>

int make_error(struct cub_error *err, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  if (len < 0)
    len = 0;
  if (errnum != 0 && (size_t)len < sizeof err->message)
    snprintf(err->message + len, sizeof err->message - (size_t)len, ": %s", strerror(errnum));
  err->errnum = errnum;
  return -1;
}

void set_error_stage(struct cub_error *err, const char *stage) {
  if (err->stage[0] == '\0')
    snprintf(err->stage, sizeof err->stage, "%s", stage);
}

int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = TEMP_FAILURE_RETRY(write(fd, p, len));
    if (n < 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}
