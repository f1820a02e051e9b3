/* Fd and file helpers, argv hiding and raw syscall wrappers (errors and write_all: common.c). */
#include "sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

/* New syscall numbers are the same on every architecture but alpha. */
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif

int read_all(int fd, void *buf, size_t len, size_t *got) {
  char *p = buf;
  *got = 0;
  while (*got < len) {
    ssize_t n = TEMP_FAILURE_RETRY(read(fd, p + *got, len - *got));
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    *got += (size_t)n;
  }
  return 0;
}

int write_file(const char *path, const char *content, struct cub_error *err) {
  cleanup_close int fd = TEMP_FAILURE_RETRY(open(path, O_WRONLY | O_CLOEXEC));
  if (fd < 0)
    return make_error(err, errno, "open `%s`", path);
  if (write_all(fd, content, strlen(content)) < 0)
    return make_error(err, errno, "write `%s` to `%s`", content, path);
  return 0;
}

static int close_fd_range(unsigned int first, unsigned int last) {
  if (first > last)
    return 0;
  if (sys_close_range(first, last, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return -1;
  /* close_range needs Linux 5.9; before it, walk up to the fd limit. */
  struct rlimit lim;
  unsigned long max = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY
                          ? (unsigned long)lim.rlim_cur
                          : 65536;
  for (unsigned long fd = first; fd <= last && fd < max; fd++)
    close((int)fd);
  return 0;
}

/* Closes every fd >= first except keep_fd (-1: none). */
int close_fds_from(unsigned int first, int keep_fd) {
  if (keep_fd < (int)first)
    return close_fd_range(first, ~0U);
  if (keep_fd > (int)first && close_fd_range(first, (unsigned)keep_fd - 1) < 0)
    return -1;
  return close_fd_range((unsigned)keep_fd + 1, ~0U);
}

/* The argv area as exec left it: PID 1 blanks its copy (hide_args). */
static char *args_start, *args_end;

/* Copies argv to the heap, so parsed options outlive the argv area being blanked. */
char **keep_args_apart(int argc, char **argv) {
  char **copy = calloc((size_t)argc + 1, sizeof *copy);
  if (copy == NULL)
    return argv;
  for (int i = 0; i < argc; i++) {
    copy[i] = strdup(argv[i]);
    if (copy[i] == NULL)
      return argv;
  }
  if (argc > 0) {
    args_start = argv[0];
    args_end = argv[argc - 1] + strlen(argv[argc - 1]);
  }
  return copy;
}

/* Any process in the sandbox can read /proc/1/cmdline, dumpable or not: PID 1's
 * argv names host paths (the store, run dirs named after the runner's PID).
 * PID 1 is a clone with its own copy of that memory; the host keeps the full argv. */
void hide_args(void) {
  static const char title[] = "cubicle-sandbox";
  if (args_start == NULL)
    return;
  size_t room = (size_t)(args_end - args_start);
  memset(args_start, 0, room);
  memcpy(args_start, title, room < sizeof title - 1 ? room : sizeof title - 1);
}

double ms_between(const struct timespec *from, const struct timespec *to) {
  return (double)(to->tv_sec - from->tv_sec) * 1e3 + (double)(to->tv_nsec - from->tv_nsec) / 1e6;
}

int sys_pivot_root(const char *new_root, const char *put_old) {
  return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int sys_close_range(unsigned int first, unsigned int last, unsigned int flags) {
  return (int)syscall(__NR_close_range, first, last, flags);
}

int sys_fsopen(const char *fs_name, unsigned int flags) {
  return (int)syscall(__NR_fsopen, fs_name, flags);
}

int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux) {
  return (int)syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags) {
  return (int)syscall(__NR_fsmount, fd, flags, attr_flags);
}

int sys_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path,
                   unsigned int flags) {
  return (int)syscall(__NR_move_mount, from_dfd, from_path, to_dfd, to_path, flags);
}

struct mount_attr_ {
  uint64_t attr_set;
  uint64_t attr_clr;
  uint64_t propagation;
  uint64_t userns_fd;
};

int sys_mount_setattr(int dfd, const char *path, unsigned int flags, uint64_t attr_set,
                      uint64_t attr_clr) {
  struct mount_attr_ attr = {.attr_set = attr_set, .attr_clr = attr_clr};
  return (int)syscall(__NR_mount_setattr, dfd, path, flags, &attr, sizeof attr);
}

int sys_open_tree(int dfd, const char *path, unsigned int flags) {
  return (int)syscall(__NR_open_tree, dfd, path, flags);
}

struct open_how_ {
  uint64_t flags;
  uint64_t mode;
  uint64_t resolve;
};

int sys_openat2(int dfd, const char *path, uint64_t flags, uint64_t resolve) {
  struct open_how_ how = {.flags = flags, .resolve = resolve};
  return (int)syscall(__NR_openat2, dfd, path, &how, sizeof how);
}

struct clone_args_ {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};

#define CLONE_INTO_CGROUP_ 0x200000000ULL
#define CLONE_ARGS_SIZE_VER0_ 64 /* up to tls: Linux 5.3 */

/* fork()-like clone into new namespaces: the child returns 0 on a copy of
 * the stack. cgroup_fd >= 0: start the child in that cgroup v2 directory
 * (CLONE_INTO_CGROUP, Linux 5.7); the caller falls back when that fails. */
pid_t sys_clone_namespaces(unsigned long flags, int cgroup_fd) {
  struct clone_args_ args = {.flags = flags, .exit_signal = SIGCHLD};
  size_t size = CLONE_ARGS_SIZE_VER0_;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP_;
    args.cgroup = (uint64_t)cgroup_fd;
    size = sizeof args;
  }
  long pid = syscall(__NR_clone3, &args, size);
  if (pid >= 0 || errno != ENOSYS || cgroup_fd >= 0)
    return (pid_t)pid;
    /* clone3 needs Linux 5.3. */
#if defined(__s390__) || defined(__CRIS__)
  return (pid_t)syscall(SYS_clone, 0, flags | SIGCHLD, NULL, NULL, NULL);
#else
  return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
#endif
}
