/* PID 1 of the sandbox and the job it forks. */
#include "sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* ---- PID 1 setup steps, in order */

struct init_ctx {
  const struct sandbox_config *config;
  struct root_plan *plan;
  struct disk_handles disk;
};

static int become_root(struct init_ctx *ctx, struct cub_error *err) {
  (void)ctx;
  if (setresgid(0, 0, 0) < 0)
    return make_error(err, errno, "setresgid(0)");
  if (setresuid(0, 0, 0) < 0)
    return make_error(err, errno, "setresuid(0)");
  /* Drops the runner's supplementary groups; denied (EPERM) with a single-id map. */
  if (setgroups(0, NULL) < 0 && errno != EPERM)
    return make_error(err, errno, "setgroups(0)");
  /* A change of euid/egid clears the parent-death signal; arm it again. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    return make_error(err, errno, "prctl PR_SET_PDEATHSIG");
  return 0;
}

static int set_hostname(struct init_ctx *ctx, struct cub_error *err) {
  const struct sandbox_config *config = ctx->config;
  if (sethostname(config->hostname, strlen(config->hostname)) < 0)
    return make_error(err, errno, "sethostname `%s`", config->hostname);
  return 0;
}

/* The net namespace is made here, not by the outer's clone: creating one
 * takes ~0.7 ms (Linux 6.18), which this hides behind newuidmap. It is
 * owned by the new user namespace either way. It has only `lo`, down. */
static int enter_new_network(struct init_ctx *ctx, struct cub_error *err) {
  if (ctx->config->share_net)
    return 0;
  /* --netns: a holder's namespace (see userns.c), owned by the user namespace we joined.
   * /proc is still the host's here: the path names the holder's pid as the caller saw it. */
  if (ctx->config->netns_path != NULL) {
    cleanup_close int ns = TEMP_FAILURE_RETRY(open(ctx->config->netns_path, O_RDONLY | O_CLOEXEC));
    if (ns < 0)
      return make_error(err, errno, "open `%s` (--netns)", ctx->config->netns_path);
    if (setns(ns, CLONE_NEWNET) < 0)
      return make_error(err, errno, "setns `%s` CLONE_NEWNET (--netns)", ctx->config->netns_path);
    return 0;
  }
  if (unshare(CLONE_NEWNET) < 0)
    return make_error(err, errno, "unshare a new net namespace");
  return loopback_up(err);
}

/* A new net namespace has only `lo`, down. */
int loopback_up(struct cub_error *err) {
  cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return make_error(err, errno, "socket for `lo`");
  struct ifreq ifr = {0};
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
    return make_error(err, errno, "ioctl SIOCGIFFLAGS `lo`");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
    return make_error(err, errno, "ioctl SIOCSIFFLAGS `lo` up");
  return 0;
}

/* With --cgroup the clone made no cgroup namespace: rooted at the outer's
 * cgroup, it would show the job its host path. Now PID 1 is in its DIRs. */
static int enter_new_cgroup_namespace(struct init_ctx *ctx, struct cub_error *err) {
  if (ctx->config->cgroup.n_dirs == 0)
    return 0;
  if (unshare(CLONE_NEWCGROUP) < 0)
    return make_error(err, errno, "unshare a new cgroup namespace");
  return 0;
}

static int plan_mounts(struct init_ctx *ctx, struct cub_error *err) {
  return plan_root(ctx->config, &ctx->plan, err);
}

static int build_mounts(struct init_ctx *ctx, struct cub_error *err) {
  return build_root(ctx->plan, &ctx->disk, err);
}

struct init_step {
  const char *stage;
  int (*run)(struct init_ctx *ctx, struct cub_error *err);
};

/* Runs while the outer writes the maps (newuidmap takes a millisecond or
 * two): nothing here creates an inode, which needs a mapped uid, and every
 * capability in the new namespaces is held from clone on. */
static const struct init_step before_maps[] = {
    {"hostname", set_hostname},
    {"network", enter_new_network},
    {"mount", plan_mounts},
};

static const struct init_step after_maps[] = {
    {"uid_map", become_root},
    {"cgroup", enter_new_cgroup_namespace},
    {"mount", build_mounts},
};

static int run_steps(const struct init_step *steps, size_t n, struct init_ctx *ctx,
                     struct cub_error *err) {
  for (size_t i = 0; i < n; i++) {
    if (steps[i].run(ctx, err) < 0) {
      set_error_stage(err, steps[i].stage);
      return -1;
    }
  }
  return 0;
}

/* ---- the job: from fork to exec */

static int reset_signals(struct cub_error *err) {
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  /* 32 and 33 belong to glibc and fail with EINVAL, as do KILL and STOP. */
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction(sig, &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
    return make_error(err, errno, "sigprocmask");
  return 0;
}

static int apply_env(const struct sandbox_config *config, struct cub_error *err) {
  for (size_t i = 0; i < config->n_env_ops; i++) {
    const struct env_op *op = &config->env_ops[i];
    int ret = op->type == ENV_CLEAR ? clearenv()
              : op->type == ENV_SET ? setenv(op->name, op->value, 1)
                                    : unsetenv(op->name);
    if (ret != 0)
      return make_error(err, errno, "set environment variable `%s`", op->name ? op->name : "");
  }
  return 0;
}

struct job_user {
  uid_t uid;
  gid_t gid;
};

/* Docker's default set (moby oci/caps/defaults.go), what a `docker build` RUN gets: --build-caps.
 */
static const unsigned long BUILD_CAPS[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
    CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,    CAP_AUDIT_WRITE};

static bool is_build_cap(unsigned long cap) {
  for (size_t i = 0; i < sizeof BUILD_CAPS / sizeof BUILD_CAPS[0]; i++)
    if (BUILD_CAPS[i] == cap)
      return true;
  return false;
}

/* --build-caps: the bounding set cut to BUILD_CAPS; root keeps them through execve (no securebits),
 * another --user loses them at setresuid as Docker's non-root RUN does (the kernel's setuid fixup).
 */
/* Ambient capabilities cleared (they exist since Linux 4.3), then the bounding set cut to what
 * `keep` accepts; EINVAL past the kernel's last capability: a probe, no /proc read needed. */
static int limit_bounding_set(bool (*keep)(unsigned long), struct cub_error *err) {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return make_error(err, errno, "prctl PR_CAP_AMBIENT_CLEAR_ALL");
  for (unsigned long cap = 0; cap < 64; cap++) {
    if (keep(cap))
      continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
      continue;
    if (errno == EINVAL)
      break;
    return make_error(err, errno, "prctl PR_CAPBSET_DROP %lu", cap);
  }
  return 0;
}

/* --user: supplementary groups dropped, then the gid and the uid switched. */
static int switch_to_user(const struct job_user *user, struct cub_error *err) {
  if (setgroups(0, NULL) < 0)
    return make_error(err, errno, "setgroups (--user)");
  if (setresgid(user->gid, user->gid, user->gid) < 0)
    return make_error(err, errno,
                      "setresgid %u (--user: is the gid mapped? it needs a subgid range)",
                      (unsigned)user->gid);
  if (setresuid(user->uid, user->uid, user->uid) < 0)
    return make_error(err, errno,
                      "setresuid %u (--user: is the uid mapped? it needs a subuid range)",
                      (unsigned)user->uid);
  return 0;
}

static bool keep_none(unsigned long cap) {
  (void)cap;
  return false;
}

static int limit_to_build_capabilities(const struct job_user *user, struct cub_error *err) {
  if (limit_bounding_set(is_build_cap, err) < 0)
    return -1;
  if (user != NULL) {
    if (switch_to_user(user, err) < 0)
      return -1;
    if (user->uid != 0)
      return 0;
  }
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};
  for (size_t i = 0; i < sizeof BUILD_CAPS / sizeof BUILD_CAPS[0]; i++) {
    data[BUILD_CAPS[i] / 32].permitted |= 1U << (BUILD_CAPS[i] % 32);
    data[BUILD_CAPS[i] / 32].effective |= 1U << (BUILD_CAPS[i] % 32);
  }
  if (syscall(SYS_capset, &header, data) < 0)
    return make_error(err, errno, "capset to the build set");
  return 0;
}

static int drop_capabilities(const struct job_user *user, struct cub_error *err) {
  if (prctl(PR_SET_SECUREBITS,
            SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                SECBIT_NO_SETUID_FIXUP_LOCKED,
            0, 0, 0) < 0)
    return make_error(err, errno, "prctl PR_SET_SECUREBITS");
  if (limit_bounding_set(keep_none, err) < 0)
    return -1;
  /* --user: SECBIT_NO_SETUID_FIXUP (above) keeps the capabilities through the switch,
   * so the capset below still has the right to empty them. */
  if (user != NULL && switch_to_user(user, err) < 0)
    return -1;
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};
  if (syscall(SYS_capset, &header, data) < 0)
    return make_error(err, errno, "capset to empty");
  return 0;
}

