/* Probes a sandbox from inside, for test/run.sh. Each line is "NAME RESULT",
 * RESULT "ok" or the errno's name.
 *   probe seccomp   the calls the default filter denies, with arguments that
 *                   fail otherwise (EFAULT, EINVAL, EBADF) where the kernel
 *                   checks those before privilege, so EPERM means the filter
 *   probe tiocsti   TIOCSTI on a pty made the controlling terminal
 *   probe fds       open fds, cwd, and what of PID 1 can be opened */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void show(const char *name, long ret) {
  printf("%s %s\n", name, ret >= 0 ? "ok" : strerrorname_np(errno));
  fflush(stdout);
}

/* For calls that change the caller (a new user namespace): run in a child. */
static void show_in_child(const char *name, long (*call)(void)) {
  int fds[2];
  if (pipe(fds) < 0)
    return show(name, -1);
  pid_t pid = fork();
  if (pid == 0) {
    long ret = call();
    int result = ret >= 0 ? 0 : errno;
    write(fds[1], &result, sizeof result);
    _exit(0);
  }
  int result = EIO;
  close(fds[1]);
  read(fds[0], &result, sizeof result);
  waitpid(pid, NULL, 0);
  errno = result;
  show(name, result ? -1 : 0);
}

static long unshare_newuser(void) { return unshare(CLONE_NEWUSER); }

static long clone_newuser(void) {
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0)
    _exit(0);
  if (pid > 0)
    waitpid((pid_t)pid, NULL, 0);
  return pid;
}

