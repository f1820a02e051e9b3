/* Allocation and the beneath-the-root path resolution (errors and write_all: ../common.c). */
#include "layer.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifndef __NR_openat2
#define __NR_openat2 437
#endif

int alloc_bytes(size_t size, void *out, struct cub_error *err) {
  void *p = malloc(size ? size : 1);
  if (p == NULL)
    return make_error(err, ENOMEM, "allocate %zu bytes", size);
  *(void **)out = p;
  return 0;
}

int grow_array(void *array, size_t *capacity, size_t needed, size_t item_size,
               struct cub_error *err) {
  if (needed <= *capacity)
    return 0;
  size_t next = *capacity ? *capacity * 2 : 16;
  while (next < needed)
    next *= 2;
  void *p = realloc(*(void **)array, next * item_size);
  if (p == NULL)
    return make_error(err, ENOMEM, "allocate %zu bytes", next * item_size);
  *(void **)array = p;
  *capacity = next;
  return 0;
}

static bool openat2_disabled(void) {
  static int disabled = -1;
  if (disabled < 0) {
    const char *env = getenv("CUBICLE_LAYER_NO_OPENAT2");
    disabled = env != NULL && strcmp(env, "1") == 0;
  }
  return disabled;
}

/* One component at a time from root_fd, never following a symlink: O_NOFOLLOW
 * fails on a symlink as the last component of each step, and each step is one. */
static int walk_beneath(int root_fd, const char *path, int flags, bool create) {
  char *copy = strdup(path);
  if (copy == NULL) {
    errno = ENOMEM;
    return -1;
  }
  int saved;
  int current = root_fd;
  char *rest = copy;
  while (rest != NULL) {
    char *slash = strchr(rest, '/');
    if (slash != NULL)
      *slash = '\0';
    bool last = slash == NULL;
    int step_flags = last ? flags : O_PATH | O_DIRECTORY;
    step_flags |= O_NOFOLLOW | O_CLOEXEC;
    int next = TEMP_FAILURE_RETRY(openat(current, rest, step_flags));
    if (next < 0 && errno == ENOENT && create) {
      if (mkdirat(current, rest, 0755) < 0 && errno != EEXIST)
        goto fail;
      next = TEMP_FAILURE_RETRY(openat(current, rest, step_flags));
    }
    if (next < 0)
      goto fail;
    if (current != root_fd)
      close(current);
    current = next;
    rest = last ? NULL : slash + 1;
  }
  free(copy);
  return current;
fail:
  saved = errno;
  if (current != root_fd)
    close(current);
  free(copy);
  errno = saved;
  return -1;
}

int open_beneath(int root_fd, const char *path, int flags, bool create, int *out_fd) {
  static bool no_openat2;
  flags |= O_CLOEXEC | O_NOFOLLOW;
  if (!no_openat2 && !openat2_disabled()) {
    struct open_how how = {
        .flags = (uint64_t)flags,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    for (int attempt = 0; attempt < 8; attempt++) {
      long fd = TEMP_FAILURE_RETRY(syscall(__NR_openat2, root_fd, path, &how, sizeof how));
      if (fd >= 0) {
        *out_fd = (int)fd;
        return 0;
      }
      /* EAGAIN: a rename raced the lookup; ENOENT with create: make the parents. */
      if (errno == EAGAIN)
        continue;
      if (errno == ENOSYS || errno == EPERM) { /* openat2 needs 5.6; seccomp may say EPERM */
        no_openat2 = true;
        break;
      }
      if (errno == ENOENT && create)
        break;
      return -1;
    }
  }
  int fd = walk_beneath(root_fd, path, flags, create);
  if (fd < 0)
    return -1;
  *out_fd = fd;
  return 0;
}
