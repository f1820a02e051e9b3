/* uid/gid maps of the new user namespace, written by the outer process. */
#include "sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

struct subid_range {
  unsigned long start;
  unsigned long count;
};

/* First line of /etc/subuid or /etc/subgid naming the user or its uid. */
static bool find_subid_range(const char *path, const char *user, uid_t uid,
                             struct subid_range *range) {
  FILE *file = fopen(path, "re");
  if (file == NULL)
    return false;
  char uid_text[16];
  snprintf(uid_text, sizeof uid_text, "%u", (unsigned)uid);
  cleanup_free char *line = NULL;
  size_t cap = 0;
  bool found = false;
  while (!found && getline(&line, &cap, file) > 0) {
    char *owner = line;
    char *colon = strchr(line, ':');
    if (colon == NULL)
      continue;
    *colon = '\0';
    if (strcmp(owner, uid_text) != 0 && (user == NULL || strcmp(owner, user) != 0))
      continue;
    char *end;
    range->start = strtoul(colon + 1, &end, 10);
    if (*end != ':')
      continue;
    range->count = strtoul(end + 1, &end, 10);
    found = range->count > 0;
  }
  fclose(file);
  return found;
}

/*
 * The user's name from /etc/passwd, read here rather than through getpwuid(): the helpers ship as
 * static binaries, and a static glibc's getpwuid needs the NSS modules of the glibc it was linked
 * against at run time. A user known only to NSS (LDAP) is still matched in /etc/subuid by uid.
 */
static bool passwd_name(uid_t uid, char *name, size_t len) {
  FILE *file = fopen("/etc/passwd", "re");
  if (file == NULL)
    return false;
  cleanup_free char *line = NULL;
  size_t cap = 0;
  bool found = false;
  while (!found && getline(&line, &cap, file) > 0) {
    char *first = strchr(line, ':');
    char *second = first != NULL ? strchr(first + 1, ':') : NULL;
    if (second == NULL)
      continue;
    char *end;
    unsigned long entry = strtoul(second + 1, &end, 10);
    if (end == second + 1 || *end != ':' || entry != (unsigned long)uid)
      continue;
    *first = '\0';
    found = (size_t)(first - line) < len && first != line;
    if (found)
      memcpy(name, line, (size_t)(first - line) + 1);
  }
  fclose(file);
  return found;
}

static const char *find_tool(const char *name, char *buf, size_t len) {
  static const char *const dirs[] = {"/usr/bin", "/bin"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(buf, len, "%s/%s", dirs[i], name);
    if (access(buf, X_OK) == 0)
      return buf;
  }
  return NULL;
}

struct map_tool {
  const char *path;
  char args[5][24];
  pid_t pid;
  int stderr_fd;
};

