/* Targets (a DEST opened inside the new root, as a chroot resolves it) and what goes onto
 * one: binds of host paths, new file systems by mount(2) on ".", symlinks. */
#include "sandbox.h"
#include "mounts.h"

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* ---- paths inside the new root */

static int check_dir(int fd, const char *path, struct cub_error *err) {
  struct stat st;
  if (fstat(fd, &st) < 0)
    return make_error(err, errno, "stat `/%s` in the new root", path);
  if (S_ISDIR(st.st_mode))
    return 0;
  if (S_ISLNK(st.st_mode))
    return make_error(err, ENOTDIR,
                      "`/%s` in the new root is a symlink, refused as a mount "
                      "point",
                      path);
  return make_error(err, ENOTDIR, "`/%s` in the new root", path);
}

/* mkdir -p inside the root of dir_fd: one open when it exists (the common case). */
static int make_dirs_in_root(const struct root_plan *plan, int dir_fd, const char *path,
                             mode_t mode, bool follow_last, int *out, struct cub_error *err) {
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

void close_target(struct target *t) {
  if (t->fd >= 0)
    close(t->fd);
  t->fd = -1;
}

int open_target(const struct root_plan *plan, struct target *t, struct cub_error *err) {
  close_target(t);
  if (open_in_root(t->dir_fd, t->path, t->follow, plan->config->legacy_mount, &t->fd) < 0)
    return make_error(err, errno, "open `%s` in the new root", t->shown);
  return 0;
}

int make_target_dir(const struct root_plan *plan, struct target *t, mode_t mode,
                    struct cub_error *err) {
  close_target(t);
  return make_dirs_in_root(plan, t->dir_fd, t->path, mode, t->follow, &t->fd, err);
}

/* The parent of t (made if missing), and t's last component. */
int open_target_parent(const struct root_plan *plan, const struct target *t, int *parent_fd,
                       const char **name, struct cub_error *err) {
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
int make_target_file(const struct root_plan *plan, struct target *t, struct cub_error *err) {
  cleanup_close int parent_fd = -1;
  const char *name;
  if (open_target_parent(plan, t, &parent_fd, &name, err) < 0)
    return -1;
  if (mknodat(parent_fd >= 0 ? parent_fd : t->dir_fd, name, S_IFREG | 0444, 0) < 0 &&
      errno != EEXIST)
    return make_error(err, errno, "create mount point `%s`", t->shown);
  return open_target(plan, t, err);
}

int make_symlink_at(int dir_fd, const char *name, const char *target, const char *dest,
                    struct cub_error *err) {
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

/* Binds tree (or, without one, dir_fd/name by mount(2)) onto t, then sets attrs. */
int attach_bind(const struct root_plan *plan, int tree, int dir_fd, const char *name,
                struct target *t, uint64_t attrs, bool recursive, struct cub_error *err) {
  if (tree >= 0) {
    bool late = false;
    if (attach_tree(tree, dir_fd, name, t, attrs, recursive, &late, err) < 0)
      return -1;
    if (!late)
      return 0;
  } else {
    if (bind_legacy(plan, dir_fd, name, t, recursive, err) < 0)
      return -1;
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
int bind_here(int dir_fd, const char *source, const char *name, uint64_t attrs, bool recursive,
              const char *dest, struct cub_error *err) {
  if (mount(source, name, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return make_error(err, errno, "bind `%s` on `%s`", shown(source), dest);
  if (attrs == 0)
    return 0;
  unsigned flags = AT_SYMLINK_NOFOLLOW | (recursive ? AT_RECURSIVE_ : 0);
  if (sys_mount_setattr(dir_fd, name, flags, attrs, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return make_error(err, errno, "mount_setattr `%s`", dest);
  return remount_name(name, attrs, dest, err);
}

int bind_host(struct root_plan *plan, const char *host_source, struct target *t, uint64_t attrs,
              struct cub_error *err) {
  cleanup_free char *source = NULL;
  if (join_path(OLDROOT, host_source, &source, err) < 0)
    return -1;
  cleanup_close int tree = -1;
  if (open_bind_tree(plan, AT_FDCWD, source, true, &tree, err) < 0)
    return -1;
  struct stat st;
  if ((tree >= 0 ? fstat(tree, &st) : stat(source, &st)) < 0)
    return make_error(err, errno, "stat `%s`", shown(source));
  int ret =
      S_ISDIR(st.st_mode) ? make_target_dir(plan, t, 0755, err) : make_target_file(plan, t, err);
  if (ret < 0)
    return -1;
  return attach_bind(plan, tree, AT_FDCWD, source, t, attrs, true, err);
}

/* mount(2) onto the target from inside it, on "." (a target left unopened:
 * its name in the directory we just made). As safe as move_mount onto the
 * fd, no /proc needed, and 3 calls instead of fsopen's 6 to 8. */
int mount_fs(struct root_plan *plan, const struct fs_spec *fs, struct target *t, int *root_out,
             struct cub_error *err) {
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

int mount_tmpfs(struct root_plan *plan, struct target *t, mode_t mode, const struct setup_op *op,
                int *root_out, struct cub_error *err) {
  char mode_text[16], size_text[32];
  snprintf(mode_text, sizeof mode_text, "%04o", (unsigned)mode);
  struct fs_option options[2] = {{"mode", mode_text}, {"size", size_text}};
  if (op != NULL && op->has_size)
    snprintf(size_text, sizeof size_text, "%llu", op->size);
  struct fs_spec fs = {"tmpfs", options, op != NULL && op->has_size ? 2 : 1,
                       MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_};
  return mount_fs(plan, &fs, t, root_out, err);
}
