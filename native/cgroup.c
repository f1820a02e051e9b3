/* The job's cgroups: planned from argv, made by the outer process before
 * PID 1 exists, PID 1 placed in them, stats read and the DIRs removed after
 * PID 1 is reaped. One DIR on cgroup v2, one per hierarchy on v1. */
#include "sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

/* ---- small file helpers, shared with cgroup_admin.c */

int cgroup_version_of(const char *path, struct cub_error *err) {
  struct statfs fs;
  if (TEMP_FAILURE_RETRY(statfs(path, &fs)) < 0)
    return make_error(err, errno, "statfs `%s`", path);
  if (fs.f_type == CGROUP2_SUPER_MAGIC)
    return 2;
  if (fs.f_type == CGROUP_SUPER_MAGIC)
    return 1;
  return make_error(err, 0, "`%s` is not in a cgroup file system (statfs type 0x%lx)", path,
                    (unsigned long)fs.f_type);
}

/* The value is named in the message as the contract's callers expect:
 * "write 67108864 to `DIR/memory.max`: Permission denied". */
int cgroup_write(int dir_fd, const char *dir, const char *file, const char *value,
                 struct cub_error *err) {
  cleanup_close int fd = TEMP_FAILURE_RETRY(openat(dir_fd, file, O_WRONLY | O_CLOEXEC));
  if (fd < 0 || write_all(fd, value, strlen(value)) < 0)
    return make_error(err, errno, "write %s to `%s/%s`", value, dir, file);
  return 0;
}

/* Whole small file into buf (NUL-terminated); -1 with errno when absent. */
int cgroup_read(int dir_fd, const char *file, char *buf, size_t len) {
  cleanup_close int fd = TEMP_FAILURE_RETRY(openat(dir_fd, file, O_RDONLY | O_CLOEXEC));
  if (fd < 0)
    return -1;
  size_t got = 0;
  if (read_all(fd, buf, len - 1, &got) < 0)
    return -1;
  buf[got] = '\0';
  return 0;
}

/* "key value" lines (memory.events, cpu.stat, ...): the value of key. */
bool cgroup_key_value(const char *text, const char *key, unsigned long long *value) {
  size_t key_len = strlen(key);
  for (const char *line = text; *line != '\0';) {
    if (strncmp(line, key, key_len) == 0 && line[key_len] == ' ') {
      *value = strtoull(line + key_len + 1, NULL, 10);
      return true;
    }
    const char *newline = strchr(line, '\n');
    if (newline == NULL)
      break;
    line = newline + 1;
  }
  return false;
}

static bool read_number(int dir_fd, const char *file, unsigned long long *value) {
  char buf[64];
  if (cgroup_read(dir_fd, file, buf, sizeof buf) < 0 || buf[0] < '0' || buf[0] > '9')
    return false;
  *value = strtoull(buf, NULL, 10);
  return true;
}

static bool read_key(int dir_fd, const char *file, const char *key, unsigned long long *value) {
  char buf[2048];
  return cgroup_read(dir_fd, file, buf, sizeof buf) == 0 && cgroup_key_value(buf, key, value);
}

/* v2: cgroup.events says so (descendants included); v1: cgroup.procs lists a pid. */
bool cgroup_is_populated(int dir_fd, int version) {
  char buf[256];
  if (version == 2) {
    unsigned long long populated = 0;
    return read_key(dir_fd, "cgroup.events", "populated", &populated) && populated != 0;
  }
  return cgroup_read(dir_fd, "cgroup.procs", buf, sizeof buf) == 0 && buf[0] != '\0';
}

/* ---- planning: what each DIR's parent offers; nothing is created */

static int parent_path(const char *path, char *out, size_t len, struct cub_error *err) {
  if (snprintf(out, len, "%s", path) >= (int)len)
    return make_error(err, ENAMETOOLONG, "--cgroup `%s`", path);
  size_t n = strlen(out);
  while (n > 1 && out[n - 1] == '/')
    out[--n] = '\0';
  char *slash = strrchr(out, '/');
  if (slash == NULL)
    snprintf(out, len, ".");
  else if (slash == out)
    out[1] = '\0';
  else
    *slash = '\0';
  return 0;
}

/* A v1 hierarchy's root lacks some controllers' files (pids has none): its
 * controllers are the super options of its mount ("rw,cpu,cpuacct"). */
