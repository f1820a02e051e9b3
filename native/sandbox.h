/* cubicle-sandbox: shared types and helpers. */
#ifndef CUBICLE_SANDBOX_H
#define CUBICLE_SANDBOX_H

#include "common.h"

#include <sys/resource.h>

#define SANDBOX_NAME "cubicle-sandbox"
#define SANDBOX_VERSION "0.1.0"

/* Exit codes, as a shell reports them. */
#define EXIT_SANDBOX_ERROR 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

/* ---- setup operations (bubblewrap's SetupOp), executed in argv order */

enum op_type {
  OP_OVERLAY,
  OP_RO_OVERLAY,
  OP_BIND,
  OP_RO_BIND,
  OP_DEV_BIND,
  OP_TMPFS,
  OP_DIR,
  OP_SYMLINK,
  OP_REMOUNT_RO,
  OP_PROC,
  OP_DEV,
};

struct setup_op {
  enum op_type type;
  const char *source; /* bind SRC, symlink TARGET */
  char **lowers;      /* overlay layers, top first */
  size_t n_lowers;
  const char *upper;
  const char *work;
  const char *dest; /* absolute path inside the sandbox */
  unsigned long long size;
  bool has_size;
  mode_t perms;
  bool has_perms;
  bool on_disk; /* --overlay after --disk-tmpfs: its upper and work dirs live there */
};

enum env_op_type { ENV_SET, ENV_UNSET, ENV_CLEAR };

struct env_op {
  enum env_op_type type;
  const char *name;
  const char *value;
};

enum uid_map_mode { UID_MAP_AUTO, UID_MAP_SINGLE };

enum seccomp_profile { SECCOMP_PROFILE_DEFAULT, SECCOMP_PROFILE_UNCONFINED };

/* --keep-upper DEST GLOB: files of that overlay's upper layer copied to its UPPER. */
struct keep_rule {
  const char *dest;
  const char *glob;
  size_t overlay; /* index of the --overlay op whose DEST it names */
};

/* --cgroup DIR... and the limits written there (cgroup.c). */
#define CPU_PERIOD_US 100000ULL

struct cgroup_request {
  const char **dirs; /* created by the helper, one per v1 hierarchy or one on v2 */
  size_t n_dirs;
  unsigned long long memory_max;
  bool has_memory_max;
  unsigned long long cpu_quota_us; /* per CPU_PERIOD_US */
  bool has_cpus;
  unsigned long long pids_max;
  bool has_pids_max;
};

/* The maintenance modes: one cgroup operation instead of a sandbox. */
enum maintenance_mode {
  MAINTENANCE_NONE,
  MAINTENANCE_CGROUP_PREPARE,
  MAINTENANCE_CGROUP_DELEGATE,
  MAINTENANCE_CGROUP_REMOVE,
};

/* --cgroup-prepare moves the runner and the processes that started it in the same cgroup
 * (`systemd-run --scope npx cubicle run`: npm, sh, node); a few suffice. */
#define MAX_MOVE_PIDS 16

struct maintenance_request {
  enum maintenance_mode mode;
  const char *option; /* "--cgroup-prepare", ... for messages */
  const char *dir;
  pid_t move_pids[MAX_MOVE_PIDS]; /* --move, repeatable */
  size_t n_move_pids;
  uid_t owner_uid; /* --owner */
  gid_t owner_gid;
  bool has_move;
  bool has_owner;
};

