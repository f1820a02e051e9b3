/* digest: one SHA-256 over the content and metadata of trees, without times
 * or inode numbers, so that a copy (cp -a, a re-extraction) hashes the same.
 *
 * Each tree is walked depth first, a directory's names in byte order, symlinks
 * not followed; the tree roots themselves are not hashed (their mode and owner
 * belong to the store, not to the layer). For each entry, in this order:
 *   "<index>/<path>" NUL  <type: f d l c b p s> NUL  <perm, octal> NUL
 *   <uid> NUL <gid> NUL
 *   f:   <size> NUL <size bytes of content>
 *   l:   <target> NUL
 *   c b: <major>,<minor> NUL
 *   <number of xattrs> NUL, then per xattr in name order: <name> NUL <value length> NUL <value>
 * Numbers are decimal unless said otherwise; xattrs are those in user.* and
 * trusted.overlay.* (trusted.* is only visible to the host's root). */
#include "layer.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

/* Fits in L2: read() copies it there, SHA-256 reads it back. */
#define CONTENT_BUFFER (256u << 10)

struct digest_state {
  struct sha256 hash;
  unsigned char *buffer;
  char *path; /* "<tree>/<relative path>", for messages and l*xattr */
  size_t path_len, path_capacity;
  size_t prefix_len; /* length of "<tree>" in path */
  char *record_path; /* "<index>/" + relative path: what is hashed */
};

static void hash_text(struct digest_state *s, const char *text) {
  sha256_update(&s->hash, text, strlen(text) + 1); /* with its NUL */
}

static void hash_number(struct digest_state *s, unsigned long long value, int base) {
  char text[32];
  snprintf(text, sizeof text, base == 8 ? "%llo" : "%llu", value);
  hash_text(s, text);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b); /* byte order: strcmp compares unsigned */
}

static bool hashed_xattr(const char *name) {
  return strncmp(name, "user.", 5) == 0 || strncmp(name, "trusted.overlay.", 16) == 0;
}

