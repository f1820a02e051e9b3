/* --overlay and --ro-overlay: the layers as overlayfs is told them, the overlays created
 * before the first pivot (mount_newapi.c) and attached to their DEST, or mounted by
 * mount(2) (mount_legacy.c). */
#include "sandbox.h"
#include "mounts.h"

#include <stdio.h>
#include <unistd.h>

/* What overlayfs is told: a host path as it is, or under /oldroot once in the base. */
int host_layer(const char *host_path, bool in_base, char **out, struct cub_error *err) {
  if (asprintf(out, "%s%s", in_base ? OLDROOT : "", host_path) < 0)
    return make_error(err, ENOMEM, "asprintf");
  return 0;
}

/* The upper (or work) dir: the host's, or INDEX/upper on the disk tmpfs. */
int upper_layer(const struct root_plan *plan, size_t index, bool work, bool in_base, char **out,
                struct cub_error *err) {
  if (!plan->config->ops[index].on_disk)
    return host_layer(work ? plan->paths[index].work : plan->paths[index].upper, in_base, out, err);
  if (asprintf(out,
               DISK "/"
                    "%zu/%s",
               index, work ? "work" : "upper") < 0)
    return make_error(err, ENOMEM, "asprintf");
  return 0;
}

int mount_overlay(struct root_plan *plan, size_t index, struct target *t, struct cub_error *err) {
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
  if (sys_move_mount(mount_fd, "", t->fd, "", MOVE_MOUNT_F_EMPTY_PATH_ | MOVE_MOUNT_T_EMPTY_PATH_) <
      0)
    return make_error(err, errno, "attach overlay on `%s`", t->shown);
  close(mount_fd);
  plan->overlay_fds[index] = -1;
  return 0;
}

/* Overlays are created while host paths are still plain paths; creating
 * them needs the uid/gid maps (EACCES before, Linux 6.18), so not earlier.
 * With --disk-tmpfs, in the base, where the disk is mounted. */
int create_overlays(struct root_plan *plan, bool in_base, struct cub_error *err) {
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