struct sandbox_config {
  struct setup_op *ops;
  size_t n_ops;
  struct env_op *env_ops;
  size_t n_env_ops;
  const char *hostname;
  const char *chdir_path;
  bool share_net;
  bool new_session;
  bool keep_caps;  /* maintenance commands only, never a job (src/sandbox/ops.ts) */
  bool build_caps; /* Docker's default capability set: a Dockerfile RUN (src/run/dockerfile-run.ts)
                    */
  /* --volatile-upper: upper dirs are thrown away after the run, so overlayfs may skip its
   * syncs of the upper filesystem (the `volatile` option); a setup step's never is */
  bool volatile_upper;
  bool legacy_overlay; /* CUBICLE_SANDBOX_LEGACY_OVERLAY=1: test the mount(2) path */
  bool legacy_cgroup;  /* CUBICLE_SANDBOX_LEGACY_CGROUP=1: v2 without CLONE_INTO_CGROUP */
  bool legacy_mount;   /* CUBICLE_SANDBOX_LEGACY_MOUNT=1: no openat2, no new mount API */
  enum seccomp_profile seccomp;
  unsigned long long disk_bytes; /* --disk-tmpfs; 0: none */
  struct keep_rule *keep_rules;
  size_t n_keep_rules;
  enum uid_map_mode uid_map;
  const char *userns_path; /* --userns: join it instead of a new user namespace */
  const char *netns_path;  /* --netns: join it (a holder's) instead of a new one; needs --userns */
  bool hold_netns;         /* --hold-netns: the --hold-userns holder also keeps a net namespace */
  bool has_user;           /* --user UID:GID: the job's ids inside (default 0:0) */
  pid_t join_pid; /* --join PID: run in that sandbox's namespaces (join.c); 0: a new sandbox */
  uid_t user_uid;
  gid_t user_gid;
  int status_fd;                 /* -1 when absent */
  unsigned long long timeout_ms; /* 0: no limit */
  struct cgroup_request cgroup;
  struct maintenance_request maintenance;
  char **command;
};

/* args.c */
enum parse_result { PARSE_RUN, PARSE_HELP, PARSE_VERSION, PARSE_MAINTENANCE, PARSE_HOLD_USERNS };
int parse_args(int argc, char **argv, struct sandbox_config *config, enum parse_result *result,
               struct cub_error *err);
void print_usage(FILE *out);

/* idmap.c: run in the outer process once the child exists. */
int write_id_maps(pid_t child, enum uid_map_mode mode, struct cub_error *err);

/* userns.c: --hold-userns keeps one mapped user namespace alive until stdin's
 * EOF; --userns PATH joins one (open early, setns just before the clone). */
int run_hold_userns(const struct sandbox_config *config, struct cub_error *err);
int loopback_up(struct cub_error *err);
int open_userns(const char *path, int *fd, struct cub_error *err);
int join_userns(int fd, const char *path, struct cub_error *err);

/* mounts.c: run in PID 1, in the new mount namespace. plan_root runs while
 * the outer writes the uid/gid maps (it creates nothing), build_root after. */
struct root_plan;
int plan_root(const struct sandbox_config *config, struct root_plan **plan, struct cub_error *err);
/* What PID 1 keeps of the build for after the job (--disk-tmpfs), or -1s. */
struct disk_handles {
  int fd;              /* the disk tmpfs' root (O_PATH); -1 without --disk-tmpfs */
  int *host_upper_fds; /* per op: UPPER (host, O_PATH) of an on-disk overlay with
                          --keep-upper rules, else -1 */
};
int build_root(struct root_plan *plan, struct disk_handles *disk, struct cub_error *err);
/* The on-disk upper dir of op index on the disk tmpfs: "INDEX/upper". */
#define DISK_UPPER_FMT "%zu/upper"
#define DISK_WORK_FMT "%zu/work"

/* inroot.c: paths inside a root, resolved as a chroot would (RESOLVE_IN_ROOT).
 * Like openat2: returns 0 and an O_PATH fd, or -1 with errno. */
int open_in_root(int root_fd, const char *path, bool follow_last, bool legacy, int *fd);

/* seccomp.c: the default filter; installed last before exec (needs no_new_privs). */
int install_seccomp(enum seccomp_profile profile, struct cub_error *err);