static int prepare_job(const struct sandbox_config *config, mode_t job_umask, int exec_fd,
                       struct cub_error *err) {
  if (reset_signals(err) < 0)
    return -1;
  if (config->new_session && setsid() < 0)
    return make_error(err, errno, "setsid");
  if (apply_env(config, err) < 0)
    return -1;
  umask(job_umask);
  if (chdir(config->chdir_path) < 0) {
    set_error_stage(err, "chdir");
    return make_error(err, errno, "chdir `%s`", config->chdir_path);
  }
  const struct job_user user = {config->user_uid, config->user_gid};
  if (config->build_caps
          ? limit_to_build_capabilities(config->has_user ? &user : NULL, err) < 0
          : !config->keep_caps && drop_capabilities(config->has_user ? &user : NULL, err) < 0) {
    set_error_stage(err, "capabilities");
    return -1;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return make_error(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  if (close_fds_from(3, exec_fd) < 0)
    return make_error(err, errno, "close inherited fds");
  /* Last, so the helper's own steps above run unfiltered (execve is allowed). */
  if (install_seccomp(config->seccomp, err) < 0) {
    set_error_stage(err, "seccomp");
    return -1;
  }
  return 0;
}

_Noreturn void run_job(const struct sandbox_config *config, mode_t job_umask, int exec_fd) {
  struct job_failure failure = {.exit_code = EXIT_SANDBOX_ERROR};
  if (prepare_job(config, job_umask, exec_fd, &failure.error) == 0) {
    execvp(config->command[0], config->command);
    failure.exit_code = errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
    set_error_stage(&failure.error, "exec");
    make_error(&failure.error, errno, "exec `%s`", config->command[0]);
  }
  set_error_stage(&failure.error, "job");
  write_all(exec_fd, &failure, sizeof failure);
  _exit(failure.exit_code);
}

/* ---- PID 1's loop */

struct init_state {
  const struct sandbox_config *config;
  int disk_fd;    /* --disk-tmpfs, else -1 */
  bool disk_full; /* seen full at one of the checks while the job ran */
  pid_t job;
  int exec_fd; /* -1 once the job exec'd or failed */
  bool job_exited;
  bool has_deadline;
  struct timespec deadline;
  struct init_report report;
};

/* EOF on the CLOEXEC pipe means exec succeeded; data means it failed. */
static void read_exec_result(struct init_state *state) {
  struct job_failure failure;
  size_t got = 0;
  read_all(state->exec_fd, &failure, sizeof failure, &got);
  close(state->exec_fd);
  state->exec_fd = -1;
  if (got == 0) {
    state->report.exec_done = true;
    clock_gettime(CLOCK_MONOTONIC, &state->report.exec_time);
    return;
  }
  state->report.job_failed = true;
  if (got == sizeof failure)
    state->report.error = failure.error;
  else
    make_error(&state->report.error, 0, "the job died before exec");
  set_error_stage(&state->report.error, "job");
}

static void reap_exited(struct init_state *state) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0)
      return;
    if (pid == state->job) {
      state->job_exited = true;
      state->report.wait_status = status;
    }
  }
}

