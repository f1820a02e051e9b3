/* The maintenance modes: the helper is the only part of cubicle that writes
 * cgroup files, so the runner asks it for these one-off cgroup operations.
 *
 *   --cgroup-prepare ROOT --move PID.. v2: the runner's own cgroup becomes a
 *                                      parent of job cgroups; the PIDs (the runner
 *                                      and what started it there) move to ROOT/runner
 *   --cgroup-delegate DIR --owner U:G  as root: a subtree for a user
 *   --cgroup-remove DIR                DIR and its empty children */
#include "sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

/* What cubicle enables for job cgroups; io only where the kernel offers it. */
static const char *const wanted_controllers[] = {"memory", "cpu", "pids", "io"};

static bool controller_required(const char *name) { return strcmp(name, "io") != 0; }

/* Is word one of the space-separated names in list (cgroup.controllers)? */
static bool word_listed(const char *list, const char *word) {
  size_t len = strlen(word);
  for (const char *at = list; (at = strstr(at, word)) != NULL; at += len) {
    bool starts = at == list || at[-1] == ' ';
    bool ends = at[len] == '\0' || at[len] == ' ' || at[len] == '\n';
    if (starts && ends)
      return true;
  }
  return false;
}

static bool procs_list_pid(int dir_fd, pid_t pid) {
  int fd = TEMP_FAILURE_RETRY(openat(dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC));
  if (fd < 0)
    return false;
  FILE *procs = fdopen(fd, "re");
  if (procs == NULL) {
    close(fd);
    return false;
  }
  int listed;
  bool found = false;
  while (!found && fscanf(procs, "%d", &listed) == 1)
    found = listed == pid;
  fclose(procs);
  return found;
}

