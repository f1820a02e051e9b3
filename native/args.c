/* argv -> sandbox_config. One table drives parsing and --help. */
#include "sandbox.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct parser {
  struct sandbox_config *config;
  /* --size/--perms wait here for the next --tmpfs/--dir. */
  unsigned long long pending_size;
  bool has_pending_size;
  mode_t pending_perms;
  bool has_pending_perms;
  const char *pending_option;
  enum parse_result result;
  const char *sandbox_option; /* the first option that is not a maintenance one */
  bool has_uid_map;
  bool hold_userns;
  const char *not_for_holder; /* the first option --hold-userns cannot take */
  bool has_disk;              /* --disk-tmpfs seen: later --overlay ops put upper and work there */
};

struct option_spec {
  const char *name;
  int nargs;
  const char *args_help;
  const char *help;
  int (*handle)(struct parser *p, const struct option_spec *spec, char **args,
                struct cub_error *err);
  int op_type;    /* enum op_type for filesystem ops, -1 otherwise */
  unsigned flags; /* OPT_* */
};

/* A maintenance mode's own option: not a sandbox option (finish_maintenance). */
#define OPT_MAINTENANCE 0x1u
/* --hold-userns takes it (every other option is refused with it). */
#define OPT_HOLDER 0x2u

/* Each option's handler has this signature; most use only some of the arguments. */
#define UNUSED __attribute__((unused))
#define HANDLER(fn)                                                                                \
  static int fn(struct parser *p UNUSED, const struct option_spec *spec UNUSED,                    \
                char **args UNUSED, struct cub_error *err UNUSED)

static int usage_error(struct cub_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(struct cub_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  err->errnum = 0;
  set_error_stage(err, "args");
  return -1;
}

/* DEST is a path inside the sandbox: made absolute, no "..", no trailing '/'. */
static int normalize_dest(const char *option, const char *dest, const char **out,
                          struct cub_error *err) {
  if (dest[0] == '\0')
    return usage_error(err, "%s: empty DEST", option);
  size_t len = strlen(dest);
  char *path = malloc(len + 2);
  if (path == NULL)
    return make_error(err, errno, "malloc");
  size_t n = 0;
  if (dest[0] != '/')
    path[n++] = '/';
  memcpy(path + n, dest, len + 1);
  n += len;
  while (n > 1 && path[n - 1] == '/')
    path[--n] = '\0';
  for (const char *c = path; (c = strstr(c, "..")) != NULL; c += 2) {
    if (c[-1] == '/' && (c[2] == '/' || c[2] == '\0')) {
      free(path);
      return usage_error(err, "%s: DEST must not contain `..`", option);
    }
  }
  *out = path;
  return 0;
}

/* "a:b\:c" -> ["a", "b:c"]; '\' escapes ':' and '\' as in overlayfs' lowerdir. */
static int split_lowers(const char *option, const char *list, struct setup_op *op,
                        struct cub_error *err) {
  size_t max = 1;
  for (const char *c = list; *c; c++)
    max += *c == ':';
  op->lowers = calloc(max, sizeof *op->lowers);
  char *buf = malloc(strlen(list) + 1);
  if (op->lowers == NULL || buf == NULL)
    return make_error(err, errno, "malloc");
  char *out = buf;
  const char *item = buf;
  for (const char *c = list;; c++) {
    if (*c == '\\' && (c[1] == ':' || c[1] == '\\')) {
      *out++ = *++c;
      continue;
    }
    if (*c == ':' || *c == '\0') {
      *out++ = '\0';
      if (*item == '\0')
        return usage_error(err, "%s: empty layer in LOWER list", option);
      op->lowers[op->n_lowers++] = (char *)item;
      item = out;
      if (*c == '\0')
        break;
      continue;
    }
    *out++ = *c;
  }
  return 0;
}

static struct setup_op *add_op(struct parser *p, enum op_type type) {
  struct setup_op *op = &p->config->ops[p->config->n_ops++];
  memset(op, 0, sizeof *op);
  op->type = type;
  return op;
}

static int check_root_dest(const struct parser *p, const char *option, const struct setup_op *op,
                           struct cub_error *err) {
  if (strcmp(op->dest, "/") != 0)
    return 0;
  switch (op->type) {
  case OP_REMOUNT_RO:
    return 0;
  case OP_OVERLAY:
  case OP_RO_OVERLAY:
  case OP_BIND:
  case OP_RO_BIND:
  case OP_DEV_BIND:
  case OP_TMPFS:
    /* The new root is mounted once; a later mount on / would hide the others. */
    if (p->config->n_ops == 1)
      return 0;
    return usage_error(err, "%s with DEST `/` must be the first filesystem option", option);
  default:
    return usage_error(err, "%s: DEST must not be `/`", option);
  }
}

static int handle_fs_op(struct parser *p, const struct option_spec *spec, char **args,
                        struct cub_error *err) {
  enum op_type type = (enum op_type)spec->op_type;
  if (p->pending_option != NULL && type != OP_TMPFS && type != OP_DIR)
    return usage_error(err, "%s must be followed by --tmpfs or --dir", p->pending_option);
  if (p->has_pending_size && type != OP_TMPFS)
    return usage_error(err, "%s", "--size must be followed by --tmpfs");

  struct setup_op *op = add_op(p, type);
  const char *dest = args[spec->nargs - 1];
  switch (type) {
  case OP_OVERLAY:
  case OP_RO_OVERLAY:
    if (split_lowers(spec->name, args[0], op, err) < 0)
      return -1;
    if (type == OP_OVERLAY) {
      op->upper = args[1];
      op->work = args[2];
      if (!op->upper[0] || !op->work[0])
        return usage_error(err, "%s: empty UPPER or WORK", spec->name);
    }
    break;
  case OP_BIND:
  case OP_RO_BIND:
  case OP_DEV_BIND:
  case OP_SYMLINK:
    op->source = args[0];
    if (!op->source[0])
      return usage_error(err, "%s: empty SRC", spec->name);
    break;
  default:
    break;
  }
  if (normalize_dest(spec->name, dest, &op->dest, err) < 0)
    return -1;
  op->size = p->pending_size;
  op->has_size = p->has_pending_size;
  op->perms = p->pending_perms;
  op->has_perms = p->has_pending_perms;
  op->on_disk = type == OP_OVERLAY && p->has_disk;
  p->has_pending_size = p->has_pending_perms = false;
  p->pending_option = NULL;
  return check_root_dest(p, spec->name, op, err);
}

static int parse_ull(const char *text, unsigned long long *out) {
  if (text[0] < '0' || text[0] > '9')
    return -1;
  char *end;
  errno = 0;
  *out = strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  return 0;
}

/* BYTES with an optional k, m or g suffix (--size, --memory-max). */
static int parse_size(const char *text, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long size = strtoull(text, &end, 10);
  unsigned shift = 0;
  if (*end == 'k' || *end == 'K')
    shift = 10;
  else if (*end == 'm' || *end == 'M')
    shift = 20;
  else if (*end == 'g' || *end == 'G')
    shift = 30;
  if (shift)
    end++;
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || size > (~0ULL >> shift))
    return -1;
  *out = size << shift;
  return 0;
}