/* The xattrs of fd (>= 0) or of s->path (not followed), filtered and sorted. */
static int hash_xattrs(struct digest_state *s, int fd, struct cub_error *err) {
  cleanup_free char *names = NULL;
  ssize_t size;
  for (;;) {
    size = fd >= 0 ? flistxattr(fd, NULL, 0) : llistxattr(s->path, NULL, 0);
    if (size < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
      size = 0;
    if (size < 0)
      return make_error(err, errno, "listxattr: %s", s->path);
    free(names);
    names = malloc((size_t)size + 1);
    if (names == NULL)
      return make_error(err, ENOMEM, "allocate %zd bytes", size + 1);
    if (size == 0)
      break;
    ssize_t got =
        fd >= 0 ? flistxattr(fd, names, (size_t)size) : llistxattr(s->path, names, (size_t)size);
    if (got >= 0) {
      size = got;
      break;
    }
    if (errno != ERANGE) /* ERANGE: one was added meanwhile; ask again */
      return make_error(err, errno, "listxattr: %s", s->path);
  }
  size_t count = 0;
  for (ssize_t at = 0; at < size; at += (ssize_t)strlen(names + at) + 1)
    count += hashed_xattr(names + at);
  cleanup_free char **sorted = calloc(count ? count : 1, sizeof *sorted);
  if (sorted == NULL)
    return make_error(err, ENOMEM, "allocate the xattr list");
  size_t n = 0;
  for (ssize_t at = 0; at < size; at += (ssize_t)strlen(names + at) + 1)
    if (hashed_xattr(names + at))
      sorted[n++] = names + at;
  if (n > 1)
    qsort(sorted, n, sizeof *sorted, cmp_names);
  hash_number(s, n, 10);
  cleanup_free unsigned char *value = NULL;
  size_t value_capacity = 0;
  for (size_t i = 0; i < n; i++) {
    ssize_t len;
    for (;;) {
      /* The size first, then the value; ERANGE: it grew in between, ask again. */
      len = fd >= 0 ? fgetxattr(fd, sorted[i], NULL, 0) : lgetxattr(s->path, sorted[i], NULL, 0);
      if (len < 0)
        return make_error(err, errno, "getxattr %s: %s", sorted[i], s->path);
      if ((size_t)len > value_capacity) {
        unsigned char *bigger = realloc(value, (size_t)len);
        if (bigger == NULL)
          return make_error(err, ENOMEM, "allocate %zd bytes", len);
        value = bigger;
        value_capacity = (size_t)len;
      }
      if (len == 0)
        break;
      len = fd >= 0 ? fgetxattr(fd, sorted[i], value, value_capacity)
                    : lgetxattr(s->path, sorted[i], value, value_capacity);
      if (len >= 0)
        break;
      if (errno != ERANGE)
        return make_error(err, errno, "getxattr %s: %s", sorted[i], s->path);
    }
    hash_text(s, sorted[i]);
    hash_number(s, (unsigned long long)len, 10);
    sha256_update(&s->hash, value, (size_t)len);
  }
  return 0;
}

static int hash_content(struct digest_state *s, int fd, off_t size, struct cub_error *err) {
  hash_number(s, (unsigned long long)size, 10);
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint64_t left = (uint64_t)size;
  while (left > 0) {
    size_t want = left < CONTENT_BUFFER ? (size_t)left : CONTENT_BUFFER;
    ssize_t n = TEMP_FAILURE_RETRY(read(fd, s->buffer, want));
    if (n < 0)
      return make_error(err, errno, "read: %s", s->path);
    if (n == 0)
      return make_error(err, 0, "read: %s: the file shrank while it was hashed", s->path);
    sha256_update(&s->hash, s->buffer, (size_t)n);
    left -= (uint64_t)n;
  }
  return 0;
}

static int push_name(struct digest_state *s, const char *name, struct cub_error *err) {
  size_t len = strlen(name);
  if (grow_array(&s->path, &s->path_capacity, s->path_len + len + 2, 1, err) < 0)
    return -1;
  s->path[s->path_len++] = '/';
  memcpy(s->path + s->path_len, name, len + 1);
  s->path_len += len;
  return 0;
}

static int hash_directory(struct digest_state *s, int dir_fd, const char *index,
                          struct cub_error *err);

static char type_letter(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFREG:
    return 'f';
  case S_IFDIR:
    return 'd';
  case S_IFLNK:
    return 'l';
  case S_IFCHR:
    return 'c';
  case S_IFBLK:
    return 'b';
  case S_IFIFO:
    return 'p';
  case S_IFSOCK:
    return 's';
  default:
    return '?';
  }
}

static int hash_entry(struct digest_state *s, int dir_fd, const char *name, const char *index,
                      struct cub_error *err) {
  struct stat st;
  if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return make_error(err, errno, "stat: %s", s->path);
  char type = type_letter(st.st_mode);
  /* The hashed path: "<index>/" and the path below the tree's root. */
  sha256_update(&s->hash, index, strlen(index));
  sha256_update(&s->hash, s->path + s->prefix_len, s->path_len - s->prefix_len + 1);
  char fields[2] = {type, '\0'};
  sha256_update(&s->hash, fields, 2);
  hash_number(s, st.st_mode & 07777, 8);
  hash_number(s, st.st_uid, 10);
  hash_number(s, st.st_gid, 10);

  if (type == 'f' || type == 'd') {
    int flags = (type == 'd' ? O_DIRECTORY : 0) | O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
    /* O_NOATIME: hashing should not dirty every inode; only the owner (or CAP_FOWNER) may ask. */
    cleanup_close int fd = TEMP_FAILURE_RETRY(openat(dir_fd, name, flags | O_NOATIME));
    if (fd < 0 && errno == EPERM)
      fd = TEMP_FAILURE_RETRY(openat(dir_fd, name, flags));
    if (fd < 0)
      return make_error(err, errno, "open: %s", s->path);
    if (type == 'f') {
      if (hash_content(s, fd, st.st_size, err) < 0 || hash_xattrs(s, fd, err) < 0)
        return -1;
      return 0;
    }
    if (hash_xattrs(s, fd, err) < 0)
      return -1;
    return hash_directory(s, fd, index, err);
  }
  if (type == 'l') {
    cleanup_free char *target = malloc((size_t)st.st_size + 2);
    if (target == NULL)
      return make_error(err, ENOMEM, "allocate a link target");
    ssize_t len = readlinkat(dir_fd, name, target, (size_t)st.st_size + 1);
    if (len < 0)
      return make_error(err, errno, "readlink: %s", s->path);
    if (len > st.st_size)
      return make_error(err, 0, "readlink: %s: the link changed while it was hashed", s->path);
    target[len] = '\0';
    hash_text(s, target);
  } else if (type == 'c' || type == 'b') {
    char rdev[48];
    snprintf(rdev, sizeof rdev, "%u,%u", major(st.st_rdev), minor(st.st_rdev));
    hash_text(s, rdev);
  }
  return hash_xattrs(s, -1, err);
}