static unsigned v1_mount_controllers(dev_t dev) {
  FILE *mountinfo = fopen("/proc/self/mountinfo", "re");
  if (mountinfo == NULL)
    return 0;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  unsigned controllers = 0;
  while (getline(&line, &cap, mountinfo) > 0) {
    unsigned major_num, minor_num;
    if (sscanf(line, "%*u %*u %u:%u", &major_num, &minor_num) != 2 ||
        makedev(major_num, minor_num) != dev)
      continue;
    char *rest = strstr(line, " - cgroup ");
    if (rest == NULL)
      continue;
    char *options = strrchr(rest, ' ');
    options[strcspn(options, "\n")] = '\0';
    for (char *save = NULL, *opt = strtok_r(options + 1, ",", &save); opt;
         opt = strtok_r(NULL, ",", &save)) {
      controllers |= strcmp(opt, "memory") == 0    ? CGROUP_HAS_MEMORY
                     : strcmp(opt, "cpu") == 0     ? CGROUP_HAS_CPU
                     : strcmp(opt, "cpuacct") == 0 ? CGROUP_HAS_CPUACCT
                     : strcmp(opt, "pids") == 0    ? CGROUP_HAS_PIDS
                                                   : 0;
    }
    break;
  }
  fclose(mountinfo);
  return controllers;
}

static unsigned detect_controllers(int parent_fd, int version, dev_t dev) {
  if (version == 2) {
    /* cpu.stat's usage is core (every v2 cgroup has it); limits need the
     * controller in the parent's subtree_control. */
    unsigned controllers = CGROUP_HAS_CPUACCT;
    char buf[512];
    if (cgroup_read(parent_fd, "cgroup.subtree_control", buf, sizeof buf) < 0)
      return controllers;
    for (char *save = NULL, *name = strtok_r(buf, " \n", &save); name;
         name = strtok_r(NULL, " \n", &save)) {
      controllers |= strcmp(name, "memory") == 0 ? CGROUP_HAS_MEMORY
                     : strcmp(name, "cpu") == 0  ? CGROUP_HAS_CPU
                     : strcmp(name, "pids") == 0 ? CGROUP_HAS_PIDS
                                                 : 0;
    }
    return controllers;
  }
  static const struct {
    const char *file;
    unsigned controller;
  } probes[] = {
      {"memory.limit_in_bytes", CGROUP_HAS_MEMORY},
      {"cpu.cfs_quota_us", CGROUP_HAS_CPU},
      {"cpuacct.usage", CGROUP_HAS_CPUACCT},
      {"pids.max", CGROUP_HAS_PIDS},
  };
  unsigned controllers = 0;
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
    if (faccessat(parent_fd, probes[i].file, F_OK, 0) == 0)
      controllers |= probes[i].controller;
  if (faccessat(parent_fd, "cgroup.sane_behavior", F_OK, 0) == 0)
    controllers |= v1_mount_controllers(dev);
  return controllers;
}