static int handle_size(struct parser *p, const struct option_spec *spec, char **args,
                       struct cub_error *err) {
  if (parse_size(args[0], &p->pending_size) < 0)
    return usage_error(err, "--size: invalid size `%s`", args[0]);
  p->has_pending_size = true;
  p->pending_option = spec->name;
  return 0;
}

static int handle_perms(struct parser *p, const struct option_spec *spec, char **args,
                        struct cub_error *err) {
  char *end;
  errno = 0;
  unsigned long perms = strtoul(args[0], &end, 8);
  if (errno != 0 || end == args[0] || *end != '\0' || args[0][0] == '-' || perms > 07777)
    return usage_error(err, "--perms: invalid octal mode `%s`", args[0]);
  p->pending_perms = (mode_t)perms;
  p->has_pending_perms = true;
  p->pending_option = spec->name;
  return 0;
}

HANDLER(handle_setenv_or_unsetenv) {
  struct env_op *op = &p->config->env_ops[p->config->n_env_ops++];
  if (args[0][0] == '\0' || strchr(args[0], '=') != NULL)
    return usage_error(err, "%s: invalid variable name `%s`", spec->name, args[0]);
  *op = (struct env_op){.type = spec->nargs == 2 ? ENV_SET : ENV_UNSET,
                        .name = args[0],
                        .value = spec->nargs == 2 ? args[1] : NULL};
  return 0;
}

HANDLER(handle_clearenv) {
  p->config->env_ops[p->config->n_env_ops++] = (struct env_op){.type = ENV_CLEAR};
  return 0;
}

HANDLER(handle_share_net) {
  p->config->share_net = true;
  return 0;
}

HANDLER(handle_no_new_session) {
  p->config->new_session = false;
  return 0;
}

HANDLER(handle_keep_caps) {
  p->config->keep_caps = true;
  return 0;
}

