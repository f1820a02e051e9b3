/* One mapped user namespace that many sandboxes join (--hold-userns, --userns):
 * newuidmap and newgidmap run once per runner instead of once per sandbox. */
#include "sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* The holder only keeps the namespaces alive: no mount, nothing else. With
 * --hold-netns it was cloned into a net namespace too and raises its `lo` (it
 * holds every capability in its new user namespace from the clone on). */
static _Noreturn void hold(pid_t outer, int alive_fd, bool netns) {
  /* Both ways of dying with the outer: its death signal, and EOF on its pipe
   * (the outer may die before the prctl). */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != outer)
    _exit(0);
  struct cub_error err = {0};
  if (netns && loopback_up(&err) < 0)
    _exit(1);
  close_fds_from(0, alive_fd);
  char byte;
  while (TEMP_FAILURE_RETRY(read(alive_fd, &byte, 1)) > 0)
    ;
  _exit(0);
}

static int wait_for_stdin_eof(struct cub_error *err) {
  char buf[256];
  for (;;) {
    ssize_t got = TEMP_FAILURE_RETRY(read(STDIN_FILENO, buf, sizeof buf));
    if (got == 0)
      return 0;
    if (got < 0)
      return make_error(err, errno, "read stdin");
  }
}

int run_hold_userns(const struct sandbox_config *config, struct cub_error *err) {
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    return make_error(err, errno, "prctl PR_SET_PDEATHSIG");
  /* The parent may have died before the prctl, which would then never fire. */
  if (getppid() != parent)
    return make_error(err, 0, "the parent process exited before the holder started");
  if (close_fds_from(3, -1) < 0)
    return make_error(err, errno, "close inherited fds");
  int alive[2];
  if (pipe2(alive, O_CLOEXEC) < 0)
    return make_error(err, errno, "pipe2");
  pid_t outer = getpid();
  pid_t holder = sys_clone_namespaces(CLONE_NEWUSER | (config->hold_netns ? CLONE_NEWNET : 0), -1);
  if (holder < 0) {
    int saved = errno;
    set_error_stage(err, "clone");
    return make_error(err, saved, "clone into a new user namespace");
  }
  if (holder == 0) {
    close(alive[1]);
    hold(outer, alive[0], config->hold_netns);
  }
  close(alive[0]);
  int ret = write_id_maps(holder, config->uid_map, err);
  if (ret < 0)
    set_error_stage(err, "uid_map");
  if (ret == 0 && dprintf(STDOUT_FILENO, "%d\n", (int)holder) < 0)
    ret = make_error(err, errno, "write the holder's pid to stdout");
  if (ret == 0)
    ret = wait_for_stdin_eof(err);
  kill(holder, SIGKILL);
  TEMP_FAILURE_RETRY(waitpid(holder, NULL, 0));
  return ret;
}

int open_userns(const char *path, int *fd, struct cub_error *err) {
  *fd = TEMP_FAILURE_RETRY(open(path, O_RDONLY | O_CLOEXEC));
  if (*fd < 0) {
    int saved = errno;
    set_error_stage(err, "userns");
    return make_error(err, saved, "open `%s` (--userns)", path);
  }
  return 0;
}

int join_userns(int fd, const char *path, struct cub_error *err) {
  pid_t parent = getppid();
  if (setns(fd, CLONE_NEWUSER) < 0) {
    int saved = errno;
    set_error_stage(err, "userns");
    return make_error(err, saved, "setns `%s` CLONE_NEWUSER (--userns)", path);
  }
  /* A change of credentials may clear the parent-death signal; arm it again. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    return make_error(err, errno, "prctl PR_SET_PDEATHSIG");
  if (getppid() != parent)
    return make_error(err, 0, "the parent process exited before the sandbox started");
  return 0;
}
