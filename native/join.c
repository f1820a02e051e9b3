/* --join PID: runs COMMAND inside the namespaces of a running sandbox, of which host PID is a
 * process (its command: PID 1 is not dumpable), as `docker exec` does: a service's health check
 * sees the service's own /run, /tmp, sockets and processes. COMMAND is prepared as a job is
 * (environment, chdir, --user, every capability dropped, no_new_privs, fds closed, a new session,
 * the seccomp filter).
 *
 * With --userns PATH (the holder's user namespace the sandbox was started in) that namespace
 * is joined first: as its root, the helper may then open the namespaces of the sandbox's
 * processes, which are not dumpable (PID 1) or run as another mapped uid (--user).
 *
 * The joining process holds host fds (the namespace files, the status fd) until it forks,
 * so it makes itself non-dumpable first: nothing inside can ptrace it or open its
 * /proc/PID/fd (the runc CVE-2016-9962 class). The child closes every fd before exec. */
#include "sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The user namespace first (it grants the rights to join the rest), the mount namespace
 * last (it changes root and cwd). */
static const struct {
  const char *name;
  int type;
} namespaces[] = {
    {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},
    {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},
    {"mnt", CLONE_NEWNS},
};
#define N_NAMESPACES (sizeof namespaces / sizeof namespaces[0])

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

/* Opens PID's namespaces; -1 where it is this process's own (joining it again is
 * refused for namespaces owned by the host's user namespace). */
static int open_namespaces(pid_t pid, int fds[N_NAMESPACES], struct cub_error *err) {
  for (size_t i = 0; i < N_NAMESPACES; i++) {
    char path[64], own[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, namespaces[i].name);
    snprintf(own, sizeof own, "/proc/self/ns/%s", namespaces[i].name);
    fds[i] = TEMP_FAILURE_RETRY(open(path, O_RDONLY | O_CLOEXEC));
    if (fds[i] < 0)
      return make_error(err, errno, "open `%s` (--join: is %d a process in a running sandbox?)",
                        path, (int)pid);
    struct stat theirs, ours;
    if (fstat(fds[i], &theirs) == 0 && stat(own, &ours) == 0 && theirs.st_ino == ours.st_ino &&
        theirs.st_dev == ours.st_dev) {
      close(fds[i]);
      fds[i] = -1;
    }
  }
  return 0;
}

static int enter_namespaces(int fds[N_NAMESPACES], struct cub_error *err) {
  for (size_t i = 0; i < N_NAMESPACES; i++) {
    if (fds[i] < 0)
      continue;
    if (setns(fds[i], namespaces[i].type) < 0)
      return make_error(err, errno, "setns into the sandbox's %s namespace (--join)",
                        namespaces[i].name);
    close(fds[i]);
    fds[i] = -1;
  }
  /* uid 0 inside, as PID 1 is; the job's own --user comes with the capabilities' drop. */
  if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
    return make_error(err, errno, "become uid 0 in the sandbox's user namespace (--join)");
  return 0;
}

/* Waits for the command, forwarding signals and enforcing --timeout-ms on its session. */
static void supervise(const struct sandbox_config *config, pid_t child, const sigset_t *signals,
                      const struct timespec *start, struct job_outcome *outcome) {
  for (;;) {
    int status;
    pid_t got = waitpid(child, &status, WNOHANG);
    if (got == child) {
      outcome->has_exit_code = WIFEXITED(status);
      outcome->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
      outcome->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      return;
    }
    struct timespec wait = {.tv_sec = 3600}, now;
    if (config->timeout_ms > 0 && !outcome->timed_out) {
      clock_gettime(CLOCK_MONOTONIC, &now);
      double left = (double)config->timeout_ms - ms_between(start, &now);
      if (left <= 0) {
        kill(-child, SIGKILL);
        kill(child, SIGKILL);
        outcome->timed_out = true;
        continue;
      }
      wait.tv_sec = (time_t)(left / 1000);
      wait.tv_nsec = (long)((left - (double)wait.tv_sec * 1000) * 1e6);
    }
    int sig = sigtimedwait(signals, NULL, &wait);
    if (sig > 0 && sig != SIGCHLD && kill(-child, sig) < 0)
      kill(child, sig);
  }
}

int run_joined(const struct sandbox_config *config, const struct timespec *start,
               struct job_outcome *outcome, struct cub_error *err) {
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
    return make_error(err, errno, "%s", "the parent process exited before --join started");
  if (prctl(PR_SET_DUMPABLE, 0) < 0)
    return make_error(err, errno, "prctl PR_SET_DUMPABLE");
  if (close_fds_from(3, config->status_fd) < 0)
    return make_error(err, errno, "close inherited fds");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset(&signals, forwarded[i]);
  sigset_t blocked = signals;
  sigaddset(&blocked, SIGPIPE);
  if (sigprocmask(SIG_BLOCK, &blocked, NULL) < 0)
    return make_error(err, errno, "sigprocmask");

  if (config->userns_path != NULL) {
    cleanup_close int userns = -1;
    if (open_userns(config->userns_path, &userns, err) < 0 ||
        join_userns(userns, config->userns_path, err) < 0)
      return -1;
  }
  int fds[N_NAMESPACES];
  for (size_t i = 0; i < N_NAMESPACES; i++)
    fds[i] = -1;
  int opened = open_namespaces(config->join_pid, fds, err);
  if (opened == 0 && fds[0] < 0 && config->userns_path == NULL)
    opened = make_error(err, 0,
                        "--join %d: it shares this process's user namespace, so it is "
                        "not a sandbox",
                        (int)config->join_pid);
  if (opened < 0 || enter_namespaces(fds, err) < 0) {
    for (size_t i = 0; i < N_NAMESPACES; i++)
      if (fds[i] >= 0)
        close(fds[i]);
    set_error_stage(err, "join");
    return -1;
  }
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) < 0)
    return make_error(err, errno, "pipe");
  mode_t job_umask = umask(022);
  umask(job_umask);
  pid_t child = fork();
  if (child < 0)
    return make_error(err, errno, "fork (--join)");
  if (child == 0) {
    close(exec_pipe[0]);
    if (config->status_fd >= 0)
      close(config->status_fd);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    run_job(config, job_umask, exec_pipe[1]);
  }
  close(exec_pipe[1]);
  static struct job_failure failure;
  size_t got = 0;
  read_all(exec_pipe[0], &failure, sizeof failure, &got);
  close(exec_pipe[0]);
  if (got == 0) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    outcome->has_startup = true;
    outcome->startup_ms = ms_between(start, &now);
  }
  supervise(config, child, &signals, start, outcome);
  if (got > 0) {
    /* The command never ran: say why, keeping a shell's 126/127 for exec failures. */
    *err = failure.error;
    outcome->error = err;
    if (strcmp(err->stage, "exec") != 0)
      outcome->has_exit_code = false;
  }
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  outcome->wall_ms = ms_between(start, &end);
  struct rusage usage;
  if (getrusage(RUSAGE_CHILDREN, &usage) == 0) {
    outcome->cpu_user_ms = (double)usage.ru_utime.tv_sec * 1000 + usage.ru_utime.tv_usec / 1000.0;
    outcome->cpu_system_ms = (double)usage.ru_stime.tv_sec * 1000 + usage.ru_stime.tv_usec / 1000.0;
    outcome->peak_rss_bytes = (unsigned long long)usage.ru_maxrss * 1024;
  }
  return 0;
}