HANDLER(handle_build_caps) {
  p->config->build_caps = true;
  return 0;
}

HANDLER(handle_volatile_upper) {
  p->config->volatile_upper = true;
  return 0;
}

HANDLER(handle_hostname) {
  if (args[0][0] == '\0' || strlen(args[0]) > 64)
    return usage_error(err, "--hostname: `%s` is empty or longer than 64 bytes", args[0]);
  p->config->hostname = args[0];
  return 0;
}

HANDLER(handle_chdir) {
  if (args[0][0] == '\0')
    return usage_error(err, "%s: empty DIR", spec->name);
  p->config->chdir_path = args[0];
  return 0;
}

HANDLER(handle_userns) {
  if (args[0][0] == '\0')
    return usage_error(err, "%s: empty PATH", spec->name);
  p->config->userns_path = args[0];
  return 0;
}

HANDLER(handle_hold_userns) {
  p->hold_userns = true;
  return 0;
}

HANDLER(handle_join) {
  char *end;
  long pid = strtol(args[0], &end, 10);
  if (*args[0] == '\0' || *end != '\0' || pid < 1 || pid > 4194304)
    return usage_error(err, "--join: `%s` is not a process id", args[0]);
  p->config->join_pid = (pid_t)pid;
  return 0;
}

HANDLER(handle_hold_netns) {
  p->config->hold_netns = true;
  return 0;
}

HANDLER(handle_netns) {
  if (args[0][0] == '\0')
    return usage_error(err, "%s: empty PATH", spec->name);
  p->config->netns_path = args[0];
  return 0;
}

HANDLER(handle_user) {
  struct sandbox_config *c = p->config;
  unsigned long long uid, gid;
  char *colon = strchr(args[0], ':');
  if (colon != NULL)
    *colon = '\0';
  bool ok = parse_ull(args[0], &uid) == 0 && (colon == NULL || parse_ull(colon + 1, &gid) == 0);
  if (colon != NULL)
    *colon = ':';
  if (!ok || uid > 0xfffffffeULL || (colon != NULL && gid > 0xfffffffeULL))
    return usage_error(err, "--user: expected UID or UID:GID (numbers), got `%s`", args[0]);
  c->has_user = true;
  c->user_uid = (uid_t)uid;
  c->user_gid = (gid_t)(colon != NULL ? gid : uid);
  return 0;
}

HANDLER(handle_uid_map) {
  p->has_uid_map = true;
  if (strcmp(args[0], "auto") == 0)
    p->config->uid_map = UID_MAP_AUTO;
  else if (strcmp(args[0], "single") == 0)
    p->config->uid_map = UID_MAP_SINGLE;
  else
    return usage_error(err, "--uid-map: expected `auto` or `single`, got `%s`", args[0]);
  return 0;
}

HANDLER(handle_status_fd) {
  unsigned long long fd;
  if (parse_ull(args[0], &fd) < 0 || fd > 1048576)
    return usage_error(err, "--status-fd: invalid fd `%s`", args[0]);
  if (fcntl((int)fd, F_GETFD) < 0)
    return usage_error(err, "--status-fd: fd %s is not open", args[0]);
  p->config->status_fd = (int)fd;
  return 0;
}

HANDLER(handle_timeout_ms) {
  unsigned long long *ms = &p->config->timeout_ms;
  if (parse_ull(args[0], ms) < 0 || *ms > 1000ULL * 86400 * 365)
    return usage_error(err, "--timeout-ms: invalid number `%s`", args[0]);
  return 0;
}

HANDLER(handle_help) {
  p->result = PARSE_HELP;
  return 0;
}

HANDLER(handle_version) {
  p->result = PARSE_VERSION;
  return 0;
}

HANDLER(handle_seccomp) {
  if (strcmp(args[0], "default") == 0)
    p->config->seccomp = SECCOMP_PROFILE_DEFAULT;
  else if (strcmp(args[0], "unconfined") == 0)
    p->config->seccomp = SECCOMP_PROFILE_UNCONFINED;
  else
    return usage_error(err, "--seccomp: expected `default` or `unconfined`, got `%s`", args[0]);
  return 0;
}

HANDLER(handle_disk_tmpfs) {
  struct sandbox_config *c = p->config;
  if (p->has_disk)
    return usage_error(err, "%s",
                       "--disk-tmpfs: give it once (one tmpfs holds every "
                       "following --overlay's upper layer)");
  if (p->pending_option != NULL)
    return usage_error(err, "%s must be followed by --tmpfs or --dir", p->pending_option);
  if (parse_size(args[0], &c->disk_bytes) < 0 || c->disk_bytes == 0)
    return usage_error(err, "--disk-tmpfs: invalid size `%s`", args[0]);
  p->has_disk = true;
  return 0;
}

