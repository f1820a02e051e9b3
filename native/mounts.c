/* The new root, built the bubblewrap way: a tmpfs base holding /newroot and
 * /oldroot (the host root), the ops executed against /newroot with sources
 * read through /oldroot, then a second pivot_root into /newroot.
 *
 * Every DEST is opened inside /newroot the way a chroot resolves it
 * (inroot.c), and every mount goes onto that fd, never onto a path: a
 * symlink in an image or a checkout cannot move a mount, a mkdir or a
 * symlink out of the new root. Binds and overlays are attached with
 * move_mount (Linux 5.2; before it, mount(2) on /oldroot/proc/self/fd/N);
 * new file systems are mounted on "." from inside the directory; inside a
 * proc or /dev just mounted, entries are bound by name from there. */
#include "sandbox.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define NEWROOT "/newroot"
#define OLDROOT "/oldroot"
#define DISK "/disk" /* --disk-tmpfs, in the base */

/* Empty, read-only: bound over the proc and sys entries that are masked. */
static const char *const mask_names[2] = {"mask-file", "mask-dir"};

/* Host paths of one op, resolved (realpath) before the host root moves to
 * /oldroot; used as they are before that move and under /oldroot after it. */
struct host_paths {
  char *source;
  char **lowers;
  char *upper;
  char *work;
};

/* Made before the uid/gid maps exist (see plan_root), used after. */
struct root_plan {
  const struct sandbox_config *config;
  struct host_paths *paths; /* one per op */
  int *overlay_fds;         /* per op: a detached overlay mount, or -1 */
  int *host_upper_fds;      /* per op: see struct disk_handles */
  int base_fd;              /* the base tmpfs, once entered */
  int root_fd;              /* /newroot once its root is mounted, else -1 */
  int disk_fd;              /* --disk-tmpfs, else -1 */
  bool mask_made[2];        /* the base's empty mask file and dir exist */
  bool no_mount_api;        /* open_tree said ENOSYS (before Linux 5.2) */
};

static const char *const op_names[] = {
    [OP_OVERLAY] = "--overlay",     [OP_RO_OVERLAY] = "--ro-overlay",
    [OP_BIND] = "--bind",           [OP_RO_BIND] = "--ro-bind",
    [OP_DEV_BIND] = "--dev-bind",   [OP_TMPFS] = "--tmpfs",
    [OP_DIR] = "--dir",             [OP_SYMLINK] = "--symlink",
    [OP_REMOUNT_RO] = "--remount-ro", [OP_PROC] = "--proc",
    [OP_DEV] = "--dev",
};

/* Messages show paths as the user wrote them, not our /newroot, /oldroot prefixes. */
static const char *shown(const char *path) {
  _Static_assert(sizeof NEWROOT == sizeof OLDROOT, "prefixes of equal length");
  if (strncmp(path, NEWROOT, sizeof NEWROOT - 1) == 0 ||
      strncmp(path, OLDROOT, sizeof OLDROOT - 1) == 0) {
    const char *rest = path + sizeof NEWROOT - 1;
    return *rest ? rest : "/";
  }
  return path;
}

static int join_path(const char *prefix, const char *path, char **out,
                     struct cub_error *err) {
  if (strcmp(path, "/") == 0)
    path = "";
  if (asprintf(out, "%s%s", prefix, path) < 0)
    return make_error(err, ENOMEM, "asprintf");
  return 0;
}

static bool legacy_mount_api(const struct root_plan *plan) {
  return plan->config->legacy_mount || plan->no_mount_api;
}

/* Where mount(2) finds an fd: the host's proc, still at /oldroot while we build. */
struct fd_path {
  char path[PATH_MAX];
};

static const char *fd_path(struct fd_path *buf, int dir_fd, const char *name) {
  if (dir_fd == AT_FDCWD)
    snprintf(buf->path, sizeof buf->path, "%s", name);
  else
    snprintf(buf->path, sizeof buf->path, OLDROOT "/proc/self/fd/%d%s%s", dir_fd,
             name[0] ? "/" : "", name);
  return buf->path;
}

/* realpath() on the host: symlinks in SRC must resolve against the host root. */
static int resolve_host_path(const struct setup_op *op, const char *role, const char *path,
                             char **out, struct cub_error *err) {
  *out = realpath(path, NULL);
  if (*out == NULL)
    return make_error(err, errno, "%s %s `%s`", op_names[op->type], role, path);
  return 0;
}

static bool has_keep_rule(const struct sandbox_config *config, size_t index) {
  for (size_t r = 0; r < config->n_keep_rules; r++)
    if (config->keep_rules[r].overlay == index)
      return true;
  return false;
}

