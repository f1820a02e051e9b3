/* The new root, built the bubblewrap way: a tmpfs base holding /newroot and
 * /oldroot (the host root), the ops executed against /newroot with sources
 * read through /oldroot, then a second pivot_root into /newroot. */
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
                     struct sandbox_error *err) {
  if (strcmp(path, "/") == 0)
    path = "";
  if (asprintf(out, "%s%s", prefix, path) < 0)
    return make_error(err, ENOMEM, "asprintf");
  return 0;
}

/* realpath() on the host: symlinks in SRC must resolve against the host root. */
static int resolve_host_path(const struct setup_op *op, const char *role, const char *path,
                             char **out, struct sandbox_error *err) {
  *out = realpath(path, NULL);
  if (*out == NULL)
    return make_error(err, errno, "%s %s `%s`", op_names[op->type], role, path);
  return 0;
}

static int resolve_sources(struct root_plan *plan, struct sandbox_error *err) {
  const struct sandbox_config *config = plan->config;
  for (size_t i = 0; i < config->n_ops; i++) {
    const struct setup_op *op = &config->ops[i];
    struct host_paths *paths = &plan->paths[i];
    switch (op->type) {
    case OP_OVERLAY:
      if (resolve_host_path(op, "UPPER", op->upper, &paths->upper, err) < 0 ||
          resolve_host_path(op, "WORK", op->work, &paths->work, err) < 0)
        return -1;
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

/* mkdir -p: one mkdir when the parent exists, which is the common case. */
static int make_dirs(const char *path, mode_t mode, struct sandbox_error *err) {
  if (mkdir(path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return make_error(err, errno, "mkdir `%s`", shown(path));
  cleanup_free char *parent = strdup(path);
  if (parent == NULL)
    return make_error(err, errno, "strdup");
  char *slash = strrchr(parent, '/');
  if (slash == NULL || slash == parent)
    return make_error(err, ENOENT, "mkdir `%s`", shown(path));
  *slash = '\0';
  if (make_dirs(parent, 0755, err) < 0)
    return -1;
  if (mkdir(path, mode) < 0 && errno != EEXIST)
    return make_error(err, errno, "mkdir `%s`", shown(path));
  return 0;
}

static int make_parent_dirs(const char *path, struct sandbox_error *err) {
  cleanup_free char *parent = strdup(path);
  if (parent == NULL)
    return make_error(err, errno, "strdup");
  char *slash = strrchr(parent, '/');
  if (slash == NULL || slash == parent)
    return 0;
  *slash = '\0';
  return make_dirs(parent, 0755, err);
}

/* A mount point of the source's kind: a directory, or an empty file. */
static int make_mount_point(const char *path, bool is_dir, struct sandbox_error *err) {
  if (is_dir)
    return make_dirs(path, 0755, err);
  if (make_parent_dirs(path, err) < 0)
    return -1;
  if (mknod(path, S_IFREG | 0444, 0) < 0 && errno != EEXIST)
    return make_error(err, errno, "create mount point `%s`", shown(path));
  return 0;
}

/* Same bits as ST_* from statvfs, which is what the remount fallback copies. */
#define MS_KEEP (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | \
                 MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME | MS_RELATIME)

static int set_mount_attrs(const char *path, uint64_t attrs, bool recursive,
                           struct sandbox_error *err) {
  if (sys_mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE_ : 0, attrs, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return make_error(err, errno, "mount_setattr `%s`", shown(path));
  /* mount_setattr needs Linux 5.12; before it only the top mount is remounted,
   * keeping the flags a user namespace may not clear (they are locked). */
  struct statvfs st;
  if (statvfs(path, &st) < 0)
    return make_error(err, errno, "statvfs `%s`", shown(path));
  unsigned long flags = (st.f_flag & MS_KEEP) | MS_REMOUNT | MS_BIND;
  flags |= (attrs & MOUNT_ATTR_RDONLY_ ? MS_RDONLY : 0) |
           (attrs & MOUNT_ATTR_NOSUID_ ? MS_NOSUID : 0) |
           (attrs & MOUNT_ATTR_NODEV_ ? MS_NODEV : 0) |
           (attrs & MOUNT_ATTR_NOEXEC_ ? MS_NOEXEC : 0);
  if (mount(NULL, path, NULL, flags, NULL) < 0)
    return make_error(err, errno, "remount `%s`", shown(path));
  return 0;
}

static int bind_mount(const char *host_source, const char *dest, uint64_t attrs,
                      struct sandbox_error *err) {
  cleanup_free char *source = NULL;
  if (join_path(OLDROOT, host_source, &source, err) < 0)
    return -1;
  struct stat st;
  if (stat(source, &st) < 0)
    return make_error(err, errno, "stat `%s`", shown(source));
  if (make_mount_point(dest, S_ISDIR(st.st_mode), err) < 0)
    return -1;
  if (mount(source, dest, NULL, MS_BIND | MS_REC, NULL) < 0)
    return make_error(err, errno, "bind `%s` on `%s`", shown(source), shown(dest));
  if (attrs != 0)
    return set_mount_attrs(dest, attrs, true, err);
  return 0;
}

static int mount_tmpfs(const char *dest, mode_t mode, const struct setup_op *op,
                       unsigned long flags, struct sandbox_error *err) {
  char options[64];
  int len = snprintf(options, sizeof options, "mode=%04o", (unsigned)mode);
  if (op != NULL && op->has_size)
    snprintf(options + len, sizeof options - (size_t)len, ",size=%llu", op->size);
  if (make_dirs(dest, 0755, err) < 0)
    return -1;
  if (mount("tmpfs", dest, "tmpfs", flags, options) < 0)
    return make_error(err, errno, "mount tmpfs on `%s`", shown(dest));
  return 0;
}

/* ---- overlay */

/* The fs_context log says why overlayfs refused, e.g. "upper fs does not support xattr". */
static void append_fs_log(int fs_fd, struct sandbox_error *err) {
  char line[256];
  for (int i = 0; i < 4; i++) {
    ssize_t n = read(fs_fd, line, sizeof line - 1);
    if (n <= 2)
      return;
    line[n] = '\0';
    if (line[0] != 'e')
      continue;
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof err->message - used, " (%s)", line + 2);
    return;
  }
}

#define OVERLAY_UNSUPPORTED (-2)

/* fsopen + "lowerdir+" (Linux 6.8): one call per layer, so no option-string
 * length limit and no escaping of ':' or ','. Returns a detached mount. */
static int create_overlay_mount(const struct host_paths *paths, const struct setup_op *op,
                                int *mount_fd, struct sandbox_error *err) {
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
    if (sys_fsconfig(fs_fd, FSCONFIG_SET_STRING_, "lowerdir+", paths->lowers[i], 0) < 0) {
      if (i == 0 && errno == EINVAL)
        return OVERLAY_UNSUPPORTED;
      make_error(err, errno, "overlay lower layer `%s` for `%s`", shown(paths->lowers[i]),
                 op->dest);
      append_fs_log(fs_fd, err);
      return -1;
    }
  }
  if (!read_only) {
    if (sys_fsconfig(fs_fd, FSCONFIG_SET_STRING_, "upperdir", paths->upper, 0) < 0 ||
        sys_fsconfig(fs_fd, FSCONFIG_SET_STRING_, "workdir", paths->work, 0) < 0) {
      make_error(err, errno, "overlay upper `%s` / work `%s` for `%s`", shown(paths->upper),
                 shown(paths->work), op->dest);
      append_fs_log(fs_fd, err);
      return -1;
    }
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

static void append_host_path(struct option_buf *buf, const char *key, const char *path) {
  append_option(buf, key, false);
  append_option(buf, OLDROOT, true);
  append_option(buf, path, true);
}

static int mount_overlay_legacy(const struct host_paths *paths, size_t n_lowers,
                                const char *dest, bool read_only,
                                struct sandbox_error *err) {
  struct option_buf options = {.used = 0};
  for (size_t i = 0; i < n_lowers; i++)
    append_host_path(&options, i == 0 ? "lowerdir=" : ":", paths->lowers[i]);
  if (!read_only) {
    append_host_path(&options, ",upperdir=", paths->upper);
    append_host_path(&options, ",workdir=", paths->work);
  }
  append_option(&options, ",userxattr", false);
  if (options.overflow)
    return make_error(err, E2BIG,
                      "mount overlay on `%s`: %zu layers do not fit in one page of "
                      "mount options (Linux 6.8 lifts this with lowerdir+)",
                      shown(dest), n_lowers);
  if (mount("overlay", dest, "overlay", read_only ? MS_RDONLY : 0, options.data) < 0)
    return make_error(err, errno, "mount overlay on `%s`", shown(dest));
  return 0;
}

static int mount_overlay(const struct root_plan *plan, size_t index, const char *dest,
                         struct sandbox_error *err) {
  const struct setup_op *op = &plan->config->ops[index];
  const struct host_paths *paths = &plan->paths[index];
  bool read_only = op->type == OP_RO_OVERLAY;
  if (read_only && op->n_lowers == 1)
    return bind_mount(paths->lowers[0], dest, MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ |
                                                  MOUNT_ATTR_NODEV_, err);
  if (make_dirs(dest, 0755, err) < 0)
    return -1;
  int mount_fd = plan->overlay_fds[index];
  if (mount_fd < 0)
    return mount_overlay_legacy(paths, op->n_lowers, dest, read_only, err);
  if (sys_move_mount(mount_fd, "", AT_FDCWD, dest, MOVE_MOUNT_F_EMPTY_PATH_) < 0)
    return make_error(err, errno, "attach overlay on `%s`", shown(dest));
  close(mount_fd);
  plan->overlay_fds[index] = -1;
  return 0;
}

/* ---- proc and dev */

static int mount_proc(const char *dest, struct sandbox_error *err) {
  if (make_dirs(dest, 0755, err) < 0)
    return -1;
  if (mount("proc", dest, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return make_error(err, errno, "mount proc on `%s`", shown(dest));
  /* Knobs that are not namespaced stay read-only, as in bubblewrap. */
  static const char *const read_only[] = {"sys", "sysrq-trigger", "irq", "bus"};
  for (size_t i = 0; i < sizeof read_only / sizeof read_only[0]; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dest, read_only[i]);
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
      if (errno == ENOENT)
        continue;
      return make_error(err, errno, "bind `%s` read-only", shown(path));
    }
    if (set_mount_attrs(path, MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_ |
                                  MOUNT_ATTR_NOEXEC_, true, err) < 0)
      return -1;
  }
  return 0;
}

static int make_symlink(const char *target, const char *path, struct sandbox_error *err) {
  if (symlink(target, path) == 0)
    return 0;
  if (errno == EEXIST) {
    char existing[PATH_MAX];
    ssize_t n = readlink(path, existing, sizeof existing - 1);
    if (n >= 0) {
      existing[n] = '\0';
      if (strcmp(existing, target) == 0)
        return 0;
    }
    errno = EEXIST;
  }
  return make_error(err, errno, "symlink `%s` -> `%s`", shown(path), target);
}

static int mount_dev(const char *dest, struct sandbox_error *err) {
  if (mount_tmpfs(dest, 0755, NULL, MS_NOSUID | MS_NODEV, err) < 0)
    return -1;
  char path[PATH_MAX], source[PATH_MAX];
  /* Binds of host nodes work on a nodev tmpfs: access checks use the bind's mount. */
  static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dest, nodes[i]);
    snprintf(source, sizeof source, OLDROOT "/dev/%s", nodes[i]);
    if (mknod(path, S_IFREG | 0444, 0) < 0 && errno != EEXIST)
      return make_error(err, errno, "create `%s`", shown(path));
    if (mount(source, path, NULL, MS_BIND, NULL) < 0)
      return make_error(err, errno, "bind `/dev/%s` on `%s`", nodes[i], shown(path));
  }
  snprintf(path, sizeof path, "%s/pts", dest);
  if (mkdir(path, 0755) < 0)
    return make_error(err, errno, "mkdir `%s`", shown(path));
  /* No gid= option: the tty group may be unmapped in the user namespace. */
  if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=620") < 0)
    return make_error(err, errno, "mount devpts on `%s`", shown(path));
  snprintf(path, sizeof path, "%s/shm", dest);
  if (mount_tmpfs(path, 01777, NULL, MS_NOSUID | MS_NODEV, err) < 0)
    return -1;
  static const char *const links[][2] = {
      {"pts/ptmx", "ptmx"},          {"/proc/self/fd", "fd"},
      {"/proc/self/fd/0", "stdin"},  {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dest, links[i][1]);
    if (make_symlink(links[i][0], path, err) < 0)
      return -1;
  }
  return 0;
}

/* ---- one op */

static int run_op(const struct root_plan *plan, size_t index, struct sandbox_error *err) {
  const struct setup_op *op = &plan->config->ops[index];
  const struct host_paths *paths = &plan->paths[index];
  cleanup_free char *dest = NULL;
  if (join_path(NEWROOT, op->dest, &dest, err) < 0)
    return -1;
  static const uint64_t bind_attrs[] = {
      [OP_BIND] = MOUNT_ATTR_NODEV_,
      [OP_RO_BIND] = MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_,
      [OP_DEV_BIND] = 0,
  };
  switch (op->type) {
  case OP_OVERLAY:
  case OP_RO_OVERLAY:
    return mount_overlay(plan, index, dest, err);
  case OP_BIND:
  case OP_RO_BIND:
  case OP_DEV_BIND:
    return bind_mount(paths->source, dest, bind_attrs[op->type], err);
  case OP_TMPFS:
    return mount_tmpfs(dest, op->has_perms ? op->perms : 0755, op, MS_NOSUID | MS_NODEV, err);
  case OP_DIR:
    if (make_dirs(dest, op->has_perms ? op->perms : 0755, err) < 0)
      return -1;
    if (op->has_perms && chmod(dest, op->perms) < 0)
      return make_error(err, errno, "chmod `%s`", op->dest);
    return 0;
  case OP_SYMLINK:
    if (make_parent_dirs(dest, err) < 0)
      return -1;
    return make_symlink(op->source, dest, err);
  case OP_REMOUNT_RO:
    return set_mount_attrs(dest, MOUNT_ATTR_RDONLY_, false, err);
  case OP_PROC:
    return mount_proc(dest, err);
  case OP_DEV:
    return mount_dev(dest, err);
  }
  return make_error(err, EINVAL, "unknown op %d", (int)op->type);
}

/* ---- the two pivots */

static int enter_base(struct sandbox_error *err) {
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
  return 0;
}

static int switch_to_newroot(struct sandbox_error *err) {
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

static int enter_newroot(struct sandbox_error *err) {
  if (switch_to_newroot(err) < 0) {
    set_error_stage(err, "pivot_root");
    return -1;
  }
  return 0;
}

/* Overlays are created while host paths are still plain paths; creating
 * them needs the uid/gid maps (EACCES before, Linux 6.18), so not earlier. */
static int create_overlays(struct root_plan *plan, struct sandbox_error *err) {
  for (size_t i = 0; i < plan->config->n_ops; i++) {
    const struct setup_op *op = &plan->config->ops[i];
    bool overlay = op->type == OP_OVERLAY || (op->type == OP_RO_OVERLAY && op->n_lowers > 1);
    if (!overlay || plan->config->legacy_overlay)
      continue;
    int ret = create_overlay_mount(&plan->paths[i], op, &plan->overlay_fds[i], err);
    if (ret == OVERLAY_UNSUPPORTED)
      return 0; /* kernel before 6.8: every overlay takes the mount(2) path */
    if (ret < 0)
      return -1;
  }
  return 0;
}

int plan_root(const struct sandbox_config *config, struct root_plan **out,
              struct sandbox_error *err) {
  struct root_plan *plan = calloc(1, sizeof *plan);
  if (plan == NULL)
    return make_error(err, errno, "calloc");
  plan->config = config;
  plan->paths = calloc(config->n_ops + 1, sizeof *plan->paths);
  plan->overlay_fds = malloc((config->n_ops + 1) * sizeof *plan->overlay_fds);
  if (plan->paths == NULL || plan->overlay_fds == NULL)
    return make_error(err, errno, "calloc");
  for (size_t i = 0; i < config->n_ops; i++)
    plan->overlay_fds[i] = -1;
  *out = plan;
  if (resolve_sources(plan, err) < 0)
    return -1;
  /* Slave, not private: host unmounts still reach us, nothing flows back. */
  if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return make_error(err, errno, "make `/` a recursive slave mount");
  return 0;
}

int build_root(struct root_plan *plan, struct sandbox_error *err) {
  const struct sandbox_config *config = plan->config;
  if (create_overlays(plan, err) < 0 || enter_base(err) < 0)
    return -1;
  bool root_from_op = config->n_ops > 0 && strcmp(config->ops[0].dest, "/") == 0 &&
                      config->ops[0].type != OP_REMOUNT_RO;
  if (!root_from_op && mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
    return make_error(err, errno, "mount tmpfs on `/`");
  for (size_t i = 0; i < config->n_ops; i++)
    if (run_op(plan, i, err) < 0)
      return -1;
  return enter_newroot(err);
}
