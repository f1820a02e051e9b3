/* cubicle-sandbox: runs one command in a rootless sandbox; see README.md.
 *
 * The outer process stays in the host namespaces: it makes the job's
 * cgroups, clones PID 1 into new namespaces (and those cgroups), writes its
 * uid/gid maps (or, with --userns, joins a mapped user namespace before the
 * clone), releases it, forwards signals, turns PID 1's report and the
 * cgroups' stats into the exit status and the status JSON, and removes the
 * cgroups. */
#include "sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

struct outer_state {
  const struct sandbox_config *config;
  struct timespec start;
  pid_t child;
  int release_fd;
  int report_fd;
  int wait_status;
  struct rusage child_usage;
  bool backstop_fired;
  struct job_cgroups cgroups;
  bool placed_by_clone;       /* clone3 started PID 1 in the v2 cgroup */
  int userns_fd;              /* --userns, -1 without */
  struct cub_error *keep_err; /* --keep-upper: what was not copied */
};

static int prepare_outer(struct outer_state *state, sigset_t *signals, struct cub_error *err) {
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
    return make_error(err, errno, "prctl PR_SET_PDEATHSIG");
  /* The parent may have died before the prctl, which would then never fire. */
  if (getppid() != parent)
    return make_error(err, 0, "the parent process exited before the sandbox started");
  if (close_fds_from(3, state->config->status_fd) < 0)
    return make_error(err, errno, "close inherited fds");
  sigemptyset(signals);
  sigaddset(signals, SIGCHLD);
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
    sigaddset(signals, forwarded_signals[i]);
  /* Blocked before clone: PID 1 inherits the mask and reads them with signalfd.
   * SIGPIPE too: a dead PID 1 or status reader must give EPIPE, not kill us. */
  sigset_t blocked = *signals;
  sigaddset(&blocked, SIGPIPE);
  if (sigprocmask(SIG_BLOCK, &blocked, NULL) < 0)
    return make_error(err, errno, "sigprocmask");
  return 0;
}

static int start_child(struct outer_state *state, struct cub_error *err) {
  int release[2], report[2];
  if (pipe2(release, O_CLOEXEC) < 0)
    return make_error(err, errno, "pipe2");
  if (pipe2(report, O_CLOEXEC) < 0)
    return make_error(err, errno, "pipe2");
  /* The net namespace, if any, is PID 1's first step (see init.c). */
  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  /* Joined, the namespace owns the new ones and its maps are already written. */
  if (state->userns_fd >= 0) {
    if (join_userns(state->userns_fd, state->config->userns_path, err) < 0)
      return -1;
    close(state->userns_fd);
    state->userns_fd = -1;
  } else {
    flags |= CLONE_NEWUSER;
  }
  /* A cgroup namespace is rooted where its creator is: with --cgroup, PID 1
   * makes it once the outer has placed it (see init.c). */
  if (state->cgroups.n_dirs == 0)
    flags |= CLONE_NEWCGROUP;
  int cgroup_fd = state->config->legacy_cgroup ? -1 : cgroup_clone_fd(&state->cgroups);
  state->child = sys_clone_namespaces(flags, cgroup_fd);
  state->placed_by_clone = state->child >= 0 && cgroup_fd >= 0;
  /* No CLONE_INTO_CGROUP (before 5.7) or refused: cgroup.procs says why. */
  if (state->child < 0 && cgroup_fd >= 0)
    state->child = sys_clone_namespaces(flags, -1);
  if (state->child < 0) {
    int saved = errno;
    set_error_stage(err, "clone");
    return make_error(err, saved, "clone into new %smount, pid, uts, ipc and cgroup namespaces%s",
                      flags & CLONE_NEWUSER ? "user, " : "",
                      saved == EPERM || saved == ENOSPC || saved == EACCES
                          ? " (are unprivileged user namespaces allowed? see sysctl "
                            "user.max_user_namespaces, kernel.unprivileged_userns_clone, "
                            "kernel.apparmor_restrict_unprivileged_userns)"
                          : "");
  }
  if (state->child == 0) {
    close(release[1]);
    close(report[0]);
    /* The status fd is the outer's, unless it doubles as stdout or stderr. */
    if (state->config->status_fd > STDERR_FILENO)
      close(state->config->status_fd);
    for (size_t i = 0; i < state->cgroups.n_dirs; i++)
      close(state->cgroups.dirs[i].dir_fd);
    run_init(state->config, release[0], report[1], &state->start);
  }
  close(release[0]);
  close(report[1]);
  state->release_fd = release[1];
  state->report_fd = report[0];
  return 0;
}

