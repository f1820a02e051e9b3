/* extract: a tar stream into DIR as an overlayfs layer. Nothing is written
 * outside DIR: names are normalized and refuse "..", parents are opened
 * beneath DIR without following symlinks, and the last component is created
 * with O_EXCL/O_NOFOLLOW semantics after removing what was there. */
#include "layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_MARKER ".wh..wh..opq"
#define OPAQUE_XATTR "user.overlay.opaque"

/* A directory's mode and times, applied at the end (its content changes them). */
struct deferred_dir {
  char *path; /* normalized, "" for DIR itself; NULL once the directory was removed */
  mode_t mode;
  struct timespec mtime;
  size_t depth;
  size_t order;
};

struct extract_state {
  int root_fd;
  enum owners_mode owners;
  struct extract_stats *stats;
  /* The last parent opened: layers list a directory's entries together. */
  char *cached_parent;
  int cached_fd;
  struct deferred_dir *dirs;
  size_t n_dirs, dirs_capacity;
};

static void drop_cached_parent(struct extract_state *s) {
  if (s->cached_fd >= 0)
    close(s->cached_fd);
  s->cached_fd = -1;
  free(s->cached_parent);
  s->cached_parent = NULL;
}

static void free_state(struct extract_state *s) {
  drop_cached_parent(s);
  for (size_t i = 0; i < s->n_dirs; i++)
    free(s->dirs[i].path);
  free(s->dirs);
  if (s->root_fd >= 0)
    close(s->root_fd);
}

/* Like tar and Docker: leading "/" and "./" go, "." and empty components
 * vanish; ".." anywhere is refused (it could only point outside or be a trick).
 * The result is "" for DIR itself. */
static int normalize_name(const char *raw, const char *what, char **out, struct cub_error *err) {
  size_t len = strlen(raw);
  char *result = malloc(len + 1);
  if (result == NULL)
    return make_error(err, ENOMEM, "allocate %zu bytes", len + 1);
  size_t used = 0;
  const char *p = raw;
  while (*p != '\0') {
    while (*p == '/')
      p++;
    const char *end = strchrnul(p, '/');
    size_t n = (size_t)(end - p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      free(result);
      return make_error(err, 0, "%s has a \"..\" component (it would leave the layer): %s", what,
                        raw);
    }
    if (n > 0 && !(n == 1 && p[0] == '.')) {
      if (used > 0)
        result[used++] = '/';
      memcpy(result + used, p, n);
      used += n;
    }
    p = end;
  }
  result[used] = '\0';
  *out = result;
  return 0;
}

static size_t path_depth(const char *path) {
  if (path[0] == '\0')
    return 0;
  size_t depth = 1;
  for (const char *p = path; *p; p++)
    depth += *p == '/';
  return depth;
}

/* The directory that holds path's last component, opened beneath DIR (made when
 * missing); *name points into path. The fd belongs to the cache: never close it. */
static int open_parent(struct extract_state *s, char *path, bool create, int *parent_fd,
                       const char **name, struct cub_error *err) {
  char *slash = strrchr(path, '/');
  if (slash == NULL) {
    *parent_fd = s->root_fd;
    *name = path;
    return 0;
  }
  *slash = '\0';
  *name = slash + 1;
  if (s->cached_parent != NULL && strcmp(s->cached_parent, path) == 0) {
    *slash = '/';
    *parent_fd = s->cached_fd;
    return 0;
  }
  int fd;
  if (open_beneath(s->root_fd, path, O_RDONLY | O_DIRECTORY, create, &fd) < 0) {
    int saved = errno;
    *slash = '/';
    if (saved == ELOOP || saved == ENOTDIR || saved == EXDEV)
      return make_error(err, saved,
                        "open the parent directory (a symlink or not a directory on the "
                        "way; symlinks are not followed): %s",
                        path);
    return make_error(err, saved, "open the parent directory: %s", path);
  }
  drop_cached_parent(s);
  s->cached_parent = strdup(path);
  *slash = '/';
  if (s->cached_parent == NULL) {
    close(fd);
    return make_error(err, ENOMEM, "allocate a path");
  }
  s->cached_fd = fd;
  *parent_fd = fd;
  return 0;
}