HANDLER(handle_keep_upper) {
  struct sandbox_config *c = p->config;
  struct keep_rule *rule = &c->keep_rules[c->n_keep_rules++];
  if (normalize_dest(spec->name, args[0], &rule->dest, err) < 0)
    return -1;
  if (args[1][0] == '\0' || args[1][0] == '/')
    return usage_error(err, "--keep-upper: GLOB `%s` must be relative to the upper layer", args[1]);
  rule->glob = args[1];
  return 0;
}

/* Each --keep-upper names a writable --overlay, wherever it is in argv. */
static int match_keep_rules(struct sandbox_config *c, struct cub_error *err) {
  for (size_t r = 0; r < c->n_keep_rules; r++) {
    struct keep_rule *rule = &c->keep_rules[r];
    bool found = false;
    for (size_t i = 0; i < c->n_ops; i++) {
      if (c->ops[i].type == OP_OVERLAY && strcmp(c->ops[i].dest, rule->dest) == 0) {
        rule->overlay = i; /* the last one wins, as it hides the others */
        found = true;
      }
    }
    if (!found)
      return usage_error(err, "--keep-upper: no --overlay with DEST `%s`", rule->dest);
  }
  return 0;
}

HANDLER(handle_cgroup) {
  struct cgroup_request *c = &p->config->cgroup;
  if (args[0][0] == '\0')
    return usage_error(err, "%s: empty DIR", spec->name);
  c->dirs[c->n_dirs++] = args[0];
  return 0;
}

HANDLER(handle_memory_max) {
  struct cgroup_request *c = &p->config->cgroup;
  if (parse_size(args[0], &c->memory_max) < 0 || c->memory_max == 0)
    return usage_error(err, "--memory-max: invalid size `%s`", args[0]);
  c->has_memory_max = true;
  return 0;
}

HANDLER(handle_cpus) {
  struct cgroup_request *c = &p->config->cgroup;
  char *end;
  errno = 0;
  double cpus = strtod(args[0], &end);
  bool number = (args[0][0] >= '0' && args[0][0] <= '9') || args[0][0] == '.';
  /* The kernel refuses a quota under 1 ms per period. */
  if (!number || errno != 0 || *end != '\0' || !(cpus >= 0.01 && cpus <= 100000))
    return usage_error(err, "--cpus: invalid number `%s` (0.01 to 100000, fractions allowed)",
                       args[0]);
  c->cpu_quota_us = (unsigned long long)(cpus * (double)CPU_PERIOD_US + 0.5);
  c->has_cpus = true;
  return 0;
}

HANDLER(handle_pids_max) {
  struct cgroup_request *c = &p->config->cgroup;
  /* PID_MAX_LIMIT: pids.max refuses more. */
  if (parse_ull(args[0], &c->pids_max) < 0 || c->pids_max == 0 || c->pids_max > 4194304)
    return usage_error(err, "--pids-max: invalid number `%s` (1 to 4194304)", args[0]);
  c->has_pids_max = true;
  return 0;
}

/* A decimal id ending at stop ('\0' or ':'), below (uid_t)-1. */
static int parse_id(const char *text, char stop, unsigned long *out, const char **next) {
  char *end;
  errno = 0;
  if (text[0] < '0' || text[0] > '9')
    return -1;
  *out = strtoul(text, &end, 10);
  if (errno != 0 || *end != stop || *out >= 4294967295UL)
    return -1;
  *next = end + 1;
  return 0;
}

HANDLER(handle_move) {
  struct maintenance_request *m = &p->config->maintenance;
  unsigned long long pid;
  if (parse_ull(args[0], &pid) < 0 || pid == 0 || pid > 4194304)
    return usage_error(err, "--move: invalid PID `%s`", args[0]);
  if (m->n_move_pids == MAX_MOVE_PIDS)
    return usage_error(err, "--move: at most %d PIDs", MAX_MOVE_PIDS);
  m->move_pids[m->n_move_pids++] = (pid_t)pid;
  m->has_move = true;
  return 0;
}

HANDLER(handle_owner) {
  struct maintenance_request *m = &p->config->maintenance;
  unsigned long uid, gid;
  const char *rest;
  if (parse_id(args[0], ':', &uid, &rest) < 0 || parse_id(rest, '\0', &gid, &rest) < 0)
    return usage_error(err, "--owner: expected numeric UID:GID, got `%s`", args[0]);
  m->owner_uid = (uid_t)uid;
  m->owner_gid = (gid_t)gid;
  m->has_owner = true;
  return 0;
}