static int open_cgroup_dir(int at_fd, const char *name, const char *path, struct cub_error *err) {
  int fd = TEMP_FAILURE_RETRY(openat(at_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd < 0)
    return make_error(err, errno, "open `%s`", path);
  return fd;
}

/* ---- --cgroup-prepare ROOT --move PID */

/* EBUSY from subtree_control: the no-internal-process rule; say who is left. */
static void explain_busy_root(int root_fd, const char *root, struct cub_error *err) {
  char procs[256];
  if (cgroup_read(root_fd, "cgroup.procs", procs, sizeof procs) < 0 || procs[0] == '\0')
    return;
  size_t end = strlen(procs);
  while (end > 0 && procs[end - 1] == '\n')
    procs[--end] = '\0';
  for (char *c = procs; *c; c++)
    if (*c == '\n')
      *c = ' ';
  size_t len = strlen(err->message);
  snprintf(err->message + len, sizeof err->message - len,
           " (processes still live in `%s`: %.120s; a cgroup with processes cannot enable "
           "controllers for its children: move them to `%s/runner` too)",
           root, procs, root);
}

static int cgroup_prepare(const struct maintenance_request *request, struct cub_error *err) {
  const char *root = request->dir;
  int version = cgroup_version_of(root, err);
  if (version < 0)
    return -1;
  if (version != 2)
    return make_error(err, 0,
                      "--cgroup-prepare: `%s` is on cgroup v1; this mode prepares a cgroup v2 "
                      "subtree (on v1, pass one --cgroup DIR per hierarchy instead)",
                      root);
  cleanup_close int root_fd = open_cgroup_dir(AT_FDCWD, root, root, err);
  if (root_fd < 0)
    return -1;
  char runner[PATH_MAX];
  snprintf(runner, sizeof runner, "%s/runner", root);
  if (mkdirat(root_fd, "runner", 0755) < 0 && errno != EEXIST)
    return make_error(err, errno, "mkdir `%s`", runner);
  cleanup_close int runner_fd = open_cgroup_dir(root_fd, "runner", runner, err);
  if (runner_fd < 0)
    return -1;
  char pid_text[24];
  for (size_t i = 0; i < request->n_move_pids; i++) {
    snprintf(pid_text, sizeof pid_text, "%d", (int)request->move_pids[i]);
    /* One that has exited meanwhile (ESRCH) is no longer in ROOT either. */
    if (cgroup_write(runner_fd, runner, "cgroup.procs", pid_text, err) < 0) {
      if (err->errnum != ESRCH)
        return -1;
      *err = (struct cub_error){0};
    }
  }
  /* The runner started this helper in ROOT; it must leave ROOT as well. */
  if (procs_list_pid(root_fd, getpid())) {
    snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
    if (cgroup_write(runner_fd, runner, "cgroup.procs", pid_text, err) < 0)
      return -1;
  }

  char available[512];
  if (cgroup_read(root_fd, "cgroup.controllers", available, sizeof available) < 0)
    return make_error(err, errno, "read `%s/cgroup.controllers`", root);
  /* One at a time: a single write fails whole when one name is refused. */
  for (size_t i = 0; i < sizeof wanted_controllers / sizeof wanted_controllers[0]; i++) {
    const char *name = wanted_controllers[i];
    if (!word_listed(available, name))
      continue;
    char value[16];
    snprintf(value, sizeof value, "+%s", name);
    if (cgroup_write(root_fd, root, "cgroup.subtree_control", value, err) == 0)
      continue;
    if (err->errnum == ENOENT || err->errnum == EINVAL || !controller_required(name)) {
      *err = (struct cub_error){0};
      continue;
    }
    if (err->errnum == EBUSY)
      explain_busy_root(root_fd, root, err);
    return -1;
  }
  return 0;
}

/* ---- --cgroup-delegate DIR --owner UID:GID */

/* Enables the wanted controllers the cgroup offers and has not enabled yet;
 * skipping enabled ones keeps a rerun from failing on a populated DIR. */
static int enable_controllers(const char *path, struct cub_error *err) {
  cleanup_close int fd = open_cgroup_dir(AT_FDCWD, path, path, err);
  if (fd < 0)
    return -1;
  char available[512], enabled[512];
  if (cgroup_read(fd, "cgroup.controllers", available, sizeof available) < 0)
    return make_error(err, errno, "read `%s/cgroup.controllers`", path);
  if (cgroup_read(fd, "cgroup.subtree_control", enabled, sizeof enabled) < 0)
    return make_error(err, errno, "read `%s/cgroup.subtree_control`", path);
  for (size_t i = 0; i < sizeof wanted_controllers / sizeof wanted_controllers[0]; i++) {
    const char *name = wanted_controllers[i];
    if (!word_listed(available, name) || word_listed(enabled, name))
      continue;
    char value[16];
    snprintf(value, sizeof value, "+%s", name);
    if (cgroup_write(fd, path, "cgroup.subtree_control", value, err) < 0) {
      if (!controller_required(name)) {
        *err = (struct cub_error){0};
        continue;
      }
      if (err->errnum == EBUSY)
        explain_busy_root(fd, path, err);
      return -1;
    }
  }
  return 0;
}

static int check_delegated(const char *dir, struct cub_error *err) {
  cleanup_close int fd = open_cgroup_dir(AT_FDCWD, dir, dir, err);
  if (fd < 0)
    return -1;
  char enabled[512];
  if (cgroup_read(fd, "cgroup.subtree_control", enabled, sizeof enabled) < 0)
    return make_error(err, errno, "read `%s/cgroup.subtree_control`", dir);
  for (size_t i = 0; i < sizeof wanted_controllers / sizeof wanted_controllers[0]; i++) {
    const char *name = wanted_controllers[i];
    if (controller_required(name) && !word_listed(enabled, name))
      return make_error(err, 0,
                        "--cgroup-delegate: the %s controller cannot be enabled in `%s`: an "
                        "existing ancestor does not pass it down (enable it in the "
                        "cgroup.subtree_control of the ancestors of `%s`, or delegate below "
                        "a cgroup that has it)",
                        name, dir, dir);
  }
  return 0;
}

static int chown_delegated(const char *dir, int version, uid_t uid, gid_t gid,
                           struct cub_error *err) {
  static const char *const v2_files[] = {"cgroup.procs", "cgroup.subtree_control", "cgroup.threads",
                                         NULL};
  static const char *const v1_files[] = {"cgroup.procs", "tasks", NULL};
  cleanup_close int fd = open_cgroup_dir(AT_FDCWD, dir, dir, err);
  if (fd < 0)
    return -1;
  if (fchown(fd, uid, gid) < 0)
    return make_error(err, errno, "chown `%s` to %u:%u", dir, (unsigned)uid, (unsigned)gid);
  for (const char *const *file = version == 2 ? v2_files : v1_files; *file; file++)
    if (fchownat(fd, *file, uid, gid, 0) < 0)
      return make_error(err, errno, "chown `%s/%s` to %u:%u", dir, *file, (unsigned)uid,
                        (unsigned)gid);
  return 0;
}

static int cgroup_delegate(const struct maintenance_request *request, struct cub_error *err) {
  char path[PATH_MAX];
  if (request->dir[0] != '/')
    return make_error(err, 0, "--cgroup-delegate: `%s` is not an absolute path", request->dir);
  if (snprintf(path, sizeof path, "%s", request->dir) >= (int)sizeof path)
    return make_error(err, ENAMETOOLONG, "--cgroup-delegate `%s`", request->dir);
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/')
    path[--len] = '\0';

  /* ends[i]: where the i-th ancestor's path ends; the last one is DIR. */
  size_t ends[PATH_MAX / 2], n_ends = 0;
  for (size_t i = 1; i < len; i++)
    if (path[i] == '/' && path[i - 1] != '/')
      ends[n_ends++] = i;
  ends[n_ends++] = len;
  size_t first_missing = n_ends;
  while (first_missing > 0) {
    char saved = path[ends[first_missing - 1]];
    path[ends[first_missing - 1]] = '\0';
    bool exists = access(path, F_OK) == 0;
    path[ends[first_missing - 1]] = saved;
    if (exists)
      break;
    first_missing--;
  }
  if (first_missing == 0)
    return make_error(err, 0, "--cgroup-delegate: no ancestor of `%s` exists", path);
  char base[PATH_MAX];
  snprintf(base, sizeof base, "%.*s", (int)ends[first_missing - 1], path);
  int version = cgroup_version_of(base, err);
  if (version < 0)
    return -1;

  for (size_t i = first_missing; i < n_ends; i++) {
    char saved = path[ends[i]];
    path[ends[i]] = '\0';
    int ret = mkdir(path, 0755);
    int saved_errno = errno;
    if (ret < 0 && saved_errno != EEXIST) {
      make_error(err, saved_errno, "mkdir `%s`", path);
      path[ends[i]] = saved;
      return -1;
    }
    path[ends[i]] = saved;
  }
  if (version == 2) {
    /* The first created cgroup down to DIR itself; an existing DIR: DIR only. */
    size_t from = first_missing < n_ends ? first_missing : n_ends - 1;
    for (size_t i = from; i < n_ends; i++) {
      char ancestor[PATH_MAX];
      snprintf(ancestor, sizeof ancestor, "%.*s", (int)ends[i], path);
      if (enable_controllers(ancestor, err) < 0)
        return -1;
    }
    if (check_delegated(path, err) < 0)
      return -1;
  }
  return chown_delegated(path, version, request->owner_uid, request->owner_gid, err);
}

/* ---- --cgroup-remove DIR */

/* v1 has no cgroup.events: look at every cgroup.procs below. */
static int find_populated_v1(int dir_fd, const char *path, char *found, size_t len) {
  if (cgroup_is_populated(dir_fd, 1)) {
    snprintf(found, len, "%s", path);
    return 1;
  }
  int list_fd = TEMP_FAILURE_RETRY(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR *dir = list_fd < 0 ? NULL : fdopendir(list_fd);
  if (dir == NULL) {
    if (list_fd >= 0)
      close(list_fd);
    return 0;
  }
  int result = 0;
  for (struct dirent *entry; result == 0 && (entry = readdir(dir)) != NULL;) {
    if (entry->d_type != DT_DIR || strcmp(entry->d_name, ".") == 0 ||
        strcmp(entry->d_name, "..") == 0)
      continue;
    cleanup_close int child_fd =
        TEMP_FAILURE_RETRY(openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (child_fd < 0)
      continue;
    char child[PATH_MAX];
    snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
    result = find_populated_v1(child_fd, child, found, len);
  }
  closedir(dir);
  return result;
}

/* Depth first: a cgroup with children cannot be removed. */
static int remove_children(int dir_fd, const char *path, struct cub_error *err) {
  int list_fd = TEMP_FAILURE_RETRY(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (list_fd < 0)
    return make_error(err, errno, "open `%s`", path);
  DIR *dir = fdopendir(list_fd);
  if (dir == NULL) {
    close(list_fd);
    return make_error(err, errno, "opendir `%s`", path);
  }
  int ret = 0;
  for (struct dirent *entry; ret == 0 && (entry = readdir(dir)) != NULL;) {
    if (entry->d_type != DT_DIR || strcmp(entry->d_name, ".") == 0 ||
        strcmp(entry->d_name, "..") == 0)
      continue;
    char child[PATH_MAX];
    snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
    cleanup_close int child_fd =
        TEMP_FAILURE_RETRY(openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (child_fd < 0) {
      if (errno == ENOENT)
        continue;
      ret = make_error(err, errno, "open `%s`", child);
      break;
    }
    ret = remove_children(child_fd, child, err);
    if (ret == 0)
      ret = rmdir_retrying(dir_fd, entry->d_name, child, err);
  }
  closedir(dir);
  return ret;
}

static int cgroup_remove(const struct maintenance_request *request, struct cub_error *err) {
  const char *path = request->dir;
  cleanup_close int fd = TEMP_FAILURE_RETRY(open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0)
    return make_error(err, errno, "open `%s`", path);
  int version = cgroup_version_of(path, err);
  if (version < 0)
    return -1;
  char populated[PATH_MAX];
  if (version == 2 && cgroup_is_populated(fd, 2))
    return make_error(err, 0,
                      "--cgroup-remove: processes still live in `%s` or a cgroup "
                      "below it; nothing was removed",
                      path);
  if (version == 1 && find_populated_v1(fd, path, populated, sizeof populated) == 1)
    return make_error(err, 0,
                      "--cgroup-remove: processes still live in `%s`; nothing was "
                      "removed",
                      populated);
  if (remove_children(fd, path, err) < 0)
    return -1;
  return rmdir_retrying(AT_FDCWD, path, path, err);
}

int run_maintenance(const struct maintenance_request *request, struct cub_error *err) {
  switch (request->mode) {
  case MAINTENANCE_CGROUP_PREPARE:
    return cgroup_prepare(request, err);
  case MAINTENANCE_CGROUP_DELEGATE:
    return cgroup_delegate(request, err);
  case MAINTENANCE_CGROUP_REMOVE:
    return cgroup_remove(request, err);
  default:
    return make_error(err, 0, "no maintenance mode given");
  }
}