static void forward_signal(const struct init_state *state, int sig) {
  /* Before its setsid the job is not a group leader yet: signal it alone. */
  if (state->config->new_session && kill(-state->job, sig) == 0)
    return;
  kill(state->job, sig);
}

static int poll_timeout_ms(struct init_state *state) {
  if (!state->has_deadline || state->report.timed_out)
    return -1;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double left = ms_between(&now, &state->deadline);
  if (left > 0)
    return (int)left + 1;
  /* PID 1 is exempt from kill(-1), so this hits everything else in the sandbox. */
  kill(-1, SIGKILL);
  state->report.timed_out = true;
  return -1;
}

/* How often PID 1 looks at the disk tmpfs while the job runs: a job that
 * fills it and frees it again in less time may go unseen. */
#define DISK_CHECK_MS 100

/* Full: less than one block (or no inode) free, when the job would get ENOSPC. */
static bool disk_is_full(int fd, unsigned long long *used_bytes) {
  struct statfs fs;
  if (fstatfs(fd, &fs) < 0)
    return false;
  if (used_bytes != NULL)
    *used_bytes = (unsigned long long)(fs.f_blocks - fs.f_bfree) * (unsigned long long)fs.f_bsize;
  return fs.f_bavail < 1 || (fs.f_files > 0 && fs.f_ffree < 1);
}

