/* The new mount API (Linux 5.2+): detached trees (open_tree) attached with move_mount,
 * attributes by mount_setattr, overlays built by fsopen/fsconfig/fsmount. Each caller falls
 * back to mount_legacy.c when the kernel lacks a call (ENOSYS). */
#include "sandbox.h"
#include "mounts.h"

#include <fcntl.h>
#include <string.h>

/* A target left unopened (fd -1) is one name in a directory that we or the
 * kernel just made (proc, our /dev): move_mount looks it up itself, and
 * without MOVE_MOUNT_T_SYMLINKS it follows no symlink. */
static int move_to_target(int mount_fd, const struct target *t) {
  if (t->fd >= 0)
    return sys_move_mount(mount_fd, "", t->fd, "",
                          MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_);
  return sys_move_mount(mount_fd, "", t->dir_fd, t->path, MOVE_MOUNT_F_EMPTY_PATH_);
}

/* attrs on the mount whose root is fd. */
int set_mount_attrs(int fd, uint64_t attrs, bool recursive, const char *dest,
                    struct cub_error *err) {
  if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE_ : 0), attrs, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return make_error(err, errno, "mount_setattr `%s`", dest);
  /* mount_setattr needs Linux 5.12: mount(2) remounts (mount_legacy.c). */
  return remount_fd(fd, attrs, dest, err);
}

/* A detached copy of the tree at dir_fd/name (open_tree, Linux 5.2); -1 without the API. */
int open_bind_tree(struct root_plan *plan, int dir_fd, const char *name, bool recursive, int *tree,
                   struct cub_error *err) {
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

/* Attaches the detached tree onto t with attrs set first; *late: mount_setattr is missing
 * (before Linux 5.12), the caller sets them on the attached mount instead. */
int attach_tree(int tree, int dir_fd, const char *name, struct target *t, uint64_t attrs,
                bool recursive, bool *late, struct cub_error *err) {
  struct fd_path source;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE_ : 0);
  *late = false;
  if (attrs != 0 && sys_mount_setattr(tree, "", flags, attrs, 0) < 0) {
    if (errno != ENOSYS)
      return make_error(err, errno, "mount_setattr on the bind for `%s`", t->shown);
    *late = true;
  }
  if (move_to_target(tree, t) < 0)
    return make_error(err, errno, "bind `%s` on `%s`", shown(fd_path(&source, dir_fd, name)),
                      t->shown);
  return 0;
}

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

/* fsopen + "lowerdir+" (Linux 6.8): one call per layer, so no option-string
 * length limit and no escaping of ':' or ','. Returns a detached mount. */
int create_overlay_mount(const struct root_plan *plan, size_t index, bool in_base, int *mount_fd,
                         struct cub_error *err) {
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
      make_error(err, errno, "overlay upper `%s` / work `%s` for `%s`", shown(upper), shown(work),
                 op->dest);
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