/* Walks dir_fd (the caller closes it) in byte order of names. */
static int hash_directory(struct digest_state *s, int dir_fd, const char *index,
                          struct cub_error *err) {
  int listing_fd = TEMP_FAILURE_RETRY(dup(dir_fd));
  if (listing_fd < 0)
    return make_error(err, errno, "dup: %s", s->path);
  DIR *dir = fdopendir(listing_fd);
  if (dir == NULL) {
    close(listing_fd);
    return make_error(err, errno, "opendir: %s", s->path);
  }
  char **names = NULL;
  size_t n = 0, capacity = 0;
  int ret = 0;
  for (;;) {
    errno = 0;
    struct dirent *d = readdir(dir);
    if (d == NULL) {
      if (errno != 0)
        ret = make_error(err, errno, "readdir: %s", s->path);
      break;
    }
    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
      continue;
    char *copy = strdup(d->d_name);
    if (copy == NULL || grow_array(&names, &capacity, n + 1, sizeof *names, err) < 0) {
      free(copy);
      ret = copy == NULL ? make_error(err, ENOMEM, "allocate a name") : -1;
      break;
    }
    names[n++] = copy;
  }
  closedir(dir);
  if (ret == 0 && n > 1)
    qsort(names, n, sizeof *names, cmp_names);
  size_t saved_len = s->path_len;
  for (size_t i = 0; i < n && ret == 0; i++) {
    ret = push_name(s, names[i], err);
    if (ret == 0)
      ret = hash_entry(s, dir_fd, names[i], index, err);
    s->path_len = saved_len;
    s->path[saved_len] = '\0';
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return ret;
}

int digest_trees(char **dirs, size_t n_dirs, char hex[65], struct cub_error *err) {
  struct digest_state s = {0};
  int ret = -1;
  /* Deep trees hold one fd per level. */
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);
  }
  sha256_init(&s.hash);
  s.buffer = aligned_alloc(64, CONTENT_BUFFER);
  if (s.buffer == NULL) {
    make_error(err, ENOMEM, "allocate the read buffer");
    goto out;
  }
  for (size_t i = 0; i < n_dirs; i++) {
    size_t len = strlen(dirs[i]);
    while (len > 1 && dirs[i][len - 1] == '/')
      len--;
    s.path_len = 0;
    if (grow_array(&s.path, &s.path_capacity, len + 1, 1, err) < 0)
      goto out;
    memcpy(s.path, dirs[i], len);
    s.path[len] = '\0';
    s.path_len = len;
    s.prefix_len = len;
    char index[32];
    snprintf(index, sizeof index, "%zu", i); /* then the path's own leading "/" */
    int fd = TEMP_FAILURE_RETRY(open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd < 0) {
      make_error(err, errno, "open: %s", dirs[i]);
      goto out;
    }
    int walked = hash_directory(&s, fd, index, err);
    close(fd);
    if (walked < 0)
      goto out;
  }
  unsigned char digest[32];
  sha256_final(&s.hash, digest);
  sha256_hex(digest, hex);
  ret = 0;
out:
  free(s.buffer);
  free(s.path);
  return ret;
}
