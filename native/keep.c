/* --keep-upper DEST GLOB: after the job, the regular files of an on-disk
 * overlay's upper layer that match GLOB are copied into its host UPPER.
 * The job is dead but its tree is not to be trusted: every open is relative
 * to a dirfd with O_NOFOLLOW, symlinks and special files are skipped, and
 * this runs in a child of PID 1 with no capabilities (init.c). */
#include "sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#define MAX_DEPTH 128 /* directories deeper than this are not searched */

/* ---- globs, as picomatch matches by default */

/* One character class at *pat ('[' already seen): advances *pat past ']'. */
static bool match_class(const char **pat, const char *end, char c, bool *valid) {
  const char *p = *pat;
  bool negate = p < end && (*p == '!' || *p == '^');
  if (negate)
    p++;
  bool matched = false;
  for (bool first = true; p < end && (*p != ']' || first); first = false) {
    char lo = *p == '\\' && p + 1 < end ? *++p : *p;
    p++;
    char hi = lo;
    if (p + 1 < end && *p == '-' && p[1] != ']') {
      hi = p[1] == '\\' && p + 2 < end ? p[2] : p[1];
      p += p[1] == '\\' ? 3 : 2;
    }
    matched = matched || (c >= lo && c <= hi);
  }
  *valid = p < end;
  if (*valid)
    *pat = p + 1;
  return matched != negate;
}

/* One path segment against one pattern segment: '*' any run, '?' one char,
 * '[...]' a class ('!' or '^' negates, ranges), '\' escapes. */
static bool match_segment(const char *pat, const char *pat_end, const char *name,
                          const char *name_end) {
  /* A leading dot is matched only by a literal one, as in a shell. */
  if (name < name_end && *name == '.' && !(pat < pat_end && *pat == '.') &&
      !(pat + 1 < pat_end && pat[0] == '\\' && pat[1] == '.'))
    return false;
  const char *star_pat = NULL, *star_name = NULL;
  while (name < name_end) {
    if (pat < pat_end && *pat == '*') {
      star_pat = ++pat;
      star_name = name;
      continue;
    }
    if (pat < pat_end) {
      const char *next = pat + 1;
      bool ok;
      if (*pat == '?') {
        ok = true;
      } else if (*pat == '[') {
        bool valid;
        ok = match_class(&next, pat_end, *name, &valid);
        if (!valid) { /* no closing ']': a literal '[' */
          next = pat + 1;
          ok = *name == '[';
        }
      } else if (*pat == '\\' && pat + 1 < pat_end) {
        ok = pat[1] == *name;
        next = pat + 2;
      } else {
        ok = *pat == *name;
      }
      if (ok) {
        pat = next;
        name++;
        continue;
      }
    }
    if (star_pat == NULL)
      return false;
    pat = star_pat;
    name = ++star_name;
  }
  while (pat < pat_end && *pat == '*')
    pat++;
  return pat == pat_end;
}

static const char *segment_end(const char *s) { return strchrnul(s, '/'); }

static const char *next_segment(const char *end) { return *end == '/' ? end + 1 : end; }

/* '**' is any number of segments, none of them starting with a dot. */
static bool match_segments(const char *pat, const char *path, bool prefix) {
  if (*pat == '\0')
    return *path == '\0';
  const char *pat_end = segment_end(pat), *path_end = segment_end(path);
  bool globstar = pat_end - pat == 2 && pat[0] == '*' && pat[1] == '*';
  if (*path == '\0')
    return prefix || (globstar && match_segments(next_segment(pat_end), path, prefix));
  if (globstar) {
    if (match_segments(next_segment(pat_end), path, prefix))
      return true;
    return path[0] != '.' && match_segments(pat, next_segment(path_end), prefix);
  }
  return match_segment(pat, pat_end, path, path_end) &&
         match_segments(next_segment(pat_end), next_segment(path_end), prefix);
}

bool glob_match(const char *glob, const char *path, bool prefix) {
  if (strncmp(glob, "./", 2) == 0)
    glob += 2;
  return match_segments(glob, path, prefix);
}

bool keep_rules_apply(const struct sandbox_config *config) {
  for (size_t r = 0; r < config->n_keep_rules; r++)
    if (config->ops[config->keep_rules[r].overlay].on_disk)
      return true;
  return false;
}

/* ---- the copy */

struct keep_walk {
  const struct sandbox_config *config;
  size_t overlay;
  int host_upper_fd;
  char path[PATH_MAX]; /* relative to the upper layer's root */
  struct keep_result *result;
};

static bool any_rule_matches(const struct keep_walk *w, bool prefix) {
  for (size_t r = 0; r < w->config->n_keep_rules; r++) {
    const struct keep_rule *rule = &w->config->keep_rules[r];
    if (rule->overlay == w->overlay && glob_match(rule->glob, w->path, prefix))
      return true;
  }
  return false;
}

/* Counts a file not copied; the first reason is kept for the warning. Returns -1. */
static int skip_file(struct keep_walk *w, int errnum, const char *what) {
  w->result->skipped++;
  if (w->result->error.message[0] == '\0')
    make_error(&w->result->error, errnum, "--keep-upper: %s `%s`", what, w->path);
  return -1;
}

/* The parent directory of w->path in the host UPPER, made as needed; never
 * through a symlink there either. */