static int spawn_map_tool(struct map_tool *tool, pid_t child, unsigned id,
                          const struct subid_range *range, struct cub_error *err) {
  snprintf(tool->args[0], sizeof tool->args[0], "%d", (int)child);
  snprintf(tool->args[2], sizeof tool->args[2], "%u", id);
  snprintf(tool->args[3], sizeof tool->args[3], "%lu", range->start);
  snprintf(tool->args[4], sizeof tool->args[4], "%lu", range->count);
  char *argv[] = {(char *)tool->path, tool->args[0], "0", tool->args[2], "1", "1",
                  tool->args[3],      tool->args[4], NULL};
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0)
    return make_error(err, errno, "pipe2");
  /* fork, not posix_spawn: its vfork waits for each setuid exec, and the two
   * tools should start side by side. */
  tool->pid = fork();
  if (tool->pid == 0) {
    /* Its stderr is captured so a failure names the tool's own reason. */
    dup2(fds[1], STDERR_FILENO);
    /* Not our blocked signals: those are for forwarding to the sandbox. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(tool->path, argv, environ);
    dprintf(STDERR_FILENO, "exec: %s", strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  if (tool->pid < 0) {
    close(fds[0]);
    return make_error(err, errno, "fork for `%s`", tool->path);
  }
  tool->stderr_fd = fds[0];
  return 0;
}

static int finish_map_tool(struct map_tool *tool, pid_t child, unsigned id, struct cub_error *err) {
  cleanup_close int fd = tool->stderr_fd;
  int status;
  if (TEMP_FAILURE_RETRY(waitpid(tool->pid, &status, 0)) < 0)
    return make_error(err, errno, "wait for `%s`", tool->path);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  char output[512];
  size_t got = 0;
  read_all(fd, output, sizeof output - 1, &got);
  while (got > 0 && (output[got - 1] == '\n' || output[got - 1] == ' '))
    got--;
  output[got] = '\0';
  for (char *c = output; *c; c++)
    if (*c == '\n')
      *c = ' ';
  return make_error(err, 0,
                    "%s %d 0 %u 1 1 %s %s failed (%s %d)%s%s; check /etc/subuid and "
                    "/etc/subgid, or pass --uid-map single to map only your own id",
                    tool->path, (int)child, id, tool->args[3], tool->args[4],
                    WIFEXITED(status) ? "exit status" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), got ? ": " : "",
                    output);
}

/* newuidmap and newgidmap run side by side: each is a setuid exec of ~1 ms. */
static int map_subid_ranges(pid_t child, const char *uidmap_path, const char *gidmap_path,
                            const struct subid_range *uids, const struct subid_range *gids,
                            struct cub_error *err) {
  struct map_tool uid_tool = {.path = uidmap_path, .pid = -1, .stderr_fd = -1};
  struct map_tool gid_tool = {.path = gidmap_path, .pid = -1, .stderr_fd = -1};
  int ret = spawn_map_tool(&uid_tool, child, (unsigned)getuid(), uids, err);
  if (ret == 0)
    ret = spawn_map_tool(&gid_tool, child, (unsigned)getgid(), gids, err);
  struct cub_error gid_err = {0};
  int uid_ret = uid_tool.pid > 0 ? finish_map_tool(&uid_tool, child, (unsigned)getuid(), err) : 0;
  int gid_ret =
      gid_tool.pid > 0 ? finish_map_tool(&gid_tool, child, (unsigned)getgid(), &gid_err) : 0;
  if (ret < 0 || uid_ret < 0)
    return -1;
  if (gid_ret < 0) {
    *err = gid_err;
    return -1;
  }
  return 0;
}

static int write_proc_file(pid_t child, const char *name, const char *content,
                           struct cub_error *err) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)child, name);
  return write_file(path, content, err);
}

/* Real root maps every id to itself, so overlay can copy up files of any owner. */
static int map_identity(pid_t child, const char *name, struct cub_error *err) {
  if (write_proc_file(child, name, "0 0 4294967295\n", err) == 0)
    return 0;
  /* Nested in a user namespace that does not map everything: mirror what we have. */
  char own_path[32];
  snprintf(own_path, sizeof own_path, "/proc/self/%s", name);
  FILE *own = fopen(own_path, "re");
  if (own == NULL)
    return -1;
  char map[4096] = "";
  size_t used = 0;
  unsigned long first, outside, count;
  while (fscanf(own, "%lu %lu %lu", &first, &outside, &count) == 3 && used < sizeof map - 64)
    used += (size_t)snprintf(map + used, sizeof map - used, "%lu %lu %lu\n", first, first, count);
  fclose(own);
  struct cub_error retry_err = {0};
  if (used == 0 || write_proc_file(child, name, map, &retry_err) < 0)
    return -1;
  return 0;
}

int write_id_maps(pid_t child, enum uid_map_mode mode, struct cub_error *err) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  if (uid == 0) {
    if (map_identity(child, "uid_map", err) < 0 || map_identity(child, "gid_map", err) < 0)
      return -1;
    return 0;
  }
  if (mode == UID_MAP_AUTO) {
    char uidmap_buf[32], gidmap_buf[32];
    const char *uidmap_path = find_tool("newuidmap", uidmap_buf, sizeof uidmap_buf);
    const char *gidmap_path = find_tool("newgidmap", gidmap_buf, sizeof gidmap_buf);
    if (uidmap_path != NULL && gidmap_path != NULL) {
      char name[256];
      const char *user = passwd_name(uid, name, sizeof name) ? name : NULL;
      struct subid_range uids, gids;
      if (find_subid_range("/etc/subuid", user, uid, &uids) &&
          find_subid_range("/etc/subgid", user, uid, &gids))
        return map_subid_ranges(child, uidmap_path, gidmap_path, &uids, &gids, err);
    }
  }
  /* setgroups must be denied before an unprivileged gid_map write (Linux 3.19). */
  char map[48];
  if (write_proc_file(child, "setgroups", "deny", err) < 0)
    return -1;
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
  if (write_proc_file(child, "uid_map", map, err) < 0)
    return -1;
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
  return write_proc_file(child, "gid_map", map, err);
}