static void stop_child(struct outer_state *state) {
  kill(state->child, SIGKILL);
  TEMP_FAILURE_RETRY(wait4(state->child, &state->wait_status, 0, &state->child_usage));
}

/* In its cgroups and maps written, PID 1 may go on. */
static int release_child(struct outer_state *state, struct cub_error *err) {
  if (enter_cgroups(&state->cgroups, state->child, state->placed_by_clone, err) < 0) {
    set_error_stage(err, "cgroup");
    stop_child(state);
    return -1;
  }
  if (state->config->userns_path == NULL &&
      write_id_maps(state->child, state->config->uid_map, err) < 0) {
    set_error_stage(err, "uid_map");
    stop_child(state);
    return -1;
  }
  if (write_all(state->release_fd, "1", 1) < 0) {
    int saved = errno;
    stop_child(state);
    return make_error(err, saved, "release the sandbox init process");
  }
  close(state->release_fd);
  state->release_fd = -1;
  return 0;
}

static void wait_for_child(struct outer_state *state, const sigset_t *signals) {
  const struct sandbox_config *config = state->config;
  /* PID 1 enforces the timeout; this backstop covers a PID 1 stuck in setup. */
  struct timespec backstop = state->start;
  backstop.tv_sec += (time_t)(config->timeout_ms / 1000) + 2;
  backstop.tv_nsec += (long)(config->timeout_ms % 1000) * 1000000;
  for (;;) {
    pid_t pid = wait4(state->child, &state->wait_status, WNOHANG, &state->child_usage);
    if (pid == state->child || (pid < 0 && errno != EINTR))
      return;
    struct timespec wait_for, *timeout = NULL;
    if (config->timeout_ms > 0 && !state->backstop_fired) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      double left_ms = ms_between(&now, &backstop);
      if (left_ms <= 0) {
        kill(state->child, SIGKILL);
        state->backstop_fired = true;
        continue;
      }
      wait_for.tv_sec = (time_t)(left_ms / 1000);
      wait_for.tv_nsec = (long)((left_ms - (double)wait_for.tv_sec * 1000) * 1e6);
      timeout = &wait_for;
    }
    siginfo_t info;
    int sig = sigtimedwait(signals, &info, timeout);
    if (sig > 0 && sig != SIGCHLD)
      kill(state->child, sig);
  }
}

static double timeval_ms(const struct timeval *tv) {
  return (double)tv->tv_sec * 1e3 + (double)tv->tv_usec / 1e3;
}

/* After PID 1's report, the --keep-upper copy's, when there is one to copy. */
static void read_kept_report(struct outer_state *state) {
  if (state->config->disk_bytes == 0 || !keep_rules_apply(state->config))
    return;
  static struct kept_report kept;
  size_t got = 0;
  read_all(state->report_fd, &kept, sizeof kept, &got);
  struct cub_error *err = state->keep_err;
  if (got != sizeof kept || kept.kind != REPORT_KEPT) {
    make_error(err, 0, "--keep-upper: the copy into UPPER did not finish; files may be missing");
  } else if (kept.result.error.message[0] != '\0') {
    *err = kept.result.error;
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof err->message - used, " (%llu file(s) copied, %llu not)",
             kept.result.copied, kept.result.skipped);
  }
}