static int resolve_sources(struct root_plan *plan, struct cub_error *err) {
  const struct sandbox_config *config = plan->config;
  for (size_t i = 0; i < config->n_ops; i++) {
    const struct setup_op *op = &config->ops[i];
    struct host_paths *paths = &plan->paths[i];
    switch (op->type) {
    case OP_OVERLAY:
      if (resolve_host_path(op, "UPPER", op->upper, &paths->upper, err) < 0)
        return -1;
      /* On the disk tmpfs, WORK is not used. */
      if (!op->on_disk && resolve_host_path(op, "WORK", op->work, &paths->work, err) < 0)
        return -1;
      /* Opened now, while it is a host path: PID 1 copies kept files into it at the end. */
      if (op->on_disk && has_keep_rule(config, i)) {
        plan->host_upper_fds[i] = open(paths->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (plan->host_upper_fds[i] < 0)
          return make_error(err, errno, "%s UPPER `%s`", op_names[op->type], op->upper);
      }
      /* fallthrough */
    case OP_RO_OVERLAY:
      paths->lowers = calloc(op->n_lowers, sizeof *paths->lowers);
      if (paths->lowers == NULL)
        return make_error(err, errno, "calloc");
      for (size_t l = 0; l < op->n_lowers; l++)
        if (resolve_host_path(op, "LOWER", op->lowers[l], &paths->lowers[l], err) < 0)
          return -1;
      break;
    case OP_BIND:
    case OP_RO_BIND:
    case OP_DEV_BIND:
      if (resolve_host_path(op, "SRC", op->source, &paths->source, err) < 0)
        return -1;
      break;
    default:
      break;
    }
  }
  return 0;
}

/* ---- paths inside the new root */

static int check_dir(int fd, const char *path, struct cub_error *err) {
  struct stat st;
  if (fstat(fd, &st) < 0)
    return make_error(err, errno, "stat `/%s` in the new root", path);
  if (S_ISDIR(st.st_mode))
    return 0;
  if (S_ISLNK(st.st_mode))
    return make_error(err, ENOTDIR, "`/%s` in the new root is a symlink, refused as a mount "
                                    "point", path);
  return make_error(err, ENOTDIR, "`/%s` in the new root", path);
}

/* mkdir -p inside the root of dir_fd: one open when it exists (the common case). */
static int make_dirs_in_root(const struct root_plan *plan, int dir_fd, const char *path,
                             mode_t mode, bool follow_last, int *out,
                             struct cub_error *err) {
  bool legacy = plan->config->legacy_mount;
  while (*path == '/')
    path++;
  if (open_in_root(dir_fd, path, follow_last, legacy, out) == 0)
    return check_dir(*out, path, err);
  if (errno != ENOENT)
    return make_error(err, errno, "open `/%s` in the new root", path);
  cleanup_free char *parent = strdup(path);
  if (parent == NULL)
    return make_error(err, errno, "strdup");
  char *slash = strrchr(parent, '/');
  const char *name = slash ? path + (slash - parent) + 1 : path;
  cleanup_close int parent_fd = -1;
  if (slash != NULL) {
    *slash = '\0';
    if (make_dirs_in_root(plan, dir_fd, parent, 0755, true, &parent_fd, err) < 0)
      return -1;
  }
  if (mkdirat(slash ? parent_fd : dir_fd, name, mode) < 0 && errno != EEXIST)
    return make_error(err, errno, "mkdir `/%s` in the new root", path);
  if (open_in_root(dir_fd, path, follow_last, legacy, out) < 0)
    return make_error(err, errno, "open `/%s` in the new root%s", path,
                      errno == ENOENT ? " (a symlink to a missing path?)" : "");
  return check_dir(*out, path, err);
}

/* Where a mount goes: path resolved inside dir_fd's root, then used as an fd. */
struct target {
  int dir_fd;
  const char *path;  /* relative to dir_fd */
  bool follow;       /* a symlink as the last component is followed (inside the root) */
  const char *shown; /* for messages: the DEST as given */
  int fd;            /* O_PATH; -1 until opened */
};

/* A target left unopened (fd -1) is one name in a directory that we or the
 * kernel just made (proc, our /dev): move_mount looks it up itself, and
 * without MOVE_MOUNT_T_SYMLINKS it follows no symlink. */
static int move_to_target(int mount_fd, const struct target *t) {
  if (t->fd >= 0)
    return sys_move_mount(mount_fd, "", t->fd, "",
                          MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_);
  return sys_move_mount(mount_fd, "", t->dir_fd, t->path, MOVE_MOUNT_F_EMPTY_PATH_);
}

static void close_target(struct target *t) {
  if (t->fd >= 0)
    close(t->fd);
  t->fd = -1;
}

static int open_target(const struct root_plan *plan, struct target *t,
                       struct cub_error *err) {
  close_target(t);
  if (open_in_root(t->dir_fd, t->path, t->follow, plan->config->legacy_mount, &t->fd) < 0)
    return make_error(err, errno, "open `%s` in the new root", t->shown);
  return 0;
}

static int make_target_dir(const struct root_plan *plan, struct target *t, mode_t mode,
                           struct cub_error *err) {
  close_target(t);
  return make_dirs_in_root(plan, t->dir_fd, t->path, mode, t->follow, &t->fd, err);
}

/* The parent of t (made if missing), and t's last component. */
static int open_target_parent(const struct root_plan *plan, const struct target *t,
                              int *parent_fd, const char **name, struct cub_error *err) {
  const char *slash = strrchr(t->path, '/');
  *name = slash ? slash + 1 : t->path;
  *parent_fd = -1;
  if (slash == NULL)
    return 0;
  cleanup_free char *parent = strndup(t->path, (size_t)(slash - t->path));
  if (parent == NULL)
    return make_error(err, errno, "strndup");
  return make_dirs_in_root(plan, t->dir_fd, parent, 0755, true, parent_fd, err);
}

/* A mount point for a file: an empty file, unless something is there already. */
static int make_target_file(const struct root_plan *plan, struct target *t,
                            struct cub_error *err) {
  cleanup_close int parent_fd = -1;
  const char *name;
  if (open_target_parent(plan, t, &parent_fd, &name, err) < 0)
    return -1;
  if (mknodat(parent_fd >= 0 ? parent_fd : t->dir_fd, name, S_IFREG | 0444, 0) < 0 &&
      errno != EEXIST)
    return make_error(err, errno, "create mount point `%s`", t->shown);
  return open_target(plan, t, err);
}

static int make_symlink_at(int dir_fd, const char *name, const char *target,
                           const char *dest, struct cub_error *err) {
  if (symlinkat(target, dir_fd, name) == 0)
    return 0;
  if (errno == EEXIST) {
    char existing[PATH_MAX];
    ssize_t n = readlinkat(dir_fd, name, existing, sizeof existing - 1);
    if (n >= 0) {
      existing[n] = '\0';
      if (strcmp(existing, target) == 0)
        return 0;
    }
    errno = EEXIST;
  }
  return make_error(err, errno, "symlink `%s` -> `%s`", dest, target);
}

/* ---- mounting onto a target */

/* Same bits as ST_* from statvfs, which is what the remount fallback copies. */
#define MS_KEEP (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | \
                 MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME | MS_RELATIME)

