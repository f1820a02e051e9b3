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
 * proc or /dev just mounted, entries are bound by name from there.
 *
 * This file: the plan, the host sources, the dispatch of each op and the two pivots.
 * mount_target.c: targets and binds; mount_overlay.c; mount_proc_dev.c: proc, /sys masks, /dev;
 * mount_newapi.c (open_tree, move_mount, mount_setattr, fsopen) apart from mount_legacy.c
 * (mount(2) by /proc/self/fd paths), as nsjail keeps mnt_newapi and mnt_legacy. */
#include "sandbox.h"
#include "mounts.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static const char *const op_names[] = {
    [OP_OVERLAY] = "--overlay",
    [OP_RO_OVERLAY] = "--ro-overlay",
    [OP_BIND] = "--bind",
    [OP_RO_BIND] = "--ro-bind",
    [OP_DEV_BIND] = "--dev-bind",
    [OP_TMPFS] = "--tmpfs",
    [OP_DIR] = "--dir",
    [OP_SYMLINK] = "--symlink",
    [OP_REMOUNT_RO] = "--remount-ro",
    [OP_PROC] = "--proc",
    [OP_DEV] = "--dev",
};

/* Messages show paths as the user wrote them, not our /newroot, /oldroot prefixes. */
const char *shown(const char *path) {
  _Static_assert(sizeof NEWROOT == sizeof OLDROOT, "prefixes of equal length");
  if (strncmp(path, NEWROOT, sizeof NEWROOT - 1) == 0 ||
      strncmp(path, OLDROOT, sizeof OLDROOT - 1) == 0) {
    const char *rest = path + sizeof NEWROOT - 1;
    return *rest ? rest : "/";
  }
  return path;
}

int join_path(const char *prefix, const char *path, char **out, struct cub_error *err) {
  if (strcmp(path, "/") == 0)
    path = "";
  if (asprintf(out, "%s%s", prefix, path) < 0)
    return make_error(err, ENOMEM, "asprintf");
  return 0;
}

bool legacy_mount_api(const struct root_plan *plan) {
  return plan->config->legacy_mount || plan->no_mount_api;
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
    return make_symlink_at(parent_fd >= 0 ? parent_fd : t->dir_fd, name, op->source, op->dest, err);
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
      snprintf(dir, sizeof dir, step == 0 ? "%zu" : step == 1 ? DISK_UPPER_FMT : DISK_WORK_FMT, i);
      if (mkdirat(plan->disk_fd, dir, 0755) < 0)
        return make_error(err, errno, "mkdir `%s` on the disk tmpfs", dir);
    }
  }
  return 0;
}

int plan_root(const struct sandbox_config *config, struct root_plan **out, struct cub_error *err) {
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
