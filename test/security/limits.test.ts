// Adversarial jobs against their cgroup limits: escaping the job cgroup, raising its own limits,
// a fork bomb, memory bombs in anonymous memory and in tmpfs. They need job cgroups: where this
// host gives none to this user they are skipped, out loud (under CI=true, as root, they run).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { removeProjects } from '../helpers/project.js';
import { cgroupState, runAttempt, WHO, type Attempt } from './harness.js';

afterAll(removeProjects);

const cgroups = await cgroupState();
const skip = !cgroups.ok && !(process.env.CI === 'true' && IS_ROOT);
if (skip)
  console.warn(
    `skipped: the cgroup-limit attempts need job cgroups, which this host does not give ${os.userInfo().username}: ${cgroups.fix ?? 'see cubicle doctor'}`,
  );

/** Allocates and touches MiB megabytes in 1 MiB steps; reaching the end is the breach. */
const TOUCH = String.raw`
static void touch_mib(int mib) {
  for (int i = 0; i < mib; i++) {
    char *block = malloc(1 << 20);
    if (!block) { HELD("malloc refused at %d MiB", i); return; }
    memset(block, i + 1, 1 << 20);
  }
}`;

const attempts: Attempt[] = [
  {
    name: "escapes its cgroup: writes its pid to a parent's cgroup.procs, mounts cgroupfs, unshares a cgroup namespace",
    job: { pids: 64, memory: '256m' },
    c: String.raw`
#include <libgen.h>
#include <sys/statfs.h>
#include <linux/magic.h>
int main(void) {
  const char *files[] = {"/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/pids/tasks", "/sys/fs/cgroup/memory/cgroup.procs", "/sys/fs/cgroup/unified/cgroup.procs", "/sys/fs/cgroup/systemd/cgroup.procs"};
  char pid[16];
  snprintf(pid, sizeof pid, "%d", getpid());
  for (unsigned i = 0; i < sizeof files / sizeof *files; i++) {
    char dir[128], what[160];
    strcpy(dir, files[i]);
    struct statfs fs;
    snprintf(what, sizeof what, "write its pid to %s", files[i]);
    if (statfs(dirname(dir), &fs) == 0 && (fs.f_type == CGROUP2_SUPER_MAGIC || fs.f_type == CGROUP_SUPER_MAGIC)) {
      int fd = open(files[i], O_WRONLY);
      REFUSED(what, fd < 0 ? -1 : write(fd, pid, strlen(pid)), 0);
    } else {
      HELD("%s: no cgroup filesystem there", files[i]);
    }
  }
  mkdir("/tmp/cg", 0755);
  REFUSED("mount cgroup2", mount("none", "/tmp/cg", "cgroup2", 0, NULL), EPERM);
  REFUSED("mount the v1 pids hierarchy", mount("cgroup", "/tmp/cg", "cgroup", 0, "pids"), EPERM);
  REFUSED("unshare a cgroup namespace", unshare(CLONE_NEWCGROUP), EPERM);
  char own[512];
  read_text("/proc/self/cgroup", own, sizeof own);
  for (char *line = strtok(own, "\n"); line; line = strtok(NULL, "\n")) {
    if (line[strlen(line) - 1] != '/' || line[strlen(line) - 2] != ':') BREACH("its cgroup is no longer its namespace's root: %s", line);
  }
  HELD("still at the root of its cgroup namespace");
  int started = 0;
  for (int i = 0; i < 100; i++) {
    pid_t child = fork();
    if (child == 0) { pause(); _exit(0); }
    if (child < 0) break;
    started++;
  }
  if (started >= 64) BREACH("forked %d processes under pids: 64", started);
  else HELD("the pids limit still holds: %d of 100 forks", started);
  FINISH();
}`,
  },
  {
    name: 'raises its own memory limit (memory.max, memory.limit_in_bytes), then allocates 256 MiB under memory: 64m',
    job: { memory: '64m', timeout: '60s' },
    c: String.raw`${TOUCH}
int main(void) {
  const char *files[] = {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.swap.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", "/proc/self/root/sys/fs/cgroup/memory.max"};
  for (unsigned i = 0; i < sizeof files / sizeof *files; i++) {
    char what[128];
    snprintf(what, sizeof what, "write max to %s", files[i]);
    int fd = open(files[i], O_WRONLY);
    REFUSED(what, fd < 0 ? -1 : write(fd, "max", 3), 0);
  }
  mkdir("/tmp/cg", 0755);
  REFUSED("mount the memory controller", mount("cgroup", "/tmp/cg", "cgroup", 0, "memory"), EPERM);
  printf("allocating 256 MiB\n");
  fflush(stdout);
  touch_mib(256);
  BREACH("allocated and touched 256 MiB under memory: 64m");
  FINISH();
}`,
    statuses: ['oom'],
    reports: false,
    verify: ({ job, lines }) => {
      expect(lines).toContain('allocating 256 MiB');
      expect(job.message).toContain('memory limit 64 MiB reached');
    },
  },
  {
    name: 'a fork bomb under pids: 64, detaching its children with setsid and ignoring SIGTERM',
    job: { pids: 64, timeout: '30s' },
    c: String.raw`
#include <time.h>
int main(void) {
  pid_t original = getpid();
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  time_t end = time(NULL) + 3;
  printf("forking\n");
  fflush(stdout);
  for (;;) {
    if (getpid() == original && time(NULL) >= end) break;
    pid_t child = fork();
    if (child == 0) setsid();
    else if (child < 0) usleep(1000);
  }
  printf("the bomb's parent is leaving after 3 s\n");
  fflush(stdout);
  return 0;
}`,
    statuses: ['passed', 'failed', 'signaled'],
    reports: false,
    verify: ({ job }) => {
      expect(job.pidsLimitHits as number).toBeGreaterThan(0);
      expect(job.message).toContain('the pids limit of 64 was reached');
      expect(job.wallMs).toBeLessThan(20_000);
    },
    host: () => expect(spawnSync('/bin/true').status, 'the host can still fork').toBe(0),
  },
  {
    name: 'a memory bomb under memory: 64m: four children touching 128 MiB each',
    job: { memory: '64m', timeout: '60s' },
    c: String.raw`${TOUCH}
int main(void) {
  for (int i = 0; i < 4; i++) if (fork() == 0) { touch_mib(128); BREACH("a child touched 128 MiB under memory: 64m"); _exit(0); }
  int status, killed = 0;
  while (wait(&status) > 0) if (WIFSIGNALED(status)) killed++;
  printf("%d of 4 children were killed\n", killed);
  return killed == 4 ? 0 : 1;
}`,
    statuses: ['oom'],
    reports: false,
    verify: ({ job, lines }) => {
      expect(job.message).toContain('memory limit 64 MiB reached');
      expect(lines).toContain('4 of 4 children were killed');
    },
  },
  {
    name: 'a tmpfs bomb under memory: 64m: 256 MiB written to /dev/shm and /tmp (RAM, not disk)',
    job: { memory: '64m', timeout: '60s' },
    sh: 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=256 2>&1 | tail -n 1\ndd if=/dev/zero of=/tmp/fill bs=1M count=256 2>&1 | tail -n 1\necho "held: in tmpfs: $(du -smc /dev/shm /tmp | tail -n 1 | cut -f1) MiB"\necho done',
    statuses: ['oom', 'failed'],
    reports: false,
    verify: ({ lines }) => {
      const held = lines.find((line) => line.startsWith('held: in tmpfs: '));
      if (held) expect(Number(held.replace(/\D+/g, ''))).toBeLessThanOrEqual(64);
    },
  },
];

describe.skipIf(skip)(`adversarial jobs against their limits (${WHO})`, () => {
  for (const attempt of attempts) it(attempt.name, async () => void (await runAttempt(attempt)), attempt.timeoutMs ?? 90_000);
});