static unsigned long ms_flags(uint64_t attrs) {
  return (attrs & MOUNT_ATTR_RDONLY_ ? MS_RDONLY : 0) |
         (attrs & MOUNT_ATTR_NOSUID_ ? MS_NOSUID : 0) |
         (attrs & MOUNT_ATTR_NODEV_ ? MS_NODEV : 0) |
         (attrs & MOUNT_ATTR_NOEXEC_ ? MS_NOEXEC : 0);
}

/* attrs on the mount whose root is fd. */
static int set_mount_attrs(int fd, uint64_t attrs, bool recursive, const char *dest,
                           struct cub_error *err) {
  if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE_ : 0), attrs, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return make_error(err, errno, "mount_setattr `%s`", dest);
  /* mount_setattr needs Linux 5.12; before it only the top mount is remounted,
   * keeping the flags a user namespace may not clear (they are locked). */
  struct statvfs st;
  if (fstatvfs(fd, &st) < 0)
    return make_error(err, errno, "statvfs `%s`", dest);
  struct fd_path buf;
  unsigned long flags = (st.f_flag & MS_KEEP) | MS_REMOUNT | MS_BIND | ms_flags(attrs);
  if (mount(NULL, fd_path(&buf, fd, ""), NULL, flags, NULL) < 0)
    return make_error(err, errno, "remount `%s`", dest);
  return 0;
}

/* A detached copy of the tree at dir_fd/name (open_tree, Linux 5.2); -1 without the API. */
static int open_bind_tree(struct root_plan *plan, int dir_fd, const char *name,
                          bool recursive, int *tree, struct cub_error *err) {
  *tree = -1;
  if (legacy_mount_api(plan))
    return 0;
  unsigned flags = OPEN_TREE_CLONE_ | O_CLOEXEC | (recursive ? AT_RECURSIVE_ : 0) |
                   (name[0] ? 0 : AT_EMPTY_PATH);
  *tree = sys_open_tree(dir_fd, name, flags);
  if (*tree >= 0)
    return 0;
  if (errno != ENOSYS) {
    struct fd_path buf;
    return make_error(err, errno, "open_tree `%s`", shown(fd_path(&buf, dir_fd, name)));
  }
  plan->no_mount_api = true;
  return 0;
}

