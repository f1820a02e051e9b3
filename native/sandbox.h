/* cubicle-sandbox: shared types and helpers. */
#ifndef CUBICLE_SANDBOX_H
#define CUBICLE_SANDBOX_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define SANDBOX_NAME "cubicle-sandbox"
#define SANDBOX_VERSION "0.1.0"

/* Exit codes, as a shell reports them. */
#define EXIT_SANDBOX_ERROR 125
#define EXIT_CANNOT_EXECUTE 126
#define EXIT_NOT_FOUND 127

#ifndef TEMP_FAILURE_RETRY
#define TEMP_FAILURE_RETRY(expression)                                         \
  (__extension__({                                                             \
    long int result_;                                                          \
    do                                                                         \
      result_ = (long int)(expression);                                        \
    while (result_ == -1L && errno == EINTR);                                  \
    result_;                                                                   \
  }))
#endif

#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- errors (crun style: fallible functions return int, error struct last) */

struct sandbox_error {
  char stage[24];  /* "args", "setup", "uid_map", "mount", "pivot_root", ... */
  int errnum;      /* 0 when no errno applies */
  char message[2048];
};

/* Fills err (message + ": strerror(errnum)" when errnum != 0); returns -1. */
int make_error(struct sandbox_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records the stage of a failed step unless a deeper call already named one. */
void set_error_stage(struct sandbox_error *err, const char *stage);

/* ---- cleanup attributes */

static inline void close_fdp(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
static inline void free_ptrp(void *ptr) { free(*(void **)ptr); }
#define cleanup_close __attribute__((cleanup(close_fdp)))
#define cleanup_free __attribute__((cleanup(free_ptrp)))

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
};

enum env_op_type { ENV_SET, ENV_UNSET, ENV_CLEAR };

struct env_op {
  enum env_op_type type;
  const char *name;
  const char *value;
};

enum uid_map_mode { UID_MAP_AUTO, UID_MAP_SINGLE };

struct sandbox_config {
  struct setup_op *ops;
  size_t n_ops;
  struct env_op *env_ops;
  size_t n_env_ops;
  const char *hostname;
  const char *chdir_path;
  bool share_net;
  bool new_session;
  bool keep_caps; /* maintenance commands only, never a job (src/sandbox/ops.ts) */
  bool legacy_overlay; /* CUBICLE_SANDBOX_LEGACY_OVERLAY=1: test the mount(2) path */
  enum uid_map_mode uid_map;
  int status_fd; /* -1 when absent */
  unsigned long long timeout_ms; /* 0: no limit */
  char **command;
};

/* args.c */
enum parse_result { PARSE_RUN, PARSE_HELP, PARSE_VERSION };
int parse_args(int argc, char **argv, struct sandbox_config *config,
               enum parse_result *result, struct sandbox_error *err);
void print_usage(FILE *out);

/* idmap.c: run in the outer process once the child exists. */
int write_id_maps(pid_t child, enum uid_map_mode mode, struct sandbox_error *err);

/* mounts.c: run in PID 1, in the new mount namespace. plan_root runs while
 * the outer writes the uid/gid maps (it creates nothing), build_root after. */
struct root_plan;
int plan_root(const struct sandbox_config *config, struct root_plan **plan,
              struct sandbox_error *err);
int build_root(struct root_plan *plan, struct sandbox_error *err);

/* ---- PID 1 -> outer report, one atomic write on a pipe (< PIPE_BUF) */

enum report_kind { REPORT_SETUP_ERROR = 1, REPORT_RESULT = 2 };

struct job_failure {
  int exit_code; /* 126/127 for exec, 125 for setup done in the job */
  struct sandbox_error error;
};

struct init_report {
  int kind;
  struct sandbox_error error; /* REPORT_SETUP_ERROR, or the job's failure */
  bool job_failed;            /* the job never reached exec */
  int wait_status;
  bool exec_done;
  struct timespec exec_time; /* CLOCK_MONOTONIC, shared with the outer */
  bool timed_out;
  struct timeval cpu_user;
  struct timeval cpu_system;
  long max_rss_kb;
};

/* init.c: PID 1 of the sandbox; never returns. */
_Noreturn void run_init(const struct sandbox_config *config, int release_fd,
                        int report_fd, const struct timespec *start);

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
  const struct sandbox_error *error; /* NULL: none */
};
int write_status(int fd, const struct job_outcome *outcome, struct sandbox_error *err);
const char *signal_name(int sig, char *buf, size_t len);

/* util.c */
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len, size_t *got);
int write_file(const char *path, const char *content, struct sandbox_error *err);
int close_fds_from(unsigned int first, int keep_fd);
double ms_between(const struct timespec *from, const struct timespec *to);

/* Raw syscalls glibc (2.36) lacks or hides behind a header conflict. */
int sys_pivot_root(const char *new_root, const char *put_old);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
int sys_fsopen(const char *fs_name, unsigned int flags);
int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux);
int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags);
int sys_move_mount(int from_dfd, const char *from_path, int to_dfd,
                   const char *to_path, unsigned int flags);
int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
                      uint64_t attr_set, uint64_t attr_clr);
pid_t sys_clone_namespaces(unsigned long flags);

#define FSOPEN_CLOEXEC_ 0x1
#define FSMOUNT_CLOEXEC_ 0x1
#define FSCONFIG_SET_FLAG_ 0
#define FSCONFIG_SET_STRING_ 1
#define FSCONFIG_CMD_CREATE_ 6
#define MOVE_MOUNT_F_EMPTY_PATH_ 0x4
#define MOUNT_ATTR_RDONLY_ 0x1
#define MOUNT_ATTR_NOSUID_ 0x2
#define MOUNT_ATTR_NODEV_ 0x4
#define MOUNT_ATTR_NOEXEC_ 0x8
#define AT_RECURSIVE_ 0x8000
#define CLOSE_RANGE_CLOEXEC_ (1U << 2)

#endif