/* --cgroup-prepare, --cgroup-delegate, --cgroup-remove: one mode per run. */
static int set_maintenance_mode(struct parser *p, const char *name, enum maintenance_mode mode,
                                const char *dir, struct cub_error *err) {
  struct maintenance_request *m = &p->config->maintenance;
  if (m->mode != MAINTENANCE_NONE)
    return usage_error(err, "%s and %s: give one maintenance mode", m->option, name);
  if (dir[0] == '\0')
    return usage_error(err, "%s: empty DIR", name);
  m->mode = mode;
  m->option = name;
  m->dir = dir;
  return 0;
}

HANDLER(handle_cgroup_prepare) {
  return set_maintenance_mode(p, spec->name, MAINTENANCE_CGROUP_PREPARE, args[0], err);
}

HANDLER(handle_cgroup_delegate) {
  return set_maintenance_mode(p, spec->name, MAINTENANCE_CGROUP_DELEGATE, args[0], err);
}

HANDLER(handle_cgroup_remove) {
  return set_maintenance_mode(p, spec->name, MAINTENANCE_CGROUP_REMOVE, args[0], err);
}

#define FS_OP(name, nargs, args_help, help, type)                                                  \
  { name, nargs, args_help, help, handle_fs_op, type, 0 }
#define OPTION(name, nargs, args_help, help, handler)                                              \
  { name, nargs, args_help, help, handler, -1, 0 }
#define OPTION_F(name, nargs, args_help, help, handler, flags)                                     \
  { name, nargs, args_help, help, handler, -1, flags }