/* PID 1's report (or its absence) -> the outcome the runner sees. */
static void collect_outcome(struct outer_state *state, struct init_report *report,
                            struct job_outcome *outcome, struct cub_error *err) {
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  *outcome = (struct job_outcome){.wall_ms = ms_between(&state->start, &end)};
  size_t got = 0;
  read_all(state->report_fd, report, sizeof *report, &got);
  bool reported = got == sizeof *report;

  if (reported && report->kind == REPORT_SETUP_ERROR) {
    *err = report->error;
    outcome->error = err;
  } else if (reported && report->kind == REPORT_RESULT) {
    int status = report->wait_status;
    outcome->has_exit_code = WIFEXITED(status);
    outcome->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    outcome->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    outcome->timed_out = report->timed_out;
    outcome->has_startup = report->exec_done;
    if (report->exec_done)
      outcome->startup_ms = ms_between(&state->start, &report->exec_time);
    outcome->cpu_user_ms = timeval_ms(&report->cpu_user);
    outcome->cpu_system_ms = timeval_ms(&report->cpu_system);
    outcome->peak_rss_bytes = (unsigned long long)report->max_rss_kb * 1024;
    outcome->has_disk = report->has_disk;
    outcome->disk_limit_bytes = state->config->disk_bytes;
    outcome->disk_used_bytes = report->disk_used_bytes;
    outcome->disk_full = report->disk_full;
    read_kept_report(state);
    if (report->job_failed) {
      *err = report->error;
      outcome->error = err;
      /* A command that could not be exec'd keeps its shell-like 126/127. */
      if (strcmp(err->stage, "exec") != 0)
        outcome->has_exit_code = false;
    }
    return;
  } else if (WIFSIGNALED(state->wait_status)) {
    /* PID 1 itself was killed (backstop timeout, or from outside). */
    outcome->signal = WTERMSIG(state->wait_status);
    outcome->timed_out = state->backstop_fired;
  } else {
    make_error(err, 0, "sandbox init process exited with status %d without a report",
               WIFEXITED(state->wait_status) ? WEXITSTATUS(state->wait_status) : -1);
    set_error_stage(err, "internal");
    outcome->error = err;
  }
  outcome->cpu_user_ms = timeval_ms(&state->child_usage.ru_utime);
  outcome->cpu_system_ms = timeval_ms(&state->child_usage.ru_stime);
  outcome->peak_rss_bytes = (unsigned long long)state->child_usage.ru_maxrss * 1024;
}

static int exit_code_of(const struct job_outcome *outcome) {
  if (outcome->has_exit_code)
    return outcome->exit_code;
  if (outcome->error != NULL)
    return EXIT_SANDBOX_ERROR;
  if (outcome->signal > 0)
    return 128 + outcome->signal;
  return EXIT_SANDBOX_ERROR;
}

static int start_and_wait(struct outer_state *state, sigset_t *signals, struct job_outcome *outcome,
                          struct init_report *report, struct cub_error *err) {
  if (start_child(state, err) < 0 || release_child(state, err) < 0) {
    set_error_stage(err, "setup");
    return -1;
  }
  wait_for_child(state, signals);
  collect_outcome(state, report, outcome, err);
  close(state->report_fd);
  return 0;
}

/* cleanup_err: the cgroups could not all be removed (the job's outcome stands). */
static int run_sandbox(const struct sandbox_config *config, const struct timespec *start,
                       struct job_outcome *outcome, struct init_report *report,
                       struct cgroup_stats *stats, struct cub_error *err,
                       struct cub_error *cleanup_err, struct cub_error *keep_err) {
  struct outer_state state = {.config = config,
                              .start = *start,
                              .release_fd = -1,
                              .report_fd = -1,
                              .userns_fd = -1,
                              .keep_err = keep_err};
  sigset_t signals;
  if (plan_cgroups(&config->cgroup, &state.cgroups, err) < 0) {
    set_error_stage(err, "cgroup");
    return -1;
  }
  if (prepare_outer(&state, &signals, err) < 0) {
    set_error_stage(err, "setup");
    return -1;
  }
  /* After prepare_outer, which closes inherited fds; before any cgroup is made. */
  if (config->userns_path != NULL && open_userns(config->userns_path, &state.userns_fd, err) < 0)
    return -1;
  /* After prepare_outer, which closes inherited fds: the DIRs' fds stay open. */
  if (create_cgroups(&config->cgroup, &state.cgroups, err) < 0) {
    set_error_stage(err, "cgroup");
    return -1;
  }
  int ret = start_and_wait(&state, &signals, outcome, report, err);
  if (ret == 0 && state.cgroups.n_dirs > 0) {
    read_cgroup_stats(&state.cgroups, stats);
    outcome->cgroup = stats;
  }
  if (remove_cgroups(&state.cgroups, cleanup_err) < 0)
    set_error_stage(cleanup_err, "cgroup");
  return ret;
}