static void supervise_job(struct init_state *state, int signal_fd) {
  while (!state->job_exited) {
    struct pollfd fds[2] = {{.fd = signal_fd, .events = POLLIN},
                            {.fd = state->exec_fd, .events = POLLIN}};
    int timeout = poll_timeout_ms(state);
    if (state->disk_fd >= 0) {
      state->disk_full = state->disk_full || disk_is_full(state->disk_fd, NULL);
      if (timeout < 0 || timeout > DISK_CHECK_MS)
        timeout = DISK_CHECK_MS;
    }
    int n = poll(fds, state->exec_fd >= 0 ? 2 : 1, timeout);
    if (n < 0 && errno != EINTR) {
      /* Cannot supervise: end the job rather than leak it. */
      kill(-1, SIGKILL);
      state->report.wait_status = SIGKILL;
      TEMP_FAILURE_RETRY(waitpid(state->job, &state->report.wait_status, 0));
      return;
    }
    if (n <= 0)
      continue;
    if (state->exec_fd >= 0 && fds[1].revents)
      read_exec_result(state);
    if (!(fds[0].revents & POLLIN))
      continue;
    struct signalfd_siginfo info[8];
    ssize_t got = TEMP_FAILURE_RETRY(read(signal_fd, info, sizeof info));
    for (ssize_t i = 0; i < got / (ssize_t)sizeof info[0]; i++) {
      if (info[i].ssi_signo == SIGCHLD)
        reap_exited(state);
      else
        forward_signal(state, (int)info[i].ssi_signo);
    }
  }
}

/* The job's main process is gone: nothing it started may outlive it. */
static void kill_and_reap_all(void) {
  kill(-1, SIGKILL);
  while (TEMP_FAILURE_RETRY(waitpid(-1, NULL, 0)) > 0)
    ;
}

static _Noreturn void report_and_exit(int report_fd, const struct init_report *report, int code) {
  write_all(report_fd, report, sizeof *report);
  _exit(code);
}

/* --keep-upper, once the job's processes are gone: a child with no
 * capabilities copies, opening only through dirfds with O_NOFOLLOW (keep.c),
 * and sends its own report after PID 1's. */
static void copy_out_kept_files(const struct sandbox_config *config,
                                const struct disk_handles *disk, int report_fd) {
  if (disk->fd < 0 || !keep_rules_apply(config))
    return;
  struct kept_report kept = {.kind = REPORT_KEPT};
  pid_t copier = fork();
  if (copier == 0) {
    struct cub_error *err = &kept.result.error;
    if (drop_capabilities(NULL, err) == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
        install_seccomp(SECCOMP_PROFILE_DEFAULT, err) == 0)
      copy_kept_files(config, disk, &kept.result);
    else if (err->message[0] == '\0')
      make_error(err, errno, "prctl PR_SET_NO_NEW_PRIVS for the --keep-upper copy");
    write_all(report_fd, &kept, sizeof kept);
    _exit(0);
  }
  if (copier < 0) {
    make_error(&kept.result.error, errno, "fork the --keep-upper copy");
    write_all(report_fd, &kept, sizeof kept);
    return;
  }
  TEMP_FAILURE_RETRY(waitpid(copier, NULL, 0));
}