static const struct option_spec options[] = {
    OPTION("--share-net", 0, "", "keep the host network (default: own netns, only lo)",
           handle_share_net),
    OPTION("--hostname", 1, "NAME", "hostname inside (default: cubicle)", handle_hostname),
    OPTION_F("--uid-map", 1, "auto|single",
             "auto (default): also map the /etc/subuid range\n"
             "(newuidmap); single: only the invoking user, as root",
             handle_uid_map, OPT_HOLDER),
    OPTION("--userns", 1, "PATH",
           "join this user namespace (/proc/PID/ns/user of a\n"
           "--hold-userns holder) instead of making one; no maps",
           handle_userns),
    OPTION("--join", 1, "PID",
           "run COMMAND in the namespaces of the running sandbox that\n"
           "host PID is a process of (like docker exec): no new filesystem,\n"
           "cgroup or network; the job's environment, chdir, --user,\n"
           "capabilities, seccomp and --timeout-ms apply",
           handle_join),
    OPTION_F("--hold-userns", 0, "",
             "(no COMMAND; --uid-map applies) make a mapped user\n"
             "namespace, print its holder's pid, keep it until\n"
             "stdin's EOF or this process's parent dies",
             handle_hold_userns, OPT_HOLDER),
    OPTION_F("--hold-netns", 0, "",
             "with --hold-userns: the holder also keeps a network\n"
             "namespace (lo up) that sandboxes join with --netns",
             handle_hold_netns, OPT_HOLDER),
    OPTION("--netns", 1, "PATH",
           "join this network namespace (/proc/PID/ns/net of a\n"
           "--hold-netns holder; with its --userns) instead of a\n"
           "new one: a job and its services share loopback",
           handle_netns),
    OPTION("--user", 1, "UID[:GID]",
           "run COMMAND as these ids inside (default 0:0); they\n"
           "must be mapped (a subuid range, or root)",
           handle_user),
    FS_OP("--overlay", 4, "LOWER[:LOWER...] UPPER WORK DEST",
          "writable overlay, leftmost LOWER on top ('\\:' is ':')", OP_OVERLAY),
    FS_OP("--ro-overlay", 2, "LOWER[:LOWER...] DEST", "read-only overlay", OP_RO_OVERLAY),
    FS_OP("--bind", 2, "SRC DEST", "recursive bind (nodev)", OP_BIND),
    FS_OP("--ro-bind", 2, "SRC DEST", "recursive read-only bind (nosuid, nodev)", OP_RO_BIND),
    FS_OP("--dev-bind", 2, "SRC DEST", "recursive bind, devices allowed", OP_DEV_BIND),
    OPTION("--size", 1, "BYTES", "size of the next --tmpfs (k/m/g suffix allowed)", handle_size),
    OPTION("--perms", 1, "OCTAL", "mode of the next --tmpfs or --dir", handle_perms),
    FS_OP("--tmpfs", 1, "DEST", "new tmpfs (mode 0755 unless --perms)", OP_TMPFS),
    FS_OP("--dir", 1, "DEST", "create a directory (mode 0755 unless --perms)", OP_DIR),
    FS_OP("--symlink", 2, "TARGET DEST", "create a symlink", OP_SYMLINK),
    FS_OP("--remount-ro", 1, "DEST", "make the mount at DEST read-only", OP_REMOUNT_RO),
    FS_OP("--proc", 1, "DEST",
          "fresh proc (DEST must not be a symlink); sys, irq,\n"
          "bus, fs read-only; kcore, keys, timer_list, acpi,\n"
          "kpageflags, ... masked by empty read-only mounts",
          OP_PROC),
    FS_OP("--dev", 1, "DEST", "minimal /dev on a tmpfs, with devpts and shm", OP_DEV),
    OPTION("--chdir", 1, "DIR", "working directory inside (default: /)", handle_chdir),
    OPTION("--setenv", 2, "VAR VALUE", "set an environment variable", handle_setenv_or_unsetenv),
    OPTION("--unsetenv", 1, "VAR", "unset an environment variable", handle_setenv_or_unsetenv),
    OPTION("--clearenv", 0, "", "start from an empty environment", handle_clearenv),
    OPTION("--status-fd", 1, "FD", "write one line of JSON there at the end", handle_status_fd),
    OPTION("--timeout-ms", 1, "N", "SIGKILL everything after N ms (0: no limit)",
           handle_timeout_ms),
    OPTION("--no-new-session", 0, "", "do not setsid the job (interactive use)",
           handle_no_new_session),
    OPTION("--volatile-upper", 0, "",
           "writable overlays skip syncing their upper dirs (overlayfs `volatile`):\n"
           "for uppers removed after the run, never for ones kept as layers",
           handle_volatile_upper),
    OPTION("--keep-caps", 0, "",
           "keep capabilities in the sandbox's user namespace\n"
           "(none on the host); maintenance commands only",
           handle_keep_caps),
    OPTION("--build-caps", 0, "",
           "Docker's default capability set (chown, setuid, ...),\n"
           "as a Dockerfile RUN gets; the rest dropped",
           handle_build_caps),
    OPTION("--seccomp", 1, "default|unconfined",
           "default: deny keyrings, bpf, perf, modules, mount,\n"
           "new user namespaces, TIOCSTI, ... with EPERM;\n"
           "installed last before exec, --keep-caps included",
           handle_seccomp),
    OPTION("--disk-tmpfs", 1, "BYTES",
           "a tmpfs of BYTES (k/m/g) holding the upper and work\n"
           "dirs of every following --overlay; charged to the\n"
           "memory cgroup, so --memory-max should be larger",
           handle_disk_tmpfs),
    OPTION("--keep-upper", 2, "DEST GLOB",
           "after the job, copy the regular files of the on-disk\n"
           "overlay at DEST matching GLOB (*, ?, [..], **) to\n"
           "its UPPER; symlinks never followed (repeatable)",
           handle_keep_upper),
    OPTION("--cgroup", 1, "DIR",
           "create cgroup DIR (must not exist) and run the\n"
           "sandbox in it; v2: one DIR, v1: one per hierarchy\n"
           "(memory, cpu, cpuacct, pids); removed at the end",
           handle_cgroup),
    OPTION("--memory-max", 1, "BYTES", "memory limit, swap off (k/m/g suffix allowed)",
           handle_memory_max),
    OPTION("--cpus", 1, "N", "CPU limit: N CPUs' time per 100 ms (0.5, 1.5, ...)", handle_cpus),
    OPTION("--pids-max", 1, "N", "at most N processes and threads", handle_pids_max),
    OPTION_F("--cgroup-prepare", 1, "ROOT",
             "(v2; with --move, no COMMAND) move PID into\n"
             "ROOT/runner, enable memory, cpu, pids, io in ROOT",
             handle_cgroup_prepare, OPT_MAINTENANCE),
    OPTION_F("--move", 1, "PID", "a process --cgroup-prepare moves (repeatable)", handle_move,
             OPT_MAINTENANCE),
    OPTION_F("--cgroup-delegate", 1, "DIR",
             "(with --owner, no COMMAND) create DIR and parents,\n"
             "enable controllers down to it, chown it to UID:GID",
             handle_cgroup_delegate, OPT_MAINTENANCE),
    OPTION_F("--owner", 1, "UID:GID", "the owner --cgroup-delegate gives DIR", handle_owner,
             OPT_MAINTENANCE),
    OPTION_F("--cgroup-remove", 1, "DIR",
             "(no COMMAND) remove DIR and its child cgroups,\n"
             "refused while any has processes; none: success",
             handle_cgroup_remove, OPT_MAINTENANCE),
    OPTION("--help", 0, "", "show this help", handle_help),
    OPTION("--version", 0, "", "show the version", handle_version),
};

