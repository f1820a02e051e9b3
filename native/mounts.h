/* What the mount files share (the root's plan, targets, file system specs); mounts.c has the
 * overview. Internal to mounts.c and mount_*.c: sandbox.h declares plan_root and build_root. */
#ifndef CUBICLE_MOUNTS_H
#define CUBICLE_MOUNTS_H

#include <limits.h>

#define NEWROOT "/newroot"
#define OLDROOT "/oldroot"
#define DISK "/disk" /* --disk-tmpfs, in the base */

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

/* Where mount(2) finds an fd: the host's proc, still at /oldroot while we build. */
struct fd_path {
  char path[PATH_MAX];
};

/* Where a mount goes: path resolved inside dir_fd's root, then used as an fd. */
struct target {
  int dir_fd;
  const char *path;  /* relative to dir_fd */
  bool follow;       /* a symlink as the last component is followed (inside the root) */
  const char *shown; /* for messages: the DEST as given */
  int fd;            /* O_PATH; -1 until opened */
};

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

#define OVERLAY_UNSUPPORTED (-2)

/* mounts.c */
const char *shown(const char *path);
int join_path(const char *prefix, const char *path, char **out, struct cub_error *err);
bool legacy_mount_api(const struct root_plan *plan);

/* mount_target.c */
void close_target(struct target *t);
int open_target(const struct root_plan *plan, struct target *t, struct cub_error *err);
int make_target_dir(const struct root_plan *plan, struct target *t, mode_t mode,
                    struct cub_error *err);
int open_target_parent(const struct root_plan *plan, const struct target *t, int *parent_fd,
                       const char **name, struct cub_error *err);
int make_target_file(const struct root_plan *plan, struct target *t, struct cub_error *err);
int make_symlink_at(int dir_fd, const char *name, const char *target, const char *dest,
                    struct cub_error *err);
int attach_bind(const struct root_plan *plan, int tree, int dir_fd, const char *name,
                struct target *t, uint64_t attrs, bool recursive, struct cub_error *err);
int bind_here(int dir_fd, const char *source, const char *name, uint64_t attrs, bool recursive,
              const char *dest, struct cub_error *err);
int bind_host(struct root_plan *plan, const char *host_source, struct target *t, uint64_t attrs,
              struct cub_error *err);
int mount_fs(struct root_plan *plan, const struct fs_spec *fs, struct target *t, int *root_out,
             struct cub_error *err);
int mount_tmpfs(struct root_plan *plan, struct target *t, mode_t mode, const struct setup_op *op,
                int *root_out, struct cub_error *err);

/* mount_newapi.c */
int set_mount_attrs(int fd, uint64_t attrs, bool recursive, const char *dest,
                    struct cub_error *err);
int open_bind_tree(struct root_plan *plan, int dir_fd, const char *name, bool recursive, int *tree,
                   struct cub_error *err);
int create_overlay_mount(const struct root_plan *plan, size_t index, bool in_base, int *mount_fd,
                         struct cub_error *err);
int attach_tree(int tree, int dir_fd, const char *name, struct target *t, uint64_t attrs,
                bool recursive, bool *late, struct cub_error *err);

/* mount_legacy.c */
const char *fd_path(struct fd_path *buf, int dir_fd, const char *name);
unsigned long ms_flags(uint64_t attrs);
int mount_overlay_legacy(const struct root_plan *plan, size_t index, const struct target *t,
                         struct cub_error *err);
int remount_fd(int fd, uint64_t attrs, const char *dest, struct cub_error *err);
int remount_name(const char *name, uint64_t attrs, const char *dest, struct cub_error *err);
int bind_legacy(const struct root_plan *plan, int dir_fd, const char *name, struct target *t,
                bool recursive, struct cub_error *err);

/* mount_overlay.c */
int host_layer(const char *host_path, bool in_base, char **out, struct cub_error *err);
int upper_layer(const struct root_plan *plan, size_t index, bool work, bool in_base, char **out,
                struct cub_error *err);
int mount_overlay(struct root_plan *plan, size_t index, struct target *t, struct cub_error *err);
int create_overlays(struct root_plan *plan, bool in_base, struct cub_error *err);

/* mount_proc_dev.c */
int mount_proc(struct root_plan *plan, struct target *t, struct cub_error *err);
int mask_sys(struct root_plan *plan, struct cub_error *err);
int mount_dev(struct root_plan *plan, struct target *t, struct cub_error *err);
#endif