_Noreturn void run_init(const struct sandbox_config *config, int release_fd, int report_fd,
                        const struct timespec *start) {
  struct init_state state = {.config = config, .exec_fd = -1, .disk_fd = -1};
  state.report.kind = REPORT_SETUP_ERROR;
  struct cub_error *err = &state.report.error;

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  hide_args();
  struct init_ctx ctx = {.config = config, .disk = {.fd = -1}};
  /* Exact modes for the dirs we create; the job gets the runner's umask back. */
  mode_t job_umask = umask(0);
  int ret = run_steps(before_maps, sizeof before_maps / sizeof before_maps[0], &ctx, err);

  char go = 0;
  /* EOF instead of the go byte: the outer died or gave up writing the maps. */
  if (TEMP_FAILURE_RETRY(read(release_fd, &go, 1)) != 1)
    _exit(EXIT_SANDBOX_ERROR);
  close(release_fd);
  /* Non-dumpable, the job (same uid, no CAP_SYS_PTRACE) cannot open /proc/1/fd,
   * exe, root, mem: PID 1 holds the report pipe and, with --keep-upper, host
   * dirs. Not earlier: /proc/PID/uid_map would be root's, not the outer's. */
  if (ret == 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
    make_error(err, errno, "prctl PR_SET_DUMPABLE 0");
    set_error_stage(err, "setup");
    ret = -1;
  }
  if (ret == 0)
    ret = run_steps(after_maps, sizeof after_maps / sizeof after_maps[0], &ctx, err);
  if (ret < 0)
    report_and_exit(report_fd, &state.report, EXIT_SANDBOX_ERROR);

  sigset_t forwarded;
  sigemptyset(&forwarded);
  for (const int *sig = (const int[]){SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, 0}; *sig; sig++)
    sigaddset(&forwarded, *sig);
  int signal_fd = signalfd(-1, &forwarded, SFD_CLOEXEC);
  int exec_pipe[2];
  if (signal_fd < 0 || pipe2(exec_pipe, O_CLOEXEC) < 0) {
    make_error(err, errno, "signalfd/pipe2 in PID 1");
    set_error_stage(err, "setup");
    report_and_exit(report_fd, &state.report, EXIT_SANDBOX_ERROR);
  }
  state.job = fork();
  if (state.job < 0) {
    make_error(err, errno, "fork the job");
    set_error_stage(err, "setup");
    report_and_exit(report_fd, &state.report, EXIT_SANDBOX_ERROR);
  }
  if (state.job == 0) {
    close(exec_pipe[0]);
    run_job(config, job_umask, exec_pipe[1]);
  }
  close(exec_pipe[1]);
  state.exec_fd = exec_pipe[0];
  state.disk_fd = ctx.disk.fd;
  state.report.kind = REPORT_RESULT;
  if (config->timeout_ms > 0) {
    state.has_deadline = true;
    long long ns = start->tv_nsec + (long long)(config->timeout_ms % 1000) * 1000000;
    state.deadline.tv_sec = start->tv_sec + (time_t)(config->timeout_ms / 1000) + ns / 1000000000;
    state.deadline.tv_nsec = ns % 1000000000;
  }

  supervise_job(&state, signal_fd);
  if (state.exec_fd >= 0)
    read_exec_result(&state);
  kill_and_reap_all();

  struct rusage usage;
  getrusage(RUSAGE_CHILDREN, &usage);
  state.report.cpu_user = usage.ru_utime;
  state.report.cpu_system = usage.ru_stime;
  state.report.max_rss_kb = usage.ru_maxrss;
  if (ctx.disk.fd >= 0) {
    state.report.has_disk = true;
    state.report.disk_full =
        disk_is_full(ctx.disk.fd, &state.report.disk_used_bytes) || state.disk_full;
  }
  write_all(report_fd, &state.report, sizeof state.report);
  copy_out_kept_files(config, &ctx.disk, report_fd);
  _exit(0);
}