void print_usage(FILE *out) {
  fprintf(out, "usage: " SANDBOX_NAME " [OPTION...] -- COMMAND [ARG...]\n"
               "       " SANDBOX_NAME " --cgroup-prepare ROOT --move PID\n"
               "       " SANDBOX_NAME " --cgroup-delegate DIR --owner UID:GID\n"
               "       " SANDBOX_NAME " --cgroup-remove DIR\n"
               "       " SANDBOX_NAME " --hold-userns [--uid-map auto|single]\n"
               "\n"
               "Runs COMMAND as PID 1's child in new user, mount, pid, uts, ipc, cgroup\n"
               "and (unless --share-net) net namespaces, on a root built from the\n"
               "filesystem options below, executed in the order given. DEST is a path\n"
               "inside the sandbox, its symlinks resolved there as in a chroot; SRC,\n"
               "LOWER, UPPER and WORK are host paths.\n"
               "\n");
  for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
    const struct option_spec *o = &options[i];
    char left[64];
    snprintf(left, sizeof left, "%s%s%s", o->name, o->args_help[0] ? " " : "", o->args_help);
    const char *help = o->help;
    if (strlen(left) > 24)
      fprintf(out, "  %s\n  %-24s ", left, "");
    else
      fprintf(out, "  %-24s ", left);
    for (const char *nl; (nl = strchr(help, '\n')) != NULL; help = nl + 1)
      fprintf(out, "%.*s\n  %-24s ", (int)(nl - help), help, "");
    fprintf(out, "%s\n", help);
  }
  fprintf(out, "\n"
               "Exit status: the job's; 128+N when a signal killed it; 125 sandbox or\n"
               "usage error; 126 COMMAND not executable; 127 COMMAND not found.\n"
               "Status JSON (--status-fd): exitCode, signal, wallMs, startupMs,\n"
               "cpuUserMs, cpuSystemMs, peakRssBytes, timedOut, oomKilled, cgroup,\n"
               "seccomp, disk, error.\n"
               "Maintenance modes exit 0, or 125 with a message.\n");
}

static const struct option_spec *find_option(const char *name) {
  for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
    if (strcmp(options[i].name, name) == 0)
      return &options[i];
  return NULL;
}

/* A maintenance mode is one operation: its own options and nothing else. */
static int finish_maintenance(const struct parser *p, bool has_command, enum parse_result *result,
                              struct cub_error *err) {
  const struct maintenance_request *m = &p->config->maintenance;
  if (m->mode == MAINTENANCE_NONE)
    return usage_error(err, "%s needs %s", m->has_move ? "--move" : "--owner",
                       m->has_move ? "--cgroup-prepare ROOT" : "--cgroup-delegate DIR");
  if (p->sandbox_option != NULL)
    return usage_error(err, "%s cannot be combined with %s", m->option, p->sandbox_option);
  if (has_command)
    return usage_error(err, "%s takes no COMMAND", m->option);
  if (m->mode == MAINTENANCE_CGROUP_PREPARE && !m->has_move)
    return usage_error(err, "%s", "--cgroup-prepare ROOT needs --move PID");
  if (m->mode == MAINTENANCE_CGROUP_DELEGATE && !m->has_owner)
    return usage_error(err, "%s", "--cgroup-delegate DIR needs --owner UID:GID");
  if (m->has_move && m->mode != MAINTENANCE_CGROUP_PREPARE)
    return usage_error(err, "--move goes with --cgroup-prepare, not %s", m->option);
  if (m->has_owner && m->mode != MAINTENANCE_CGROUP_DELEGATE)
    return usage_error(err, "--owner goes with --cgroup-delegate, not %s", m->option);
  *result = PARSE_MAINTENANCE;
  return 0;
}