/* keep.c: --keep-upper, run in a process of its own after the job (see init.c). */
struct keep_result {
  unsigned long long copied;
  unsigned long long skipped; /* matched, but not a regular file, or not copied */
  struct cub_error error;     /* the first problem, message empty when none */
};
/* prefix: could a path below the directory `path` match? */
bool glob_match(const char *glob, const char *path, bool prefix);
/* A rule names an overlay whose upper layer is on the disk tmpfs. */
bool keep_rules_apply(const struct sandbox_config *config);
void copy_kept_files(const struct sandbox_config *config, const struct disk_handles *disk,
                     struct keep_result *result);

/* cgroup.c: the job's cgroups, made and removed by the outer process. */
struct job_cgroup {
  const char *path;
  int version;          /* 1 or 2 */
  unsigned controllers; /* CGROUP_HAS_* */
  dev_t hierarchy;      /* st_dev of the parent: one DIR per v1 hierarchy */
  int dir_fd;           /* -1 until created */
  bool created;
};

#define CGROUP_HAS_MEMORY 0x1u
#define CGROUP_HAS_CPU 0x2u
#define CGROUP_HAS_CPUACCT 0x4u /* CPU usage stats: cpuacct on v1, cpu.stat on v2 */
#define CGROUP_HAS_PIDS 0x8u

struct job_cgroups {
  struct job_cgroup *dirs;
  size_t n_dirs;
};

struct cgroup_stats {
  bool has_memory_peak;
  unsigned long long memory_peak_bytes;
  unsigned long long oom_kills;
  bool has_cpu_usage;
  double cpu_user_ms;
  double cpu_system_ms;
  bool has_cpu_throttling;
  double cpu_throttled_ms;
  unsigned long long throttled_periods;
  bool has_pids_peak;
  unsigned long long pids_peak;
  bool has_pids_limit_hits;
  unsigned long long pids_limit_hits;
};

/* Reads every DIR's parent (creates nothing) and checks the limits against
 * the controllers found; a limit no DIR can enforce is a usage error. */
int plan_cgroups(const struct cgroup_request *request, struct job_cgroups *cgroups,
                 struct cub_error *err);
/* mkdir every DIR and write the limits; on failure removes what it made. */
int create_cgroups(const struct cgroup_request *request, struct job_cgroups *cgroups,
                   struct cub_error *err);
/* The v2 DIR's fd for clone3's CLONE_INTO_CGROUP, -1 if none. */
int cgroup_clone_fd(const struct job_cgroups *cgroups);
/* Writes pid to cgroup.procs of every DIR (all but the v2 one if clone3 placed it). */
int enter_cgroups(const struct job_cgroups *cgroups, pid_t pid, bool placed_by_clone,
                  struct cub_error *err);
void read_cgroup_stats(const struct job_cgroups *cgroups, struct cgroup_stats *stats);
/* Kills what is left in the DIRs, then rmdirs them; err names the first failure. */
int remove_cgroups(struct job_cgroups *cgroups, struct cub_error *err);

/* Shared with cgroup_admin.c. */
int cgroup_version_of(const char *path, struct cub_error *err);
int cgroup_write(int dir_fd, const char *dir, const char *file, const char *value,
                 struct cub_error *err);
int cgroup_read(int dir_fd, const char *file, char *buf, size_t len);
bool cgroup_key_value(const char *text, const char *key, unsigned long long *value);
bool cgroup_is_populated(int dir_fd, int version);
int rmdir_retrying(int dir_fd, const char *name, const char *path, struct cub_error *err);

/* cgroup_admin.c: --cgroup-prepare, --cgroup-delegate, --cgroup-remove. */
int run_maintenance(const struct maintenance_request *request, struct cub_error *err);

/* ---- PID 1 -> outer report, one atomic write on a pipe (< PIPE_BUF) */

enum report_kind { REPORT_SETUP_ERROR = 1, REPORT_RESULT = 2, REPORT_KEPT = 3 };

struct job_failure {
  int exit_code; /* 126/127 for exec, 125 for setup done in the job */
  struct cub_error error;
};