static int open_host_parent(struct keep_walk *w, int *out) {
  cleanup_free char *dirs = strdup(w->path);
  if (dirs == NULL)
    return -1;
  char *slash = strrchr(dirs, '/');
  *out = dup(w->host_upper_fd);
  if (slash == NULL || *out < 0)
    return *out < 0 ? -1 : 0;
  *slash = '\0';
  for (char *name = dirs, *next; name != NULL; name = next) {
    next = strchr(name, '/');
    if (next != NULL)
      *next++ = '\0';
    if (mkdirat(*out, name, 0755) < 0 && errno != EEXIST)
      goto fail;
    int fd = openat(*out, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      goto fail;
    close(*out);
    *out = fd;
  }
  return 0;
fail : {
  int saved = errno;
  close(*out);
  errno = saved;
  return -1;
}
}

static int copy_range(int from, int to, off_t offset, off_t end) {
  if (lseek(to, offset, SEEK_SET) < 0)
    return -1;
  while (offset < end) {
    ssize_t n =
        sendfile(to, from, &offset, (size_t)(end - offset < 1 << 30 ? end - offset : 1 << 30));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break; /* the file shrank: what is there is copied */
  }
  return 0;
}

/* Only the data: holes stay holes (SEEK_DATA/SEEK_HOLE, tmpfs has them since
 * 3.8), so a sparse file of 1 TB in a 64 MiB --disk-tmpfs writes at most
 * 64 MiB to the host, not a terabyte of zeros. */
static int copy_bytes(int from, int to, off_t size) {
  for (off_t data = 0; data < size;) {
    data = lseek(from, data, SEEK_DATA);
    if (data < 0 && errno == ENXIO)
      break; /* a hole to the end */
    if (data < 0)
      return errno == EINVAL || errno == EOPNOTSUPP ? copy_range(from, to, 0, size) : -1;
    off_t hole = lseek(from, data, SEEK_HOLE);
    if (hole < 0)
      return -1;
    if (copy_range(from, to, data, hole < size ? hole : size) < 0)
      return -1;
    data = hole;
  }
  return ftruncate(to, size);
}

static int copy_file(struct keep_walk *w, int dir_fd, const char *name) {
  cleanup_close int from = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  if (from < 0 || fstat(from, &st) < 0)
    return skip_file(w, errno, "cannot read");
  if (!S_ISREG(st.st_mode))
    return skip_file(w, 0, "not a regular file:");
  cleanup_close int parent = -1;
  if (open_host_parent(w, &parent) < 0)
    return skip_file(w, errno, "cannot make the directory in UPPER for");
  const char *base = strrchr(w->path, '/');
  base = base ? base + 1 : w->path;
  /* O_EXCL after unlink: never write through a link already in UPPER. */
  if (unlinkat(parent, base, 0) < 0 && errno != ENOENT)
    return skip_file(w, errno, "cannot replace in UPPER");
  mode_t mode = (st.st_mode & 0777) | 0600;
  cleanup_close int to =
      openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (to < 0)
    return skip_file(w, errno, "cannot create in UPPER");
  if (copy_bytes(from, to, st.st_size) < 0)
    return skip_file(w, errno, "cannot copy");
  w->result->copied++;
  return 0;
}

static void walk_upper(struct keep_walk *w, int dir_fd, size_t path_len, int depth) {
  DIR *dir = fdopendir(dir_fd);
  if (dir == NULL) {
    close(dir_fd);
    return;
  }
  for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
    const char *name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    int len =
        snprintf(w->path + path_len, sizeof w->path - path_len, "%s%s", path_len ? "/" : "", name);
    if (len < 0 || (size_t)len >= sizeof w->path - path_len)
      continue;
    unsigned char type = entry->d_type;
    struct stat st;
    if (type == DT_UNKNOWN && fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0)
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
    if (type == DT_DIR) {
      /* Only where a rule could match below: node_modules is not walked for reports/. */
      if (depth < MAX_DEPTH && any_rule_matches(w, true)) {
        int sub = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0)
          walk_upper(w, sub, path_len + (size_t)len, depth + 1);
      }
    } else if (type != DT_CHR && any_rule_matches(w, false)) {
      /* DT_CHR: overlayfs' whiteouts, files the job deleted. */
      if (type == DT_REG)
        copy_file(w, dirfd(dir), name);
      else
        skip_file(w, 0, "not a regular file (symlinks are never followed):");
    }
    w->path[path_len] = '\0';
  }
  closedir(dir);
}

void copy_kept_files(const struct sandbox_config *config, const struct disk_handles *disk,
                     struct keep_result *result) {
  for (size_t i = 0; i < config->n_ops; i++) {
    if (!config->ops[i].on_disk || disk->host_upper_fds[i] < 0)
      continue;
    char upper[64];
    snprintf(upper, sizeof upper, DISK_UPPER_FMT, i);
    int fd = openat(disk->fd, upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (result->error.message[0] == '\0')
        make_error(&result->error, errno, "--keep-upper: open the upper layer of `%s`",
                   config->ops[i].dest);
      continue;
    }
    struct keep_walk w = {
        .config = config, .overlay = i, .host_upper_fd = disk->host_upper_fds[i], .result = result};
    walk_upper(&w, fd, 0, 0);
  }
}