static int remove_tree_at(int parent_fd, const char *name, const char *path, struct cub_error *err);

static int empty_directory(int dir_fd, const char *path, struct cub_error *err) {
  int fd = dup(dir_fd);
  if (fd < 0)
    return make_error(err, errno, "dup: %s", path);
  DIR *dir = fdopendir(fd);
  if (dir == NULL) {
    close(fd);
    return make_error(err, errno, "fdopendir: %s", path);
  }
  int ret = 0;
  for (;;) {
    errno = 0;
    struct dirent *d = readdir(dir);
    if (d == NULL) {
      if (errno != 0)
        ret = make_error(err, errno, "readdir: %s", path);
      break;
    }
    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
      continue;
    if (remove_tree_at(dir_fd, d->d_name, path, err) < 0) {
      ret = -1;
      break;
    }
    rewinddir(dir); /* entries were removed under readdir's feet */
  }
  closedir(dir);
  return ret;
}

static int remove_tree_at(int parent_fd, const char *name, const char *path,
                          struct cub_error *err) {
  if (unlinkat(parent_fd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR)
    return make_error(err, errno, "unlink: %s", path);
  cleanup_close int fd =
      TEMP_FAILURE_RETRY(openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    return make_error(err, errno, "open to remove: %s", path);
  if (empty_directory(fd, path, err) < 0)
    return -1;
  if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0)
    return make_error(err, errno, "rmdir: %s", path);
  return 0;
}

/* Removes what path names, a whole tree for a directory (a later entry
 * replaces an earlier one, as in tar and Docker). */
static int remove_existing(struct extract_state *s, int parent_fd, const char *name,
                           const char *path, struct cub_error *err) {
  struct stat st;
  if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : make_error(err, errno, "stat: %s", path);
  if (!S_ISDIR(st.st_mode)) {
    if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
      return make_error(err, errno, "unlink: %s", path);
    return 0;
  }
  /* A directory goes: the cached parent may be inside it, and so may deferred dirs. */
  size_t len = strlen(path);
  if (s->cached_parent != NULL && strncmp(s->cached_parent, path, len) == 0 &&
      (s->cached_parent[len] == '\0' || s->cached_parent[len] == '/')) {
    if (s->cached_fd == parent_fd)
      return make_error(err, EINVAL, "internal: removing the cached parent: %s", path);
    drop_cached_parent(s);
  }
  for (size_t i = 0; i < s->n_dirs; i++) {
    char *p = s->dirs[i].path;
    if (p != NULL && strncmp(p, path, len) == 0 && (p[len] == '\0' || p[len] == '/')) {
      free(p);
      s->dirs[i].path = NULL;
    }
  }
  return remove_tree_at(parent_fd, name, path, err);
}

static int chown_entry(struct extract_state *s, int fd, int parent_fd, const char *name,
                       const struct tar_entry *e, const char *path, struct cub_error *err) {
  if (s->owners != OWNERS_KEEP)
    return 0;
  if (e->uid > UINT32_MAX - 1 || e->gid > UINT32_MAX - 1)
    return make_error(err, 0, "chown to uid %llu gid %llu (out of range): %s",
                      (unsigned long long)e->uid, (unsigned long long)e->gid, path);
  int ret = fd >= 0 ? fchown(fd, (uid_t)e->uid, (gid_t)e->gid)
                    : fchownat(parent_fd, name, (uid_t)e->uid, (gid_t)e->gid, AT_SYMLINK_NOFOLLOW);
  if (ret < 0 && (errno == EPERM || errno == EINVAL))
    return make_error(err, errno,
                      "chown to uid %llu gid %llu (not mapped for this user; extract with "
                      "--owners root, or in a user namespace that maps them): %s",
                      (unsigned long long)e->uid, (unsigned long long)e->gid, path);
  if (ret < 0)
    return make_error(err, errno, "chown: %s", path);
  return 0;
}

/* user.* xattrs go on regular files and directories (the kernel allows them on
 * nothing else); other namespaces and other file types are skipped and counted. */
static int set_xattrs(struct extract_state *s, int fd, const struct tar_entry *e, const char *path,
                      struct cub_error *err) {
  for (size_t i = 0; i < e->n_xattrs; i++) {
    const struct tar_xattr *x = &e->xattrs[i];
    if (fd < 0 || strncmp(x->name, "user.", 5) != 0) {
      s->stats->skipped_xattrs++;
      continue;
    }
    if (fsetxattr(fd, x->name, x->value, x->value_len, 0) < 0)
      return make_error(err, errno, "setxattr %s: %s", x->name, path);
  }
  return 0;
}

static int defer_dir(struct extract_state *s, const char *path, const struct tar_entry *e,
                     struct cub_error *err) {
  if (grow_array(&s->dirs, &s->dirs_capacity, s->n_dirs + 1, sizeof *s->dirs, err) < 0)
    return -1;
  char *copy = strdup(path);
  if (copy == NULL)
    return make_error(err, ENOMEM, "allocate a path");
  s->dirs[s->n_dirs] = (struct deferred_dir){.path = copy,
                                             .mode = e->mode,
                                             .mtime = e->mtime,
                                             .depth = path_depth(path),
                                             .order = s->n_dirs};
  s->n_dirs++;
  return 0;
}

static int extract_directory(struct extract_state *s, char *path, const struct tar_entry *e,
                             struct cub_error *err) {
  cleanup_close int fd = -1;
  if (path[0] == '\0') {
    fd = TEMP_FAILURE_RETRY(dup(s->root_fd));
    if (fd < 0)
      return make_error(err, errno, "dup: %s", ".");
  } else {
    int parent_fd;
    const char *name;
    if (open_parent(s, path, true, &parent_fd, &name, err) < 0)
      return -1;
    /* Made private (0700) until the end, so that its content can be written. */
    if (mkdirat(parent_fd, name, 0700) < 0) {
      if (errno != EEXIST)
        return make_error(err, errno, "mkdir: %s", path);
      struct stat st;
      if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return make_error(err, errno, "stat: %s", path);
      if (!S_ISDIR(st.st_mode)) { /* a directory replacing a directory merges; anything else goes */
        if (remove_existing(s, parent_fd, name, path, err) < 0)
          return -1;
        if (mkdirat(parent_fd, name, 0700) < 0)
          return make_error(err, errno, "mkdir: %s", path);
      }
    }
    fd = TEMP_FAILURE_RETRY(
        openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd < 0)
      return make_error(err, errno, "open: %s", path);
  }
  if (chown_entry(s, fd, -1, NULL, e, path[0] ? path : ".", err) < 0 ||
      set_xattrs(s, fd, e, path[0] ? path : ".", err) < 0)
    return -1;
  return defer_dir(s, path, e, err);
}

static int set_times(int fd, int parent_fd, const char *name, const struct timespec *mtime,
                     const char *path, struct cub_error *err) {
  struct timespec times[2] = {*mtime, *mtime};
  int ret = fd >= 0 ? futimens(fd, times) : utimensat(parent_fd, name, times, AT_SYMLINK_NOFOLLOW);
  if (ret < 0)
    return make_error(err, errno, "set times: %s", path);
  return 0;
}

static int extract_regular(struct extract_state *s, struct tar_reader *reader, char *path,
                           const struct tar_entry *e, struct cub_error *err) {
  int parent_fd;
  const char *name;
  if (open_parent(s, path, true, &parent_fd, &name, err) < 0)
    return -1;
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  /* 0600 while writing: user xattrs need write permission, the mode comes last. */
  cleanup_close int fd = TEMP_FAILURE_RETRY(openat(parent_fd, name, flags, 0600));
  if (fd < 0 && errno == EEXIST) {
    if (remove_existing(s, parent_fd, name, path, err) < 0)
      return -1;
    fd = TEMP_FAILURE_RETRY(openat(parent_fd, name, flags, 0600));
  }
  if (fd < 0)
    return make_error(err, errno, "create: %s", path);
  if (tar_copy_data(reader, fd, path, err) < 0)
    return -1;
  s->stats->bytes += e->size;
  /* chown before chmod: chown clears setuid and setgid. */
  if (chown_entry(s, fd, -1, NULL, e, path, err) < 0 || set_xattrs(s, fd, e, path, err) < 0)
    return -1;
  if (fchmod(fd, e->mode) < 0)
    return make_error(err, errno, "chmod: %s", path);
  if (set_times(fd, -1, NULL, &e->mtime, path, err) < 0)
    return -1;
  int closing = fd;
  fd = -1;
  if (close(closing) < 0 && errno != EINTR)
    return make_error(err, errno, "close: %s", path);
  return 0;
}

/* Creates the last component with create(); on EEXIST, removes what is there and tries again. */
#define CREATE_REPLACING(s, parent_fd, name, path, call)                                           \
  ({                                                                                               \
    int ret_ = (call);                                                                             \
    if (ret_ < 0 && errno == EEXIST) {                                                             \
      if (remove_existing((s), (parent_fd), (name), (path), err) < 0)                              \
        return -1;                                                                                 \
      ret_ = (call);                                                                               \
    }                                                                                              \
    ret_;                                                                                          \
  })

static int extract_symlink(struct extract_state *s, char *path, const struct tar_entry *e,
                           struct cub_error *err) {
  int parent_fd;
  const char *name;
  if (open_parent(s, path, true, &parent_fd, &name, err) < 0)
    return -1;
  /* The target is data, never followed here: absolute and ../ targets are fine. */
  if (CREATE_REPLACING(s, parent_fd, name, path, symlinkat(e->linkpath, parent_fd, name)) < 0)
    return make_error(err, errno, "symlink: %s", path);
  if (chown_entry(s, -1, parent_fd, name, e, path, err) < 0 || set_xattrs(s, -1, e, path, err) < 0)
    return -1;
  return set_times(-1, parent_fd, name, &e->mtime, path, err);
}

static int extract_fifo(struct extract_state *s, char *path, const struct tar_entry *e,
                        struct cub_error *err) {
  int parent_fd;
  const char *name;
  if (open_parent(s, path, true, &parent_fd, &name, err) < 0)
    return -1;
  if (CREATE_REPLACING(s, parent_fd, name, path, mknodat(parent_fd, name, S_IFIFO | 0600, 0)) < 0)
    return make_error(err, errno, "mkfifo: %s", path);
  if (chown_entry(s, -1, parent_fd, name, e, path, err) < 0 || set_xattrs(s, -1, e, path, err) < 0)
    return -1;
  /* Just made, and the name cannot have become a symlink since: fchmodat follows nothing. */
  if (fchmodat(parent_fd, name, e->mode, 0) < 0)
    return make_error(err, errno, "chmod: %s", path);
  return set_times(-1, parent_fd, name, &e->mtime, path, err);
}

static int extract_hardlink(struct extract_state *s, char *path, const struct tar_entry *e,
                            struct cub_error *err) {
  cleanup_free char *target = NULL;
  if (normalize_name(e->linkpath, "hardlink target", &target, err) < 0)
    return -1;
  if (target[0] == '\0')
    return make_error(err, EPERM, "hardlink to the layer's root: %s", path);
  if (strcmp(target, path) == 0)
    return 0; /* a link to itself: tar writes these for files it saw twice */
  /* The target's parent, beneath DIR, without symlinks; it must exist already. */
  cleanup_close int target_parent_fd = -1;
  const char *target_name = strrchr(target, '/');
  if (target_name == NULL) {
    target_name = target;
  } else {
    *(char *)target_name = '\0';
    int opened = open_beneath(s->root_fd, target, O_PATH | O_DIRECTORY, false, &target_parent_fd);
    *(char *)target_name = '/';
    if (opened < 0)
      return make_error(err, errno,
                        "hardlink %s: open its target's parent directory (symlinks are "
                        "not followed): %s",
                        path, target);
    target_name++;
  }
  int target_dir_fd = target_parent_fd >= 0 ? target_parent_fd : s->root_fd;
  int parent_fd;
  const char *name;
  if (open_parent(s, path, true, &parent_fd, &name, err) < 0)
    return -1;
  /* No AT_SYMLINK_FOLLOW: a link to a symlink is a link to the symlink itself. */
  if (CREATE_REPLACING(s, parent_fd, name, path,
                       linkat(target_dir_fd, target_name, parent_fd, name, 0)) < 0)
    return make_error(err, errno, "hardlink to %s: %s", e->linkpath, path);
  return 0;
}

/* OCI ".wh.NAME": NAME is deleted in the layers below. overlayfs says so with a
 * 0/0 character device, which an unprivileged user may make since Linux 5.8. */
static int make_whiteout(struct extract_state *s, char *path, struct cub_error *err) {
  int parent_fd;
  const char *name;
  if (open_parent(s, path, true, &parent_fd, &name, err) < 0)
    return -1;
  if (CREATE_REPLACING(s, parent_fd, name, path,
                       mknodat(parent_fd, name, S_IFCHR | 0, makedev(0, 0))) < 0) {
    if (errno == EPERM)
      return make_error(err, errno,
                        "make whiteout (a 0/0 character device; needs Linux 5.8, or "
                        "CAP_MKNOD): %s",
                        path);
    return make_error(err, errno, "make whiteout: %s", path);
  }
  s->stats->whiteouts++;
  return 0;
}

/* OCI ".wh..wh..opq": the directory hides the lower layers' content; overlayfs
 * mounted with userxattr reads that from user.overlay.opaque. */
static int mark_opaque(struct extract_state *s, char *dir_path, struct cub_error *err) {
  cleanup_close int fd = -1;
  if (dir_path[0] == '\0') {
    fd = TEMP_FAILURE_RETRY(dup(s->root_fd));
  } else {
    int parent_fd;
    const char *name;
    if (open_parent(s, dir_path, true, &parent_fd, &name, err) < 0)
      return -1;
    if (mkdirat(parent_fd, name, 0755) < 0 && errno != EEXIST)
      return make_error(err, errno, "mkdir: %s", dir_path);
    fd = TEMP_FAILURE_RETRY(
        openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }
  if (fd < 0)
    return make_error(err, errno, "open opaque directory: %s", dir_path[0] ? dir_path : ".");
  if (fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0) < 0)
    return make_error(err, errno, "setxattr " OPAQUE_XATTR ": %s", dir_path[0] ? dir_path : ".");
  s->stats->opaque_dirs++;
  return 0;
}

/* Whiteout names: handled here, *handled false when path is an ordinary entry. */
static int handle_whiteout_name(struct extract_state *s, char *path, bool *handled,
                                struct cub_error *err) {
  char *slash = strrchr(path, '/');
  char *base = slash ? slash + 1 : path;
  *handled = strncmp(base, WHITEOUT_PREFIX, sizeof WHITEOUT_PREFIX - 1) == 0;
  if (!*handled)
    return 0;
  if (strcmp(base, OPAQUE_MARKER) == 0) {
    if (slash)
      *slash = '\0';
    else
      path[0] = '\0';
    return mark_opaque(s, path, err);
  }
  if (strncmp(base, WHITEOUT_PREFIX WHITEOUT_PREFIX, 2 * (sizeof WHITEOUT_PREFIX - 1)) == 0)
    return 0; /* AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): Docker skips these too */
  const char *hidden = base + sizeof WHITEOUT_PREFIX - 1;
  if (hidden[0] == '\0' || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0)
    return make_error(err, 0, "whiteout names no file: %s", path);
  memmove(base, hidden, strlen(hidden) + 1);
  return make_whiteout(s, path, err);
}

static int apply_deferred_dirs_order(const void *a, const void *b) {
  const struct deferred_dir *x = a, *y = b;
  /* Deepest first (a parent's mode may forbid reaching its children); ties in
   * archive order, so the last entry for a directory wins. */
  if (x->depth != y->depth)
    return x->depth > y->depth ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int apply_deferred_dirs(struct extract_state *s, struct cub_error *err) {
  drop_cached_parent(s);
  if (s->n_dirs > 1)
    qsort(s->dirs, s->n_dirs, sizeof *s->dirs, apply_deferred_dirs_order);
  for (size_t i = 0; i < s->n_dirs; i++) {
    const struct deferred_dir *d = &s->dirs[i];
    if (d->path == NULL)
      continue;
    cleanup_close int fd = -1;
    if (d->path[0] == '\0')
      fd = TEMP_FAILURE_RETRY(dup(s->root_fd));
    else if (open_beneath(s->root_fd, d->path, O_RDONLY | O_DIRECTORY, false, &fd) < 0)
      fd = -1;
    if (fd < 0)
      return make_error(err, errno, "open to set mode and times: %s", d->path[0] ? d->path : ".");
    if (fchmod(fd, d->mode) < 0)
      return make_error(err, errno, "chmod: %s", d->path[0] ? d->path : ".");
    if (set_times(fd, -1, NULL, &d->mtime, d->path[0] ? d->path : ".", err) < 0)
      return -1;
  }
  return 0;
}

static int extract_entry(struct extract_state *s, struct tar_reader *reader, struct tar_entry *e,
                         struct cub_error *err) {
  cleanup_free char *path = NULL;
  if (normalize_name(e->path, "entry", &path, err) < 0)
    return -1;
  s->stats->entries++;
  bool handled;
  if (path[0] != '\0') {
    if (handle_whiteout_name(s, path, &handled, err) < 0)
      return -1;
    if (handled)
      return 0;
  }
  switch (e->type) {
  case '0':
    if (path[0] == '\0')
      return make_error(err, EISDIR, "a regular file entry names the layer's root: %s", e->path);
    return extract_regular(s, reader, path, e, err);
  case '5':
    return extract_directory(s, path, e, err);
  case '2':
  case '1':
  case '6':
    if (path[0] == '\0')
      return make_error(err, EEXIST, "an entry names the layer's root: %s", e->path);
    return e->type == '2'   ? extract_symlink(s, path, e, err)
           : e->type == '1' ? extract_hardlink(s, path, e, err)
                            : extract_fifo(s, path, e, err);
  case '3':
    /* A 0/0 character device is already an overlayfs whiteout (a layer tarred as is). */
    if (e->dev_major == 0 && e->dev_minor == 0 && path[0] != '\0')
      return make_whiteout(s, path, err);
    s->stats->skipped_devices++;
    return 0;
  case '4':
    s->stats->skipped_devices++;
    return 0;
  default:
    return make_error(err, 0, "unknown entry type '%c': %s", e->type, e->path);
  }
}

int extract_layer(int input_fd, const char *dir, enum owners_mode owners,
                  struct extract_stats *stats, struct cub_error *err) {
  struct extract_state s = {.root_fd = -1, .cached_fd = -1, .owners = owners, .stats = stats};
  struct tar_reader *reader = NULL;
  struct tar_entry entry = {0};
  int ret = -1;
  memset(stats, 0, sizeof *stats);
  umask(0); /* modes come from the archive, exactly */

  s.root_fd = TEMP_FAILURE_RETRY(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (s.root_fd < 0) {
    make_error(err, errno, "open DIR: %s", dir);
    goto out;
  }
  /* An empty DIR: a layer never merges into something already there. */
  {
    int probe = dup(s.root_fd);
    DIR *listing = probe >= 0 ? fdopendir(probe) : NULL;
    if (listing == NULL) {
      if (probe >= 0)
        close(probe);
      make_error(err, errno, "read DIR: %s", dir);
      goto out;
    }
    struct dirent *d;
    bool empty = true;
    while ((d = readdir(listing)) != NULL)
      if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
        empty = false;
    closedir(listing);
    if (!empty) {
      make_error(err, ENOTEMPTY, "DIR must be empty: %s", dir);
      goto out;
    }
  }
  if (tar_reader_open(input_fd, &reader, err) < 0)
    goto out;
  for (;;) {
    bool done;
    tar_entry_clear(&entry);
    if (tar_next(reader, &entry, &done, err) < 0)
      goto out;
    if (done)
      break;
    if (extract_entry(&s, reader, &entry, err) < 0)
      goto out;
  }
  if (apply_deferred_dirs(&s, err) < 0 || tar_drain(reader, err) < 0)
    goto out;
  ret = 0;
out:
  tar_entry_clear(&entry);
  tar_reader_free(reader);
  free_state(&s);
  return ret;
}