static void probe_seccomp(void) {
  char c = 'x';
  int n;
  struct timex tx = {.modes = 0};
  show("keyctl", syscall(SYS_keyctl, 9999, 0, 0, 0, 0));
  show("add_key", syscall(SYS_add_key, NULL, NULL, NULL, 0, 0));
  show("request_key", syscall(SYS_request_key, NULL, NULL, NULL, 0));
  show("bpf", syscall(SYS_bpf, 9999, NULL, 0));
  show("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
  show("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
  show("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0));
  show("init_module", syscall(SYS_init_module, NULL, 0, ""));
  show("finit_module", syscall(SYS_finit_module, -1, "", 0));
  show("delete_module", syscall(SYS_delete_module, "cubicle-none", 0));
  show("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0));
  show("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0x8000000));
  show("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
  show("io_uring_setup", syscall(SYS_io_uring_setup, 0, NULL));
  show("reboot", syscall(SYS_reboot, 0, 0, 0, NULL));
  show("swapon", syscall(SYS_swapon, NULL, 0));
  show("swapoff", syscall(SYS_swapoff, NULL));
  show("settimeofday", syscall(SYS_settimeofday, (void *)1, NULL));
  show("clock_settime", syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)1));
  show("acct", syscall(SYS_acct, NULL));
  show("quotactl", syscall(SYS_quotactl, 0, NULL, 0, NULL));
  show("mount", syscall(SYS_mount, NULL, (void *)1, NULL, 0, NULL));
  show("umount2", syscall(SYS_umount2, "/", 0x8000));
  show("pivot_root", syscall(SYS_pivot_root, (void *)1, (void *)1));
  show("move_mount", syscall(SYS_move_mount, -1, "", -1, "", 0xffffffff));
  show("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
  show("fsconfig", syscall(SYS_fsconfig, -1, 999, NULL, NULL, 0));
  show("fsmount", syscall(SYS_fsmount, -1, 0, 0));
  show("fspick", syscall(SYS_fspick, -1, "", 0xffffffff));
  show("open_tree", syscall(SYS_open_tree, -1, "", 0xffffffff));
  show("mount_setattr", syscall(SYS_mount_setattr, -1, NULL, 0xffffffff, NULL, 0));
  show("ioctl_tiocsti", syscall(SYS_ioctl, -1, TIOCSTI, &c));
  /* The kernel reads the request as 32 bits; so does the filter. */
  show("ioctl_tiocsti_high_bits", syscall(SYS_ioctl, -1, 0x100000000UL | TIOCSTI, &c));
  show("ioctl_tioclinux", syscall(SYS_ioctl, -1, TIOCLINUX, &c));
  show_in_child("unshare_newuser", unshare_newuser);
  show_in_child("clone_newuser", clone_newuser);
  show("clone3", syscall(SYS_clone3, NULL, 0));
#ifdef __x86_64__
  show("iopl", syscall(SYS_iopl, 3));
  /* i386's getpid (20) through int 0x80 from a 64-bit process, in a child: a kernel
   * without IA32 emulation kills the caller (SIGSEGV), and then prints no line. */
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
    if ((int)ret < 0 && (int)ret > -4096) {
      errno = -(int)ret;
      ret = -1;
    }
    show("i386_getpid", ret);
    _exit(0);
  }
  if (child > 0)
    waitpid(child, NULL, 0);
  show("x32_getpid", syscall(0x40000000 | SYS_getpid));
#endif
  /* Allowed: the filter must not touch these. */
  show("allowed_getpid", syscall(SYS_getpid));
  show("allowed_ioctl_fionread", syscall(SYS_ioctl, -1, FIONREAD, &n));
  show("allowed_adjtimex_read", adjtimex(&tx));
}

static void probe_tiocsti(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
    return show("posix_openpt", -1);
  setsid(); /* EPERM when the sandbox already made us a session leader */
  int slave = open(ptsname(master), O_RDWR);
  if (slave < 0)
    return show("open_pts", -1);
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return show("tiocsctty", -1);
  char c = '#';
  show("tiocsti", ioctl(slave, TIOCSTI, &c));
}

static void probe_fds(void) {
  DIR *dir = opendir("/proc/self/fd");
  char path[300], target[4096];
  for (struct dirent *entry; dir != NULL && (entry = readdir(dir)) != NULL;) {
    if (entry->d_name[0] == '.' || atoi(entry->d_name) == dirfd(dir))
      continue;
    snprintf(path, sizeof path, "/proc/self/fd/%s", entry->d_name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = '\0';
    printf("fd %s %s\n", entry->d_name, target);
  }
  if (dir != NULL)
    closedir(dir);
  ssize_t n = readlink("/proc/self/cwd", target, sizeof target - 1);
  target[n < 0 ? 0 : n] = '\0';
  printf("cwd %s\n", target);
  show("pid1_exe_readlink", readlink("/proc/1/exe", target, sizeof target));
  show("pid1_exe_open", open("/proc/1/exe", O_RDONLY));
  /* Listing PID 1's fd numbers is allowed where the job owns /proc/1/fd (as root);
   * following or reading any of them is not. */
  int readable = 0;
  DIR *pid1_fds = opendir("/proc/1/fd");
  for (struct dirent *entry; pid1_fds != NULL && (entry = readdir(pid1_fds)) != NULL;) {
    if (entry->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "/proc/1/fd/%s", entry->d_name);
    int fd = open(path, O_PATH);
    readable += fd >= 0 || readlink(path, target, sizeof target) >= 0;
    if (fd >= 0)
      close(fd);
  }
  printf("pid1_fds_reachable %d\n", readable);
  show("pid1_fd_0", open("/proc/1/fd/0", O_PATH));
  show("pid1_root", open("/proc/1/root/", O_PATH));
  show("pid1_cwd", open("/proc/1/cwd/", O_PATH));
  show("pid1_environ", open("/proc/1/environ", O_RDONLY));
  show("pid1_mem", open("/proc/1/mem", O_RDONLY));
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "seccomp") == 0)
    probe_seccomp();
  else if (argc == 2 && strcmp(argv[1], "tiocsti") == 0)
    probe_tiocsti();
  else if (argc == 2 && strcmp(argv[1], "fds") == 0)
    probe_fds();
  else
    return fprintf(stderr, "usage: probe seccomp|tiocsti|fds\n"), 2;
  return 0;
}
