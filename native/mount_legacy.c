/* The mount(2) path: what kernels before the new mount API (or CUBICLE_SANDBOX_LEGACY_MOUNT=1,
 * CUBICLE_SANDBOX_LEGACY_OVERLAY=1) take. An fd is named for mount(2) through the host's
 * proc, still at /oldroot while the root is built. */
#include "sandbox.h"
#include "mounts.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

const char *fd_path(struct fd_path *buf, int dir_fd, const char *name) {
  if (dir_fd == AT_FDCWD)
    snprintf(buf->path, sizeof buf->path, "%s", name);
  else
    snprintf(buf->path, sizeof buf->path, OLDROOT "/proc/self/fd/%d%s%s", dir_fd,
             name[0] ? "/" : "", name);
  return buf->path;
}

/* Same bits as ST_* from statvfs, which is what the remount fallback copies. */
#define MS_KEEP                                                                                    \
  (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK | MS_NOATIME |      \
   MS_NODIRATIME | MS_RELATIME)

unsigned long ms_flags(uint64_t attrs) {
  return (attrs & MOUNT_ATTR_RDONLY_ ? MS_RDONLY : 0) |
         (attrs & MOUNT_ATTR_NOSUID_ ? MS_NOSUID : 0) | (attrs & MOUNT_ATTR_NODEV_ ? MS_NODEV : 0) |
         (attrs & MOUNT_ATTR_NOEXEC_ ? MS_NOEXEC : 0);
}

/* Before mount_setattr (Linux 5.12) only the top mount is remounted, keeping
 * the flags a user namespace may not clear (they are locked). fd: the mount's root. */
int remount_fd(int fd, uint64_t attrs, const char *dest, struct cub_error *err) {
  struct statvfs st;
  if (fstatvfs(fd, &st) < 0)
    return make_error(err, errno, "statvfs `%s`", dest);
  struct fd_path buf;
  unsigned long flags = (st.f_flag & MS_KEEP) | MS_REMOUNT | MS_BIND | ms_flags(attrs);
  if (mount(NULL, fd_path(&buf, fd, ""), NULL, flags, NULL) < 0)
    return make_error(err, errno, "remount `%s`", dest);
  return 0;
}

/* The same by name, in the cwd (see bind_here). */
int remount_name(const char *name, uint64_t attrs, const char *dest, struct cub_error *err) {
  struct statvfs st;
  if (statvfs(name, &st) < 0)
    return make_error(err, errno, "statvfs `%s`", dest);
  unsigned long remount = (st.f_flag & MS_KEEP) | MS_REMOUNT | MS_BIND | ms_flags(attrs);
  if (mount(NULL, name, NULL, remount, NULL) < 0)
    return make_error(err, errno, "remount `%s`", dest);
  return 0;
}

/* A bind by mount(2), both ends named through the host's proc (before open_tree, Linux 5.2). */
int bind_legacy(const struct root_plan *plan, int dir_fd, const char *name, struct target *t,
                bool recursive, struct cub_error *err) {
  struct fd_path source, dest;
  if (t->fd < 0 && open_target(plan, t, err) < 0)
    return -1;
  if (mount(fd_path(&source, dir_fd, name), fd_path(&dest, t->fd, ""), NULL,
            MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return make_error(err, errno, "bind `%s` on `%s`", shown(source.path), t->shown);
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

int mount_overlay_legacy(const struct root_plan *plan, size_t index, const struct target *t,
                         struct cub_error *err) {
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
  int result = mount("overlay", fd_path(&dest, t->fd, ""), "overlay", read_only ? MS_RDONLY : 0,
                     options.data);
  if (result < 0 && errno == EINVAL && options.used != without_volatile) {
    /* A kernel before 5.10 knows no `volatile`: mount as before, syncing. */
    options.data[without_volatile] = '\0';
    result = mount("overlay", fd_path(&dest, t->fd, ""), "overlay", read_only ? MS_RDONLY : 0,
                   options.data);
  }
  if (result < 0)
    return make_error(err, errno, "mount overlay on `%s`", t->shown);
  return 0;
}