int parse_args(int argc, char **argv, struct sandbox_config *config, enum parse_result *result,
               struct cub_error *err) {
  *config = (struct sandbox_config){
      .hostname = "cubicle",
      .chdir_path = "/",
      .new_session = true,
      .uid_map = UID_MAP_AUTO,
      .status_fd = -1,
  };
  const char *legacy = getenv("CUBICLE_SANDBOX_LEGACY_OVERLAY");
  config->legacy_overlay = legacy != NULL && strcmp(legacy, "1") == 0;
  legacy = getenv("CUBICLE_SANDBOX_LEGACY_CGROUP");
  config->legacy_cgroup = legacy != NULL && strcmp(legacy, "1") == 0;
  legacy = getenv("CUBICLE_SANDBOX_LEGACY_MOUNT");
  config->legacy_mount = legacy != NULL && strcmp(legacy, "1") == 0;
  config->ops = calloc((size_t)argc + 1, sizeof *config->ops);
  config->keep_rules = calloc((size_t)argc + 1, sizeof *config->keep_rules);
  config->env_ops = calloc((size_t)argc + 1, sizeof *config->env_ops);
  config->cgroup.dirs = calloc((size_t)argc + 1, sizeof *config->cgroup.dirs);
  if (config->ops == NULL || config->env_ops == NULL || config->cgroup.dirs == NULL ||
      config->keep_rules == NULL)
    return make_error(err, errno, "calloc");

  struct parser p = {.config = config, .result = PARSE_RUN};
  int i = 1;
  while (i < argc) {
    const char *arg = argv[i];
    if (strcmp(arg, "--") == 0) {
      i++;
      break;
    }
    if (arg[0] != '-')
      break;
    const struct option_spec *spec = find_option(arg);
    if (spec == NULL)
      return usage_error(err, "unknown option `%s` (see --help)", arg);
    if (argc - i - 1 < spec->nargs)
      return usage_error(err, "%s: missing argument (see --help)", arg);
    if (!(spec->flags & OPT_MAINTENANCE) && p.sandbox_option == NULL)
      p.sandbox_option = spec->name;
    if (!(spec->flags & OPT_HOLDER) && p.not_for_holder == NULL)
      p.not_for_holder = spec->name;
    if (spec->handle(&p, spec, argv + i + 1, err) < 0) {
      set_error_stage(err, "args");
      return -1;
    }
    i += 1 + spec->nargs;
    if (p.result != PARSE_RUN) {
      *result = p.result;
      return 0;
    }
  }
  const struct maintenance_request *m = &config->maintenance;
  if (m->mode != MAINTENANCE_NONE || m->has_move || m->has_owner)
    return finish_maintenance(&p, i < argc, result, err);
  if (p.hold_userns) {
    if (p.not_for_holder != NULL)
      return usage_error(err, "--hold-userns cannot be combined with %s", p.not_for_holder);
    if (i < argc)
      return usage_error(err, "%s", "--hold-userns takes no COMMAND");
    *result = PARSE_HOLD_USERNS;
    return 0;
  }
  if (config->hold_netns)
    return usage_error(err, "%s", "--hold-netns needs --hold-userns");
  if (config->join_pid != 0 &&
      (config->n_ops > 0 || config->cgroup.n_dirs > 0 || config->netns_path != NULL ||
       config->share_net || config->disk_bytes > 0))
    return usage_error(err, "%s",
                       "--join runs in an existing sandbox: it takes no filesystem, "
                       "--cgroup, --netns, --share-net or --disk-tmpfs");
  if (config->netns_path != NULL && config->userns_path == NULL)
    return usage_error(err, "%s",
                       "--netns needs --userns: a network namespace can only be "
                       "joined from the user namespace that owns it");
  if (config->netns_path != NULL && config->share_net)
    return usage_error(err, "%s", "--netns and --share-net: choose one network");
  if (config->userns_path != NULL && p.has_uid_map)
    return usage_error(err, "%s",
                       "--userns and --uid-map: a joined namespace is already "
                       "mapped (by its holder's --uid-map)");
  if (p.pending_option != NULL)
    return usage_error(err, "%s must be followed by --tmpfs or --dir", p.pending_option);
  const struct cgroup_request *c = &config->cgroup;
  if (c->n_dirs == 0 && (c->has_memory_max || c->has_cpus || c->has_pids_max))
    return usage_error(err, "%s needs --cgroup DIR: a cgroup to enforce it in",
                       c->has_memory_max ? "--memory-max"
                       : c->has_cpus     ? "--cpus"
                                         : "--pids-max");
  if (match_keep_rules(config, err) < 0)
    return -1;
  if (i >= argc)
    return usage_error(err, "%s",
                       "missing COMMAND (usage: " SANDBOX_NAME " [OPTION...] -- COMMAND [ARG...])");
  config->command = argv + i;
  *result = PARSE_RUN;
  return 0;
}