struct init_report {
  int kind;
  struct cub_error error; /* REPORT_SETUP_ERROR, or the job's failure */
  bool job_failed;        /* the job never reached exec */
  int wait_status;
  bool exec_done;
  struct timespec exec_time; /* CLOCK_MONOTONIC, shared with the outer */
  bool timed_out;
  struct timeval cpu_user;
  struct timeval cpu_system;
  long max_rss_kb;
  bool has_disk; /* --disk-tmpfs: read after the job's processes are gone */
  unsigned long long disk_used_bytes;
  bool disk_full;
};

/* After REPORT_RESULT, with --keep-upper rules on an on-disk overlay. */
struct kept_report {
  int kind; /* REPORT_KEPT */
  struct keep_result result;
};

/* init.c: the job from fork to exec (environment, chdir, capabilities, seccomp); never returns. */
_Noreturn void run_job(const struct sandbox_config *config, mode_t job_umask, int exec_fd);

/* join.c: --join PID, COMMAND in a running sandbox's namespaces. */
struct job_outcome;
int run_joined(const struct sandbox_config *config, const struct timespec *start,
               struct job_outcome *outcome, struct cub_error *err);

/* init.c: PID 1 of the sandbox; never returns. */
_Noreturn void run_init(const struct sandbox_config *config, int release_fd, int report_fd,
                        const struct timespec *start);

/* status.c */
struct job_outcome {
  bool has_exit_code;
  int exit_code;
  int signal; /* 0: none */
  double wall_ms;
  bool has_startup;
  double startup_ms;
  double cpu_user_ms;
  double cpu_system_ms;
  unsigned long long peak_rss_bytes;
  bool timed_out;
  const struct cgroup_stats *cgroup; /* NULL: no --cgroup, or none was made */
  enum seccomp_profile seccomp;
  bool has_disk;
  unsigned long long disk_limit_bytes;
  unsigned long long disk_used_bytes;
  bool disk_full;
  const struct cub_error *error; /* NULL: none */
};
int write_status(int fd, const struct job_outcome *outcome, struct cub_error *err);
const char *signal_name(int sig, char *buf, size_t len);

/* util.c (make_error, write_all: common.h) */
int read_all(int fd, void *buf, size_t len, size_t *got);
int write_file(const char *path, const char *content, struct cub_error *err);
int close_fds_from(unsigned int first, int keep_fd);
double ms_between(const struct timespec *from, const struct timespec *to);
char **keep_args_apart(int argc, char **argv);
void hide_args(void);

/* Raw syscalls glibc (2.36) lacks or hides behind a header conflict. */
int sys_pivot_root(const char *new_root, const char *put_old);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
int sys_fsopen(const char *fs_name, unsigned int flags);
int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux);
int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags);
int sys_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path,
                   unsigned int flags);
int sys_mount_setattr(int dfd, const char *path, unsigned int flags, uint64_t attr_set,
                      uint64_t attr_clr);
int sys_open_tree(int dfd, const char *path, unsigned int flags);
int sys_openat2(int dfd, const char *path, uint64_t flags, uint64_t resolve);
pid_t sys_clone_namespaces(unsigned long flags, int cgroup_fd);

#define FSOPEN_CLOEXEC_ 0x1
#define FSMOUNT_CLOEXEC_ 0x1
#define FSCONFIG_SET_FLAG_ 0
#define FSCONFIG_SET_STRING_ 1
#define FSCONFIG_CMD_CREATE_ 6
#define MOVE_MOUNT_F_EMPTY_PATH_ 0x4
#define MOVE_MOUNT_T_EMPTY_PATH_ 0x40
#define OPEN_TREE_CLONE_ 0x1
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_IN_ROOT_ 0x10
#define MOUNT_ATTR_RDONLY_ 0x1
#define MOUNT_ATTR_NOSUID_ 0x2
#define MOUNT_ATTR_NODEV_ 0x4
#define MOUNT_ATTR_NOEXEC_ 0x8
#define AT_RECURSIVE_ 0x8000
#define CLOSE_RANGE_CLOEXEC_ (1U << 2)

#endif