/* Binds tree (or, without one, dir_fd/name by mount(2)) onto t, then sets attrs. */
static int attach_bind(const struct root_plan *plan, int tree, int dir_fd, const char *name,
                       struct target *t, uint64_t attrs, bool recursive,
                       struct cub_error *err) {
  struct fd_path source, dest;
  if (tree >= 0) {
    bool late = false;
    unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE_ : 0);
    if (attrs != 0 && sys_mount_setattr(tree, "", flags, attrs, 0) < 0) {
      if (errno != ENOSYS)
        return make_error(err, errno, "mount_setattr on the bind for `%s`", t->shown);
      late = true;
    }
    if (move_to_target(tree, t) < 0)
      return make_error(err, errno, "bind `%s` on `%s`", shown(fd_path(&source, dir_fd, name)),
                        t->shown);
    if (!late)
      return 0;
  } else {
    if (t->fd < 0 && open_target(plan, t, err) < 0)
      return -1;
    if (mount(fd_path(&source, dir_fd, name), fd_path(&dest, t->fd, ""), NULL,
              MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
      return make_error(err, errno, "bind `%s` on `%s`", shown(source.path), t->shown);
    if (attrs == 0)
      return 0;
  }
  /* The fd still names the mount point below; a new lookup finds the bind. */
  if (open_target(plan, t, err) < 0)
    return -1;
  return set_mount_attrs(t->fd, attrs, recursive, t->shown, err);
}

/* A bind onto name in the directory of the cwd, a proc or /dev we just
 * mounted (fchdir there first): the names are the kernel's or ours, no
 * symlink among them, so plain mount(2) by name is as safe as move_mount
 * onto an fd, and about half the work (no detached copy). */
static int bind_here(int dir_fd, const char *source, const char *name, uint64_t attrs,
                     bool recursive, const char *dest, struct cub_error *err) {
  if (mount(source, name, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return make_error(err, errno, "bind `%s` on `%s`", shown(source), dest);
  if (attrs == 0)
    return 0;
  unsigned flags = AT_SYMLINK_NOFOLLOW | (recursive ? AT_RECURSIVE_ : 0);
  if (sys_mount_setattr(dir_fd, name, flags, attrs, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return make_error(err, errno, "mount_setattr `%s`", dest);
  struct statvfs st;
  if (statvfs(name, &st) < 0)
    return make_error(err, errno, "statvfs `%s`", dest);
  unsigned long remount = (st.f_flag & MS_KEEP) | MS_REMOUNT | MS_BIND | ms_flags(attrs);
  if (mount(NULL, name, NULL, remount, NULL) < 0)
    return make_error(err, errno, "remount `%s`", dest);
  return 0;
}

static int bind_host(struct root_plan *plan, const char *host_source, struct target *t,
                     uint64_t attrs, struct cub_error *err) {
  cleanup_free char *source = NULL;
  if (join_path(OLDROOT, host_source, &source, err) < 0)
    return -1;
  cleanup_close int tree = -1;
  if (open_bind_tree(plan, AT_FDCWD, source, true, &tree, err) < 0)
    return -1;
  struct stat st;
  if ((tree >= 0 ? fstat(tree, &st) : stat(source, &st)) < 0)
    return make_error(err, errno, "stat `%s`", shown(source));
  int ret = S_ISDIR(st.st_mode) ? make_target_dir(plan, t, 0755, err)
                                : make_target_file(plan, t, err);
  if (ret < 0)
    return -1;
  return attach_bind(plan, tree, AT_FDCWD, source, t, attrs, true, err);
}

/* A new file system and its options. */
struct fs_option {
  const char *key;
  const char *value; /* NULL: a flag */
};

struct fs_spec {
  const char *type;
  const struct fs_option *options;
  size_t n_options;
  uint64_t attrs; /* MOUNT_ATTR_* */
};

/* The fs_context log says why a file system refused, e.g. "upper fs does not support xattr". */
/* The last error queued, not the first: the kernel keeps the one our "unknown key" probe
 * provoked at fsopen time, and it named the probe instead of the real refusal. */
static void append_fs_log(int fs_fd, struct cub_error *err) {
  char line[256], last[256] = "";
  for (int i = 0; i < 8; i++) {
    ssize_t n = read(fs_fd, line, sizeof line - 1);
    if (n <= 2)
      break;
    line[n] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == 'e')
      memcpy(last, line, sizeof last);
  }
  if (last[0] == '\0')
    return;
  size_t used = strlen(err->message);
  snprintf(err->message + used, sizeof err->message - used, " (%s)", last + 2);
}

/* mount(2) onto the target from inside it, on "." (a target left unopened:
 * its name in the directory we just made). As safe as move_mount onto the
 * fd, no /proc needed, and 3 calls instead of fsopen's 6 to 8. */
static int mount_fs(struct root_plan *plan, const struct fs_spec *fs, struct target *t,
                    int *root_out, struct cub_error *err) {
  char data[256] = "";
  size_t used = 0;
  for (size_t i = 0; i < fs->n_options; i++) {
    const struct fs_option *o = &fs->options[i];
    used += (size_t)snprintf(data + used, sizeof data - used, "%s%s%s%s", i ? "," : "", o->key,
                             o->value ? "=" : "", o->value ? o->value : "");
    if (used >= sizeof data)
      return make_error(err, E2BIG, "mount %s on `%s`: options too long", fs->type, t->shown);
  }
  /* The build uses no relative path but these: the cwd may stay here. */
  if (fchdir(t->fd >= 0 ? t->fd : t->dir_fd) < 0)
    return make_error(err, errno, "fchdir to `%s`", t->shown);
  if (mount(fs->type, t->fd >= 0 ? "." : t->path, fs->type, ms_flags(fs->attrs), data) < 0)
    return make_error(err, errno, "mount %s on `%s`", fs->type, t->shown);
  if (root_out == NULL)
    return 0;
  /* The fd (and the cwd) still name the mount point below; a new lookup finds the mount. */
  if (open_target(plan, t, err) < 0)
    return -1;
  *root_out = t->fd;
  t->fd = -1;
  return 0;
}

static int mount_tmpfs(struct root_plan *plan, struct target *t, mode_t mode,
                       const struct setup_op *op, int *root_out, struct cub_error *err) {
  char mode_text[16], size_text[32];
  snprintf(mode_text, sizeof mode_text, "%04o", (unsigned)mode);
  struct fs_option options[2] = {{"mode", mode_text}, {"size", size_text}};
  if (op != NULL && op->has_size)
    snprintf(size_text, sizeof size_text, "%llu", op->size);
  struct fs_spec fs = {"tmpfs", options, op != NULL && op->has_size ? 2 : 1,
                       MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_};
  return mount_fs(plan, &fs, t, root_out, err);
}

/* ---- overlay */

#define OVERLAY_UNSUPPORTED (-2)

/* What overlayfs is told: a host path as it is, or under /oldroot once in the base. */
static int host_layer(const char *host_path, bool in_base, char **out,
                      struct cub_error *err) {
  if (asprintf(out, "%s%s", in_base ? OLDROOT : "", host_path) < 0)
    return make_error(err, ENOMEM, "asprintf");
  return 0;
}

/* The upper (or work) dir: the host's, or INDEX/upper on the disk tmpfs. */
static int upper_layer(const struct root_plan *plan, size_t index, bool work, bool in_base,
                       char **out, struct cub_error *err) {
  if (!plan->config->ops[index].on_disk)
    return host_layer(work ? plan->paths[index].work : plan->paths[index].upper, in_base, out,
                      err);
  if (asprintf(out, DISK "/" "%zu/%s", index, work ? "work" : "upper") < 0)
    return make_error(err, ENOMEM, "asprintf");
  return 0;
}

/* fsopen + "lowerdir+" (Linux 6.8): one call per layer, so no option-string
 * length limit and no escaping of ':' or ','. Returns a detached mount. */
static int create_overlay_mount(const struct root_plan *plan, size_t index, bool in_base,
                                int *mount_fd, struct cub_error *err) {
  const struct setup_op *op = &plan->config->ops[index];
  const struct host_paths *paths = &plan->paths[index];
  bool read_only = op->type == OP_RO_OVERLAY;
  cleanup_close int fs_fd = sys_fsopen("overlay", FSOPEN_CLOEXEC_);
  if (fs_fd < 0)
    return errno == ENOSYS ? OVERLAY_UNSUPPORTED
                           : make_error(err, errno, "fsopen overlay for `%s`", op->dest);
  /* Before Linux 6.5 overlayfs parsed options only as a string: the generic fs_context
   * accepts any key here and fails at create. A key nobody defines tells which we have. */
  if (sys_fsconfig(fs_fd, FSCONFIG_SET_FLAG_, "cubicle-probe-unknown-key", NULL, 0) == 0)
    return OVERLAY_UNSUPPORTED;
  for (size_t i = 0; i < op->n_lowers; i++) {
    cleanup_free char *lower = NULL;
    if (host_layer(paths->lowers[i], in_base, &lower, err) < 0)
      return -1;
    if (sys_fsconfig(fs_fd, FSCONFIG_SET_STRING_, "lowerdir+", lower, 0) < 0) {
      if (i == 0 && errno == EINVAL)
        return OVERLAY_UNSUPPORTED;
      make_error(err, errno, "overlay lower layer `%s` for `%s`", shown(lower), op->dest);
      append_fs_log(fs_fd, err);
      return -1;
    }
  }
  if (!read_only) {
    cleanup_free char *upper = NULL;
    cleanup_free char *work = NULL;
    if (upper_layer(plan, index, false, in_base, &upper, err) < 0 ||
        upper_layer(plan, index, true, in_base, &work, err) < 0)
      return -1;
    if (sys_fsconfig(fs_fd, FSCONFIG_SET_STRING_, "upperdir", upper, 0) < 0 ||
        sys_fsconfig(fs_fd, FSCONFIG_SET_STRING_, "workdir", work, 0) < 0) {
      make_error(err, errno, "overlay upper `%s` / work `%s` for `%s`", shown(upper),
                 shown(work), op->dest);
      append_fs_log(fs_fd, err);
      return -1;
    }
    /* Best effort: a kernel without `volatile` (before 5.10) syncs as before. */
    if (plan->config->volatile_upper)
      (void)sys_fsconfig(fs_fd, FSCONFIG_SET_FLAG_, "volatile", NULL, 0);
  }
  /* user.overlay.* xattrs: trusted.* needs CAP_SYS_ADMIN in the init namespace. */
  if (sys_fsconfig(fs_fd, FSCONFIG_SET_FLAG_, "userxattr", NULL, 0) < 0 ||
      sys_fsconfig(fs_fd, FSCONFIG_CMD_CREATE_, NULL, NULL, 0) < 0) {
    make_error(err, errno, "create overlay for `%s`", op->dest);
    append_fs_log(fs_fd, err);
    return -1;
  }
  *mount_fd = sys_fsmount(fs_fd, FSMOUNT_CLOEXEC_, read_only ? MOUNT_ATTR_RDONLY_ : 0);
  if (*mount_fd < 0)
    return make_error(err, errno, "fsmount overlay for `%s`", op->dest);
  return 0;
}

/* mount(2) copies at most one page of options. */
struct option_buf {
  char data[4096];
  size_t used;
  bool overflow;
};

/* Appends text; escaped: with overlayfs' backslash before ':' ',' '\'. */
static void append_option(struct option_buf *buf, const char *text, bool escaped) {
  for (const char *c = text; *c; c++) {
    bool special = escaped && (*c == ':' || *c == ',' || *c == '\\');
    if (buf->used + 1 + special >= sizeof buf->data) {
      buf->overflow = true;
      return;
    }
    if (special)
      buf->data[buf->used++] = '\\';
    buf->data[buf->used++] = *c;
  }
  buf->data[buf->used] = '\0';
}

static void append_layer(struct option_buf *buf, const char *key, const char *path) {
  append_option(buf, key, false);
  append_option(buf, path, true);
}

static int mount_overlay_legacy(const struct root_plan *plan, size_t index,
                                const struct target *t, struct cub_error *err) {
  const struct setup_op *op = &plan->config->ops[index];
  bool read_only = op->type == OP_RO_OVERLAY;
  struct option_buf options = {.used = 0};
  for (size_t i = 0; i < op->n_lowers; i++) {
    cleanup_free char *lower = NULL;
    if (host_layer(plan->paths[index].lowers[i], true, &lower, err) < 0)
      return -1;
    append_layer(&options, i == 0 ? "lowerdir=" : ":", lower);
  }
  if (!read_only) {
    cleanup_free char *upper = NULL;
    cleanup_free char *work = NULL;
    if (upper_layer(plan, index, false, true, &upper, err) < 0 ||
        upper_layer(plan, index, true, true, &work, err) < 0)
      return -1;
    append_layer(&options, ",upperdir=", upper);
    append_layer(&options, ",workdir=", work);
  }
  append_option(&options, ",userxattr", false);
  size_t without_volatile = options.used;
  if (!read_only && plan->config->volatile_upper && !options.overflow &&
      options.used + sizeof ",volatile" < sizeof options.data)
    append_option(&options, ",volatile", false);
  if (options.overflow)
    return make_error(err, E2BIG,
                      "mount overlay on `%s`: %zu layers do not fit in one page of "
                      "mount options (Linux 6.8 lifts this with lowerdir+)",
                      t->shown, op->n_lowers);
  struct fd_path dest;
  int result = mount("overlay", fd_path(&dest, t->fd, ""), "overlay",
                     read_only ? MS_RDONLY : 0, options.data);
  if (result < 0 && errno == EINVAL && options.used != without_volatile) {
    /* A kernel before 5.10 knows no `volatile`: mount as before, syncing. */
    options.data[without_volatile] = '\0';
    result = mount("overlay", fd_path(&dest, t->fd, ""), "overlay",
                   read_only ? MS_RDONLY : 0, options.data);
  }
  if (result < 0)
    return make_error(err, errno, "mount overlay on `%s`", t->shown);
  return 0;
}

static int mount_overlay(struct root_plan *plan, size_t index, struct target *t,
                         struct cub_error *err) {
  const struct setup_op *op = &plan->config->ops[index];
  const struct host_paths *paths = &plan->paths[index];
  if (op->type == OP_RO_OVERLAY && op->n_lowers == 1)
    return bind_host(plan, paths->lowers[0], t,
                     MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_, err);
  if (make_target_dir(plan, t, 0755, err) < 0)
    return -1;
  int mount_fd = plan->overlay_fds[index];
  if (mount_fd < 0)
    return mount_overlay_legacy(plan, index, t, err);
  if (sys_move_mount(mount_fd, "", t->fd, "", MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_) < 0)
    return make_error(err, errno, "attach overlay on `%s`", t->shown);
  close(mount_fd);
  plan->overlay_fds[index] = -1;
  return 0;
}

/* ---- masks: proc and sys entries the job may not read or write */

#define MASK_ATTRS (MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_ | MOUNT_ATTR_NOEXEC_)

/* The base's empty file (kind 0) or dir (1), bound read-only over each mask. */
static int prepare_mask(struct root_plan *plan, int kind, struct cub_error *err) {
  if (plan->mask_made[kind])
    return 0;
  int ret = kind ? mkdirat(plan->base_fd, mask_names[kind], 0555)
                 : mknodat(plan->base_fd, mask_names[kind], S_IFREG | 0444, 0);
  if (ret < 0)
    return make_error(err, errno, "create `/%s` in the base tmpfs", mask_names[kind]);
  plan->mask_made[kind] = true;
  return 0;
}

/* Hides an entry of the directory at dir_fd, if it is there. fresh: dir_fd
 * is a proc we just mounted, and the cwd; else name is resolved inside
 * dir_fd's root. */
static int mask_entry(struct root_plan *plan, int dir_fd, const char *name, bool fresh,
                      const char *dest, struct cub_error *err) {
  char shown_path[PATH_MAX];
  snprintf(shown_path, sizeof shown_path, "%s/%s", strcmp(dest, "/") ? dest : "", name);
  struct target t = {dir_fd, name, false, shown_path, -1};
  struct stat st;
  int ret = fresh ? fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW)
                  : open_in_root(dir_fd, name, false, plan->config->legacy_mount, &t.fd);
  if (ret < 0)
    return errno == ENOENT || errno == ENOTDIR
               ? 0
               : make_error(err, errno, "open `%s` to mask it", shown_path);
  if (!fresh && fstat(t.fd, &st) < 0)
    ret = make_error(err, errno, "stat `%s`", shown_path);
  /* A symlink leads to another entry, masked (or not) on its own. An entry
   * only its unmapped owner may open (kcore, kpageflags as an ordinary user)
   * the job cannot open either, capabilities or not: one mount less. */
  bool hidden = S_ISLNK(st.st_mode) ||
                ((st.st_mode & S_IRWXO) == 0 && st.st_uid != 0 && st.st_gid != 0);
  int kind = S_ISDIR(st.st_mode) ? 1 : 0;
  if (ret == 0 && !hidden)
    ret = prepare_mask(plan, kind, err);
  if (ret == 0 && !hidden && fresh) {
    char source[16];
    snprintf(source, sizeof source, "/%s", mask_names[kind]); /* in the base, our root */
    ret = bind_here(dir_fd, source, name, MASK_ATTRS, false, shown_path, err);
  } else if (ret == 0 && !hidden) {
    cleanup_close int tree = -1;
    ret = open_bind_tree(plan, plan->base_fd, mask_names[kind], false, &tree, err);
    if (ret == 0)
      ret = attach_bind(plan, tree, plan->base_fd, mask_names[kind], &t, MASK_ATTRS, false, err);
  }
  close_target(&t);
  return ret;
}

/* Docker's and runc's masked /proc paths, and the page-frame files a root
 * without capabilities can still read. Not interrupts: /proc/stat's intr
 * line, which CPU meters need, has the same per-IRQ counts. */
static const char *const proc_masked[] = {
    "kcore",      "keys",       "timer_list",  "timer_stats", "sched_debug", "latency_stats",
    "kpagecount", "kpageflags", "kpagecgroup", "acpi",        "scsi",        "asound",
};
/* Knobs that are not namespaced stay read-only, as in bubblewrap. */
static const char *const proc_read_only[] = {"sys", "sysrq-trigger", "irq", "bus", "fs"};

static int mount_proc(struct root_plan *plan, struct target *t, struct cub_error *err) {
  static const struct fs_spec proc = {
      "proc", NULL, 0, MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_ | MOUNT_ATTR_NOEXEC_};
  /* A symlink here could aim the fresh proc at a path of the job's choosing. */
  t->follow = false;
  cleanup_close int proc_fd = -1;
  if (make_target_dir(plan, t, 0755, err) < 0 || mount_fs(plan, &proc, t, &proc_fd, err) < 0)
    return -1;
  /* The build uses no relative path but these: the cwd may stay here. */
  if (fchdir(proc_fd) < 0)
    return make_error(err, errno, "fchdir to `%s`", t->shown);
  for (size_t i = 0; i < sizeof proc_read_only / sizeof proc_read_only[0]; i++) {
    const char *name = proc_read_only[i];
    char shown_path[PATH_MAX];
    snprintf(shown_path, sizeof shown_path, "%s/%s", t->shown, name);
    struct stat st;
    if (fstatat(proc_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT)
        continue; /* sysrq-trigger: not in a user namespace's proc (Linux 6.18) */
      return make_error(err, errno, "stat `%s`", shown_path);
    }
    if (bind_here(proc_fd, name, name, MASK_ATTRS, true, shown_path, err) < 0)
      return -1;
  }
  for (size_t i = 0; i < sizeof proc_masked / sizeof proc_masked[0]; i++)
    if (mask_entry(plan, proc_fd, proc_masked[i], true, t->shown, err) < 0)
      return -1;
  return 0;
}

/* /sys, when an op put one in the new root: firmware tables and RAPL energy
 * counters (a power side channel), as Docker and runc mask them. */
static int mask_sys(struct root_plan *plan, struct cub_error *err) {
  static const char *const masked[] = {"sys/firmware", "sys/devices/virtual/powercap"};
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
    if (mask_entry(plan, plan->root_fd, masked[i], false, "/", err) < 0)
      return -1;
  return 0;
}

/* ---- dev */

static int mount_dev(struct root_plan *plan, struct target *t, struct cub_error *err) {
  cleanup_close int dev_fd = -1;
  if (make_target_dir(plan, t, 0755, err) < 0 || mount_tmpfs(plan, t, 0755, NULL, &dev_fd, err) < 0)
    return -1;
  char shown_path[PATH_MAX], source[PATH_MAX];
  if (fchdir(dev_fd) < 0)
    return make_error(err, errno, "fchdir to `%s`", t->shown);
  /* Binds of host nodes work on a nodev tmpfs: access checks use the bind's mount. */
  static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    snprintf(shown_path, sizeof shown_path, "%s/%s", t->shown, nodes[i]);
    snprintf(source, sizeof source, OLDROOT "/dev/%s", nodes[i]);
    if (mknodat(dev_fd, nodes[i], S_IFREG | 0444, 0) < 0 && errno != EEXIST)
      return make_error(err, errno, "create `%s`", shown_path);
    if (bind_here(dev_fd, source, nodes[i], 0, false, shown_path, err) < 0)
      return -1;
  }
  /* No gid= option: the tty group may be unmapped in the user namespace. */
  static const struct fs_option pts_options[] = {
      {"newinstance", NULL}, {"ptmxmode", "0666"}, {"mode", "620"}};
  static const struct fs_spec devpts = {"devpts", pts_options, 3,
                                        MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NOEXEC_};
  snprintf(shown_path, sizeof shown_path, "%s/pts", t->shown);
  struct target pts = {dev_fd, "pts", false, shown_path, -1};
  if (mkdirat(dev_fd, "pts", 0755) < 0)
    return make_error(err, errno, "mkdir `%s`", shown_path);
  int ret = mount_fs(plan, &devpts, &pts, NULL, err);
  close_target(&pts);
  if (ret < 0)
    return -1;
  snprintf(shown_path, sizeof shown_path, "%s/shm", t->shown);
  struct target shm = {dev_fd, "shm", false, shown_path, -1};
  if (mkdirat(dev_fd, "shm", 0755) < 0)
    return make_error(err, errno, "mkdir `%s`", shown_path);
  ret = mount_tmpfs(plan, &shm, 01777, NULL, NULL, err);
  close_target(&shm);
  if (ret < 0)
    return -1;
  static const char *const links[][2] = {
      {"pts/ptmx", "ptmx"},          {"/proc/self/fd", "fd"},
      {"/proc/self/fd/0", "stdin"},  {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(shown_path, sizeof shown_path, "%s/%s", t->shown, links[i][1]);
    if (make_symlink_at(dev_fd, links[i][1], links[i][0], shown_path, err) < 0)
      return -1;
  }
  return 0;
}

/* ---- one op */

static int run_op_on(struct root_plan *plan, size_t index, struct target *t,
                     struct cub_error *err) {
  const struct setup_op *op = &plan->config->ops[index];
  const struct host_paths *paths = &plan->paths[index];
  static const uint64_t bind_attrs[] = {
      [OP_BIND] = MOUNT_ATTR_NODEV_,
      [OP_RO_BIND] = MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_,
      [OP_DEV_BIND] = 0,
  };
  switch (op->type) {
  case OP_OVERLAY:
  case OP_RO_OVERLAY:
    return mount_overlay(plan, index, t, err);
  case OP_BIND:
  case OP_RO_BIND:
  case OP_DEV_BIND:
    return bind_host(plan, paths->source, t, bind_attrs[op->type], err);
  case OP_TMPFS:
    if (make_target_dir(plan, t, 0755, err) < 0)
      return -1;
    return mount_tmpfs(plan, t, op->has_perms ? op->perms : 0755, op, NULL, err);
  case OP_DIR: {
    if (make_target_dir(plan, t, op->has_perms ? op->perms : 0755, err) < 0)
      return -1;
    if (!op->has_perms)
      return 0;
    /* fchmod needs a real fd, not O_PATH. */
    cleanup_close int dir = openat(t->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0 || fchmod(dir, op->perms) < 0)
      return make_error(err, errno, "chmod `%s`", op->dest);
    return 0;
  }
  case OP_SYMLINK: {
    cleanup_close int parent_fd = -1;
    const char *name;
    if (open_target_parent(plan, t, &parent_fd, &name, err) < 0)
      return -1;
    return make_symlink_at(parent_fd >= 0 ? parent_fd : t->dir_fd, name, op->source, op->dest,
                           err);
  }
  case OP_REMOUNT_RO:
    if (open_target(plan, t, err) < 0)
      return -1;
    return set_mount_attrs(t->fd, MOUNT_ATTR_RDONLY_, false, op->dest, err);
  case OP_PROC:
    return mount_proc(plan, t, err);
  case OP_DEV:
    return mount_dev(plan, t, err);
  }
  return make_error(err, EINVAL, "unknown op %d", (int)op->type);
}

static int open_newroot(struct root_plan *plan, struct cub_error *err) {
  plan->root_fd = openat(plan->base_fd, NEWROOT + 1, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (plan->root_fd < 0)
    return make_error(err, errno, "open `%s`", NEWROOT);
  return 0;
}

static int run_op(struct root_plan *plan, size_t index, struct cub_error *err) {
  const struct setup_op *op = &plan->config->ops[index];
  /* DEST `/` is /newroot itself, in the base we made: no lookup in the new root. */
  bool at_root = strcmp(op->dest, "/") == 0;
  if (!at_root && plan->root_fd < 0 && open_newroot(plan, err) < 0)
    return -1;
  struct target t = {
      .dir_fd = at_root ? plan->base_fd : plan->root_fd,
      .path = at_root ? NEWROOT + 1 : op->dest + 1,
      .follow = true,
      .shown = op->dest,
      .fd = -1,
  };
  int ret = run_op_on(plan, index, &t, err);
  close_target(&t);
  /* A new root mount: later ops open it afresh. */
  if (at_root && op->type != OP_REMOUNT_RO && plan->root_fd >= 0) {
    close(plan->root_fd);
    plan->root_fd = -1;
  }
  return ret;
}

/* ---- the two pivots */

static int enter_base(struct root_plan *plan, struct cub_error *err) {
  /* Any directory will do: the tmpfs hides it only in this mount namespace. */
  static const char *const bases[] = {"/tmp", "/var/tmp", "/run", "/mnt"};
  const char *base = NULL;
  for (size_t i = 0; i < sizeof bases / sizeof bases[0] && base == NULL; i++) {
    if (mount("tmpfs", bases[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") == 0)
      base = bases[i];
    else if (errno != ENOENT && errno != ENOTDIR)
      return make_error(err, errno, "mount tmpfs on `%s`", bases[i]);
  }
  if (base == NULL)
    return make_error(err, ENOENT, "mount base tmpfs: none of /tmp, /var/tmp, /run, /mnt exist");
  if (chdir(base) < 0)
    return make_error(err, errno, "chdir `%s`", base);
  if (mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0755) < 0)
    return make_error(err, errno, "mkdir in base tmpfs");
  if (sys_pivot_root(".", "oldroot") < 0) {
    set_error_stage(err, "pivot_root");
    return make_error(err, errno, "pivot_root into base tmpfs `%s`", base);
  }
  if (chdir("/") < 0)
    return make_error(err, errno, "chdir `/`");
  plan->base_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (plan->base_fd < 0)
    return make_error(err, errno, "open the base tmpfs");
  return 0;
}

static int switch_to_newroot(struct cub_error *err) {
  if (chdir(NEWROOT) < 0)
    return make_error(err, errno, "chdir `%s`", NEWROOT);
  /* pivot_root(".", ".") stacks the base on top of the new root; detaching it
   * drops the base and the host tree under /oldroot in one go (Linux 3.17+). */
  if (sys_pivot_root(".", ".") < 0)
    return make_error(err, errno, "pivot_root into the new root");
  if (umount2(".", MNT_DETACH) < 0)
    return make_error(err, errno, "umount2 the old root");
  if (chdir("/") < 0)
    return make_error(err, errno, "chdir `/`");
  return 0;
}

static int enter_newroot(struct cub_error *err) {
  if (switch_to_newroot(err) < 0) {
    set_error_stage(err, "pivot_root");
    return -1;
  }
  return 0;
}

/* Overlays are created while host paths are still plain paths; creating
 * them needs the uid/gid maps (EACCES before, Linux 6.18), so not earlier.
 * With --disk-tmpfs, in the base, where the disk is mounted. */
static int create_overlays(struct root_plan *plan, bool in_base, struct cub_error *err) {
  for (size_t i = 0; i < plan->config->n_ops; i++) {
    const struct setup_op *op = &plan->config->ops[i];
    bool overlay = op->type == OP_OVERLAY || (op->type == OP_RO_OVERLAY && op->n_lowers > 1);
    if (!overlay || plan->config->legacy_overlay)
      continue;
    int ret = create_overlay_mount(plan, i, in_base, &plan->overlay_fds[i], err);
    if (ret == OVERLAY_UNSUPPORTED)
      return 0; /* kernel before 6.8: every overlay takes the mount(2) path */
    if (ret < 0)
      return -1;
  }
  return 0;
}

/* The disk tmpfs at /disk in the base (overlayfs wants its upper dir in our
 * mount namespace), with INDEX/upper and INDEX/work for each on-disk overlay. */
static int mount_disk(struct root_plan *plan, struct cub_error *err) {
  const struct sandbox_config *config = plan->config;
  char size_text[32];
  snprintf(size_text, sizeof size_text, "%llu", config->disk_bytes);
  struct fs_option options[] = {{"mode", "0755"}, {"size", size_text}};
  struct fs_spec fs = {"tmpfs", options, 2, MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_};
  struct target t = {plan->base_fd, DISK + 1, false, "--disk-tmpfs", -1};
  int ret = make_target_dir(plan, &t, 0755, err);
  if (ret == 0)
    ret = mount_fs(plan, &fs, &t, &plan->disk_fd, err);
  close_target(&t);
  if (ret < 0)
    return -1;
  for (size_t i = 0; i < config->n_ops; i++) {
    if (!config->ops[i].on_disk)
      continue;
    char dir[64];
    for (int step = 0; step < 3; step++) {
      snprintf(dir, sizeof dir, step == 0 ? "%zu" : step == 1 ? DISK_UPPER_FMT : DISK_WORK_FMT,
               i);
      if (mkdirat(plan->disk_fd, dir, 0755) < 0)
        return make_error(err, errno, "mkdir `%s` on the disk tmpfs", dir);
    }
  }
  return 0;
}

int plan_root(const struct sandbox_config *config, struct root_plan **out,
              struct cub_error *err) {
  struct root_plan *plan = calloc(1, sizeof *plan);
  if (plan == NULL)
    return make_error(err, errno, "calloc");
  *plan = (struct root_plan){.config = config, .base_fd = -1, .root_fd = -1, .disk_fd = -1};
  plan->paths = calloc(config->n_ops + 1, sizeof *plan->paths);
  plan->overlay_fds = malloc((config->n_ops + 1) * sizeof *plan->overlay_fds);
  plan->host_upper_fds = malloc((config->n_ops + 1) * sizeof *plan->host_upper_fds);
  if (plan->paths == NULL || plan->overlay_fds == NULL || plan->host_upper_fds == NULL)
    return make_error(err, errno, "calloc");
  for (size_t i = 0; i < config->n_ops; i++)
    plan->overlay_fds[i] = plan->host_upper_fds[i] = -1;
  *out = plan;
  if (resolve_sources(plan, err) < 0)
    return -1;
  /* Slave, not private: host unmounts still reach us, nothing flows back. */
  if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return make_error(err, errno, "make `/` a recursive slave mount");
  return 0;
}

static void close_build_fds(struct root_plan *plan) {
  int *fds[] = {&plan->base_fd, &plan->root_fd};
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
    if (*fds[i] >= 0)
      close(*fds[i]);
    *fds[i] = -1;
  }
}

int build_root(struct root_plan *plan, struct disk_handles *disk, struct cub_error *err) {
  const struct sandbox_config *config = plan->config;
  bool on_disk = config->disk_bytes > 0;
  if (on_disk ? enter_base(plan, err) < 0 || mount_disk(plan, err) < 0 ||
                    create_overlays(plan, true, err) < 0
              : create_overlays(plan, false, err) < 0 || enter_base(plan, err) < 0)
    return -1;
  bool root_from_op = config->n_ops > 0 && strcmp(config->ops[0].dest, "/") == 0 &&
                      config->ops[0].type != OP_REMOUNT_RO;
  if (!root_from_op && mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
    return make_error(err, errno, "mount tmpfs on `/`");
  for (size_t i = 0; i < config->n_ops; i++)
    if (run_op(plan, i, err) < 0)
      return -1;
  if ((plan->root_fd < 0 && open_newroot(plan, err) < 0) || mask_sys(plan, err) < 0)
    return -1;
  /* Nothing of the base, the host or the new root's build stays open in PID 1. */
  close_build_fds(plan);
  disk->fd = plan->disk_fd;
  disk->host_upper_fds = plan->host_upper_fds;
  return enter_newroot(err);
}
