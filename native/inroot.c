/* Paths inside the sandbox's root, resolved the way a chroot resolves them:
 * absolute symlinks and ".." stop at the root, so no symlink in an image or
 * a checkout can point a mount, a mkdir or a symlink outside it. openat2's
 * RESOLVE_IN_ROOT does it in the kernel (Linux 5.6); before that, a walk of
 * O_PATH|O_NOFOLLOW opens follows each symlink by hand. */
#include "sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SYMLINKS 40 /* the kernel's own limit (MAXSYMLINKS) */

static bool openat2_missing;

/* The directories walked so far: fds[0] is the root (the caller's), the rest ours. */
struct walk {
  int *fds;
  size_t depth;
  size_t capacity;
};

static void walk_pop(struct walk *w) {
  if (w->depth > 0)
    close(w->fds[w->depth--]);
}

static void walk_release(struct walk *w) {
  while (w->depth > 0)
    walk_pop(w);
  free(w->fds);
}

static int walk_push(struct walk *w, int fd) {
  if (w->depth + 1 >= w->capacity) {
    int *grown = realloc(w->fds, 2 * w->capacity * sizeof *grown);
    if (grown == NULL) {
      close(fd);
      return -1;
    }
    w->fds = grown;
    w->capacity *= 2;
  }
  w->fds[++w->depth] = fd;
  return 0;
}

/* Takes the next component of *cursor into name; false at the end. */
static bool next_component(char **cursor, char name[NAME_MAX + 1], bool *last) {
  char *c = *cursor;
  while (*c == '/')
    c++;
  if (*c == '\0')
    return false;
  char *end = strchrnul(c, '/');
  size_t len = (size_t)(end - c);
  if (len > NAME_MAX) {
    errno = ENAMETOOLONG;
    name[0] = '\0';
    return true;
  }
  memcpy(name, c, len);
  name[len] = '\0';
  while (*end == '/')
    end++;
  *last = *end == '\0';
  *cursor = end;
  return true;
}

/* Replaces the walk's remaining path with the symlink's target followed by it. */
static int splice_symlink(int link_fd, struct walk *w, char **todo, char **cursor) {
  char target[PATH_MAX];
  ssize_t n = readlinkat(link_fd, "", target, sizeof target);
  if (n < 0)
    return -1;
  if ((size_t)n >= sizeof target) {
    errno = ENAMETOOLONG;
    return -1;
  }
  target[n] = '\0';
  if (target[0] == '/')
    while (w->depth > 0)
      walk_pop(w);
  char *next;
  if (asprintf(&next, "%s/%s", target, *cursor) < 0) {
    errno = ENOMEM;
    return -1;
  }
  free(*todo);
  *todo = *cursor = next;
  return 0;
}

static int walk_in_root(int root_fd, const char *path, bool follow_last, int *out) {
  struct walk w = {.fds = malloc(16 * sizeof(int)), .capacity = 16};
  cleanup_free char *todo = strdup(path);
  if (w.fds == NULL || todo == NULL) {
    free(w.fds);
    errno = ENOMEM;
    return -1;
  }
  w.fds[0] = root_fd;
  char *cursor = todo;
  char name[NAME_MAX + 1];
  bool last = false;
  int links = 0;
  while (next_component(&cursor, name, &last)) {
    if (name[0] == '\0')
      goto fail; /* ENAMETOOLONG */
    if (strcmp(name, ".") == 0)
      continue;
    if (strcmp(name, "..") == 0) {
      walk_pop(&w); /* at the root, ".." is the root */
      continue;
    }
    int fd = openat(w.fds[w.depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
      goto fail;
    if (fstat(fd, &st) < 0) {
      close(fd);
      goto fail;
    }
    if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
      int ret =
          ++links > MAX_SYMLINKS ? (errno = ELOOP, -1) : splice_symlink(fd, &w, &todo, &cursor);
      close(fd);
      if (ret < 0)
        goto fail;
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode)) {
      close(fd);
      errno = ENOTDIR;
      goto fail;
    }
    if (walk_push(&w, fd) < 0)
      goto fail;
  }
  if (w.depth == 0) {
    *out = openat(root_fd, ".", O_PATH | O_CLOEXEC);
  } else {
    *out = w.fds[w.depth];
    w.depth--;
  }
  walk_release(&w);
  return *out < 0 ? -1 : 0;
fail : {
  int saved = errno;
  walk_release(&w);
  errno = saved;
  return -1;
}
}

int open_in_root(int root_fd, const char *path, bool follow_last, bool legacy, int *fd) {
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  if (!legacy && !openat2_missing) {
    uint64_t flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW);
    /* EAGAIN: a rename or mount raced the walk's ".." check; the kernel asks to retry. */
    for (int tries = 0; tries < 8; tries++) {
      *fd = sys_openat2(root_fd, path, flags, RESOLVE_IN_ROOT_ | RESOLVE_NO_MAGICLINKS_);
      if (*fd >= 0)
        return 0;
      if (errno != EAGAIN)
        break;
    }
    if (errno != ENOSYS)
      return -1;
    openat2_missing = true;
  }
  return walk_in_root(root_fd, path, follow_last, fd);
}
