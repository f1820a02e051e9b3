/* --proc (with Docker's masks and read-only knobs), the masks of /sys, and --dev (a tmpfs of
 * host nodes bound by name, devpts, shm and the usual symlinks). */
#include "sandbox.h"
#include "mounts.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- masks: proc and sys entries the job may not read or write */

/* Empty, read-only: bound over the proc and sys entries that are masked. */
static const char *const mask_names[2] = {"mask-file", "mask-dir"};

#define MASK_ATTRS                                                                                 \
  (MOUNT_ATTR_RDONLY_ | MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_ | MOUNT_ATTR_NOEXEC_)

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
  bool hidden =
      S_ISLNK(st.st_mode) || ((st.st_mode & S_IRWXO) == 0 && st.st_uid != 0 && st.st_gid != 0);
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

int mount_proc(struct root_plan *plan, struct target *t, struct cub_error *err) {
  static const struct fs_spec proc = {"proc", NULL, 0,
                                      MOUNT_ATTR_NOSUID_ | MOUNT_ATTR_NODEV_ | MOUNT_ATTR_NOEXEC_};
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
int mask_sys(struct root_plan *plan, struct cub_error *err) {
  static const char *const masked[] = {"sys/firmware", "sys/devices/virtual/powercap"};
  for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
    if (mask_entry(plan, plan->root_fd, masked[i], false, "/", err) < 0)
      return -1;
  return 0;
}

/* ---- dev */

int mount_dev(struct root_plan *plan, struct target *t, struct cub_error *err) {
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
      {"pts/ptmx", "ptmx"},          {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(shown_path, sizeof shown_path, "%s/%s", t->shown, links[i][1]);
    if (make_symlink_at(dev_fd, links[i][1], links[i][0], shown_path, err) < 0)
      return -1;
  }
  return 0;
}