static int plan_one(struct job_cgroup *dir, struct cub_error *err) {
  char parent[PATH_MAX];
  if (parent_path(dir->path, parent, sizeof parent, err) < 0)
    return -1;
  cleanup_close int parent_fd =
      TEMP_FAILURE_RETRY(open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (parent_fd < 0)
    return make_error(err, errno, "open `%s` (the parent of --cgroup `%s` must exist)", parent,
                      dir->path);
  struct stat st;
  if (fstat(parent_fd, &st) < 0)
    return make_error(err, errno, "stat `%s`", parent);
  dir->version = cgroup_version_of(parent, err);
  if (dir->version < 0)
    return -1;
  dir->hierarchy = st.st_dev;
  dir->controllers = detect_controllers(parent_fd, dir->version, st.st_dev);
  return 0;
}

static int limit_error(struct cub_error *err, const char *option, const char *controller,
                       const struct job_cgroups *cgroups) {
  char dirs[1024] = "";
  size_t used = 0;
  for (size_t i = 0; i < cgroups->n_dirs && used < sizeof dirs; i++)
    used += (size_t)snprintf(dirs + used, sizeof dirs - used, "%s`%s`", i ? ", " : "",
                             cgroups->dirs[i].path);
  make_error(err, 0,
             "%s needs a --cgroup DIR with the %s controller, and none of %s has it (v1: "
             "give a DIR in the %s hierarchy; v2: enable it in the parent's "
             "cgroup.subtree_control)",
             option, controller, dirs, controller);
  set_error_stage(err, "args");
  return -1;
}

int plan_cgroups(const struct cgroup_request *request, struct job_cgroups *cgroups,
                 struct cub_error *err) {
  *cgroups = (struct job_cgroups){0};
  if (request->n_dirs == 0)
    return 0;
  cgroups->dirs = calloc(request->n_dirs, sizeof *cgroups->dirs);
  if (cgroups->dirs == NULL)
    return make_error(err, errno, "calloc");
  cgroups->n_dirs = request->n_dirs;
  unsigned all = 0;
  for (size_t i = 0; i < request->n_dirs; i++) {
    struct job_cgroup *dir = &cgroups->dirs[i];
    *dir = (struct job_cgroup){.path = request->dirs[i], .dir_fd = -1};
    if (plan_one(dir, err) < 0)
      return -1;
    all |= dir->controllers;
    for (size_t j = 0; j < i; j++) {
      const struct job_cgroup *other = &cgroups->dirs[j];
      if (other->version == 2 && dir->version == 2) {
        make_error(err, 0,
                   "--cgroup `%s` and `%s`: on cgroup v2, give one DIR (it holds "
                   "every controller)",
                   other->path, dir->path);
        set_error_stage(err, "args");
        return -1;
      }
      if (other->version != dir->version) {
        make_error(err, 0,
                   "--cgroup `%s` is on cgroup v%d and `%s` on v%d: give one v2 DIR, "
                   "or v1 DIRs only",
                   other->path, other->version, dir->path, dir->version);
        set_error_stage(err, "args");
        return -1;
      }
      if (other->hierarchy == dir->hierarchy) {
        make_error(err, 0,
                   "--cgroup `%s` and `%s` are in the same v1 hierarchy; give one DIR "
                   "per hierarchy",
                   other->path, dir->path);
        set_error_stage(err, "args");
        return -1;
      }
    }
  }
  if (request->has_memory_max && !(all & CGROUP_HAS_MEMORY))
    return limit_error(err, "--memory-max", "memory", cgroups);
  if (request->has_cpus && !(all & CGROUP_HAS_CPU))
    return limit_error(err, "--cpus", "cpu", cgroups);
  if (request->has_pids_max && !(all & CGROUP_HAS_PIDS))
    return limit_error(err, "--pids-max", "pids", cgroups);
  return 0;
}

/* ---- creation and limits */

/* Skipped when the kernel lacks the file (no swap accounting, say). */
static int write_if_present(const struct job_cgroup *dir, const char *file, const char *value,
                            struct cub_error *err) {
  if (faccessat(dir->dir_fd, file, F_OK, 0) < 0 && errno == ENOENT)
    return 0;
  return cgroup_write(dir->dir_fd, dir->path, file, value, err);
}

static int write_limits(const struct cgroup_request *request, const struct job_cgroup *dir,
                        struct cub_error *err) {
  char value[64];
  bool v2 = dir->version == 2;
  if (request->has_memory_max && (dir->controllers & CGROUP_HAS_MEMORY)) {
    snprintf(value, sizeof value, "%llu", request->memory_max);
    if (cgroup_write(dir->dir_fd, dir->path, v2 ? "memory.max" : "memory.limit_in_bytes", value,
                     err) < 0)
      return -1;
    /* Swap off: a job over its limit is killed, not swapped out. v1's memsw
     * limit counts memory plus swap, so it must equal the memory limit. */
    if (write_if_present(dir, v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
                         v2 ? "0" : value, err) < 0)
      return -1;
  }
  if (request->has_cpus && (dir->controllers & CGROUP_HAS_CPU)) {
    if (v2) {
      snprintf(value, sizeof value, "%llu %llu", request->cpu_quota_us, CPU_PERIOD_US);
      if (cgroup_write(dir->dir_fd, dir->path, "cpu.max", value, err) < 0)
        return -1;
    } else {
      snprintf(value, sizeof value, "%llu", CPU_PERIOD_US);
      if (cgroup_write(dir->dir_fd, dir->path, "cpu.cfs_period_us", value, err) < 0)
        return -1;
      snprintf(value, sizeof value, "%llu", request->cpu_quota_us);
      if (cgroup_write(dir->dir_fd, dir->path, "cpu.cfs_quota_us", value, err) < 0)
        return -1;
    }
  }
  if (request->has_pids_max && (dir->controllers & CGROUP_HAS_PIDS)) {
    snprintf(value, sizeof value, "%llu", request->pids_max);
    if (cgroup_write(dir->dir_fd, dir->path, "pids.max", value, err) < 0)
      return -1;
  }
  return 0;
}

int create_cgroups(const struct cgroup_request *request, struct job_cgroups *cgroups,
                   struct cub_error *err) {
  for (size_t i = 0; i < cgroups->n_dirs; i++) {
    struct job_cgroup *dir = &cgroups->dirs[i];
    if (mkdir(dir->path, 0755) < 0) {
      make_error(err, errno, "mkdir `%s`%s", dir->path,
                 errno == EEXIST ? " (a --cgroup DIR must not exist yet)" : "");
      goto fail;
    }
    dir->created = true;
    dir->dir_fd = TEMP_FAILURE_RETRY(open(dir->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir->dir_fd < 0) {
      make_error(err, errno, "open `%s`", dir->path);
      goto fail;
    }
    if (write_limits(request, dir, err) < 0)
      goto fail;
  }
  return 0;
fail:;
  struct cub_error ignored = {0};
  remove_cgroups(cgroups, &ignored);
  return -1;
}

int cgroup_clone_fd(const struct job_cgroups *cgroups) {
  for (size_t i = 0; i < cgroups->n_dirs; i++)
    if (cgroups->dirs[i].version == 2)
      return cgroups->dirs[i].dir_fd;
  return -1;
}

int enter_cgroups(const struct job_cgroups *cgroups, pid_t pid, bool placed_by_clone,
                  struct cub_error *err) {
  char text[24];
  snprintf(text, sizeof text, "%d", (int)pid);
  for (size_t i = 0; i < cgroups->n_dirs; i++) {
    const struct job_cgroup *dir = &cgroups->dirs[i];
    if (dir->version == 2 && placed_by_clone)
      continue;
    if (cgroup_write(dir->dir_fd, dir->path, "cgroup.procs", text, err) < 0)
      return -1;
  }
  return 0;
}

/* ---- stats: each value from whichever DIR has its file; absent: null */

static void read_v2_stats(const struct job_cgroup *dir, struct cgroup_stats *stats) {
  int fd = dir->dir_fd;
  stats->has_memory_peak = read_number(fd, "memory.peak", &stats->memory_peak_bytes);
  read_key(fd, "memory.events", "oom_kill", &stats->oom_kills);
  char buf[2048];
  unsigned long long user, system, throttled, periods;
  if (cgroup_read(fd, "cpu.stat", buf, sizeof buf) == 0) {
    if (cgroup_key_value(buf, "user_usec", &user) &&
        cgroup_key_value(buf, "system_usec", &system)) {
      stats->has_cpu_usage = true;
      stats->cpu_user_ms = (double)user / 1e3;
      stats->cpu_system_ms = (double)system / 1e3;
    }
    if (cgroup_key_value(buf, "throttled_usec", &throttled) &&
        cgroup_key_value(buf, "nr_throttled", &periods)) {
      stats->has_cpu_throttling = true;
      stats->cpu_throttled_ms = (double)throttled / 1e3;
      stats->throttled_periods = periods;
    }
  }
  stats->has_pids_peak = read_number(fd, "pids.peak", &stats->pids_peak);
  stats->has_pids_limit_hits = read_key(fd, "pids.events", "max", &stats->pids_limit_hits);
}

static void read_v1_stats(const struct job_cgroup *dir, struct cgroup_stats *stats) {
  int fd = dir->dir_fd;
  unsigned long long value, user, system, throttled, periods;
  if (read_number(fd, "memory.max_usage_in_bytes", &value)) {
    stats->has_memory_peak = true;
    stats->memory_peak_bytes = value;
  }
  /* oom_kill in memory.oom_control needs Linux 4.13; before it, 0. */
  if (read_key(fd, "memory.oom_control", "oom_kill", &value))
    stats->oom_kills = value;
  /* usage_user and usage_sys are tick samples (their sum overshot the exact
   * cpuacct.usage by 5% on Linux 6.18): they only split the exact total, as
   * cputime_adjust() does for v2's cpu.stat. */
  unsigned long long total;
  if (read_number(fd, "cpuacct.usage_user", &user) &&
      read_number(fd, "cpuacct.usage_sys", &system)) {
    stats->has_cpu_usage = true;
    if (!read_number(fd, "cpuacct.usage", &total))
      total = user + system;
    double user_share = user + system > 0 ? (double)user / (double)(user + system) : 1.0;
    stats->cpu_user_ms = (double)total * user_share / 1e6;
    stats->cpu_system_ms = (double)total / 1e6 - stats->cpu_user_ms;
  }
  char buf[2048];
  if (cgroup_read(fd, "cpu.stat", buf, sizeof buf) == 0 &&
      cgroup_key_value(buf, "throttled_time", &throttled) &&
      cgroup_key_value(buf, "nr_throttled", &periods)) {
    stats->has_cpu_throttling = true;
    stats->cpu_throttled_ms = (double)throttled / 1e6;
    stats->throttled_periods = periods;
  }
  /* pids.peak reached v1 as well (Linux 6.1+ has it in both). */
  if (read_number(fd, "pids.peak", &value)) {
    stats->has_pids_peak = true;
    stats->pids_peak = value;
  }
  if (read_key(fd, "pids.events", "max", &value)) {
    stats->has_pids_limit_hits = true;
    stats->pids_limit_hits = value;
  }
}

void read_cgroup_stats(const struct job_cgroups *cgroups, struct cgroup_stats *stats) {
  *stats = (struct cgroup_stats){0};
  for (size_t i = 0; i < cgroups->n_dirs; i++) {
    const struct job_cgroup *dir = &cgroups->dirs[i];
    if (dir->dir_fd < 0)
      continue;
    if (dir->version == 2)
      read_v2_stats(dir, stats);
    else
      read_v1_stats(dir, stats);
  }
}

/* ---- removal */

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* Every process the DIR lists: ours, since only the sandbox was placed there. */
static void kill_listed(int dir_fd) {
  int fd = TEMP_FAILURE_RETRY(openat(dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC));
  if (fd < 0)
    return;
  FILE *procs = fdopen(fd, "re");
  if (procs == NULL) {
    close(fd);
    return;
  }
  int pid;
  while (fscanf(procs, "%d", &pid) == 1)
    if (pid > 0)
      kill(pid, SIGKILL);
  fclose(procs);
}

/* Normally empty already: the pid namespace died with PID 1. */
static int end_processes(const struct job_cgroup *dir, struct cub_error *err) {
  if (!cgroup_is_populated(dir->dir_fd, dir->version))
    return 0;
  /* cgroup.kill needs Linux 5.14; v1 and older kernels kill pid by pid. */
  struct cub_error ignored = {0};
  bool killed_all =
      dir->version == 2 && cgroup_write(dir->dir_fd, dir->path, "cgroup.kill", "1", &ignored) == 0;
  for (int waited_ms = 0; waited_ms < 2000; waited_ms += 5) {
    if (!killed_all)
      kill_listed(dir->dir_fd);
    sleep_ms(5);
    if (!cgroup_is_populated(dir->dir_fd, dir->version))
      return 0;
  }
  return make_error(err, 0, "processes are still alive in `%s` 2 s after SIGKILL", dir->path);
}

/* v1 may answer EBUSY for a moment after the last task exited. */
int rmdir_retrying(int dir_fd, const char *name, const char *path, struct cub_error *err) {
  for (int waited_ms = 0;; waited_ms += 10) {
    if (unlinkat(dir_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
      return 0;
    if (errno != EBUSY || waited_ms >= 1000)
      return make_error(err, errno, "rmdir `%s`", path);
    sleep_ms(10);
  }
}

int remove_cgroups(struct job_cgroups *cgroups, struct cub_error *err) {
  int ret = 0;
  for (size_t i = cgroups->n_dirs; i-- > 0;) {
    struct job_cgroup *dir = &cgroups->dirs[i];
    struct cub_error this_err = {0};
    if (dir->created && dir->dir_fd >= 0 && end_processes(dir, &this_err) < 0 && ret == 0) {
      *err = this_err;
      ret = -1;
    }
    if (dir->dir_fd >= 0)
      close(dir->dir_fd);
    dir->dir_fd = -1;
    if (dir->created && rmdir_retrying(AT_FDCWD, dir->path, dir->path, &this_err) < 0 && ret == 0) {
      *err = this_err;
      ret = -1;
    }
    dir->created = false;
  }
  return ret;
}