static void report_status(const struct sandbox_config *config, const struct job_outcome *outcome) {
  struct cub_error write_err = {0};
  if (outcome->error != NULL)
    fprintf(stderr, SANDBOX_NAME ": %s\n", outcome->error->message);
  else if (outcome->timed_out && config->join_pid != 0)
    fprintf(stderr,
            SANDBOX_NAME ": timed out after %llu ms; the command's processes were "
                         "killed (the sandbox it joined runs on)\n",
            config->timeout_ms);
  else if (outcome->timed_out)
    fprintf(stderr,
            SANDBOX_NAME ": timed out after %llu ms; every process in the sandbox "
                         "was killed\n",
            config->timeout_ms);
  if (outcome->cgroup != NULL && outcome->cgroup->oom_kills > 0) {
    char limit[64] = "";
    if (config->cgroup.has_memory_max)
      snprintf(limit, sizeof limit, " (--memory-max %llu)", config->cgroup.memory_max);
    fprintf(stderr,
            SANDBOX_NAME ": out of memory: the kernel killed %llu process%s in the "
                         "sandbox%s\n",
            outcome->cgroup->oom_kills, outcome->cgroup->oom_kills == 1 ? "" : "es", limit);
  }
  if (config->status_fd < 0)
    return;
  if (write_status(config->status_fd, outcome, &write_err) < 0)
    fprintf(stderr, SANDBOX_NAME ": %s\n", write_err.message);
  close(config->status_fd);
}

int main(int argc, char **argv) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  struct sandbox_config config = {.status_fd = -1};
  struct cub_error err = {0};
  struct job_outcome outcome = {0};
  enum parse_result parsed;

  argv = keep_args_apart(argc, argv);
  if (parse_args(argc, argv, &config, &parsed, &err) < 0) {
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    outcome.wall_ms = ms_between(&start, &end);
    outcome.seccomp = config.seccomp;
    outcome.error = &err;
    report_status(&config, &outcome);
    return EXIT_SANDBOX_ERROR;
  }
  if (parsed == PARSE_HELP) {
    print_usage(stdout);
    return 0;
  }
  if (parsed == PARSE_VERSION) {
    puts(SANDBOX_NAME " " SANDBOX_VERSION);
    return 0;
  }
  if (parsed == PARSE_HOLD_USERNS) {
    if (run_hold_userns(&config, &err) < 0) {
      fprintf(stderr, SANDBOX_NAME ": %s\n", err.message);
      return EXIT_SANDBOX_ERROR;
    }
    return 0;
  }
  if (parsed == PARSE_MAINTENANCE) {
    if (run_maintenance(&config.maintenance, &err) < 0) {
      fprintf(stderr, SANDBOX_NAME ": %s\n", err.message);
      return EXIT_SANDBOX_ERROR;
    }
    return 0;
  }

  if (config.join_pid != 0) {
    if (run_joined(&config, &start, &outcome, &err) < 0) {
      struct timespec end;
      clock_gettime(CLOCK_MONOTONIC, &end);
      outcome = (struct job_outcome){.wall_ms = ms_between(&start, &end), .error = &err};
    }
    outcome.seccomp = config.seccomp;
    report_status(&config, &outcome);
    return exit_code_of(&outcome);
  }

  static struct init_report report;
  struct cgroup_stats stats;
  struct cub_error cleanup_err = {0};
  static struct cub_error keep_err;
  if (run_sandbox(&config, &start, &outcome, &report, &stats, &err, &cleanup_err, &keep_err) < 0) {
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    outcome = (struct job_outcome){.wall_ms = ms_between(&start, &end), .error = &err};
  }
  outcome.seccomp = config.seccomp;
  if (cleanup_err.message[0] != '\0')
    fprintf(stderr, SANDBOX_NAME ": warning: %s\n", cleanup_err.message);
  if (keep_err.message[0] != '\0')
    fprintf(stderr, SANDBOX_NAME ": warning: %s\n", keep_err.message);
  report_status(&config, &outcome);
  return exit_code_of(&outcome);
}
