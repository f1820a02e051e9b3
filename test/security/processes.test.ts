// Adversarial jobs against processes: the runner's environment and fds, host processes, PID 1
// of the sandbox (the helper: its binary, root, fds, memory), setuid binaries, and jobs that
// refuse to end. Each row is one attempt (harness.ts).
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { removeProjects } from '../helpers/project.js';
import { compileC, runAttempt, WHO, type Attempt, type RunnerResult, type Scene } from './harness.js';

afterAll(removeProjects);

/** A host process for the job to attack, tagged so that it is not the attempt's own marker. */
function startVictim(scene: Scene): ChildProcess {
  const victim = spawn('/bin/sh', ['-c', `sleep 300; : victim-of-${scene.marker.replace('cubsec-', '')}`], { stdio: 'ignore', detached: true });
  scene.cleanups.push(() => void victim.kill('SIGKILL'));
  return victim;
}

/** The state letter of a live process (S, R, ...), or null when it is gone or a zombie. */
function liveState(pid: number): string | null {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0]!;
    return state === 'Z' || state === 'X' ? null : state;
  } catch {
    return null;
  }
}

/** Reports whether the process it runs as holds any privilege: for the setuid attempts. */
const SETUID_PROBE = String.raw`
int main(void) {
  uid_t ruid, euid, suid;
  getresuid(&ruid, &euid, &suid);
  char status[4096];
  read_text("/proc/self/status", status, sizeof status);
  const char *eff = strstr(status, "CapEff:"), *prm = strstr(status, "CapPrm:");
  unsigned long long capEff = eff ? strtoull(eff + 7, NULL, 16) : ~0ULL, capPrm = prm ? strtoull(prm + 7, NULL, 16) : ~0ULL;
  if (euid != ruid || suid != ruid) BREACH("setuid took effect: ruid %d euid %d suid %d", ruid, euid, suid);
  else HELD("setuid ignored: ruid = euid = suid = %d", ruid);
  if (capEff || capPrm) BREACH("capabilities gained: CapEff %llx CapPrm %llx", capEff, capPrm);
  else HELD("no capabilities after the setuid exec");
  REFUSED("setuid(0) then mount", mount("none", "/tmp", "tmpfs", 0, NULL), 0);
  FINISH();
}`;

const attempts: Attempt[] = [
  {
    name: "reads the runner's environment (SECRET_TOKEN, GITHUB_TOKEN) from its own and every other process's environ",
    sh: `for file in /proc/self/environ /proc/1/environ /proc/[0-9]*/environ /proc/1/cmdline; do
  if tr '\\0' '\\n' < "$file" 2>/dev/null | grep -E '^(SECRET_TOKEN|GITHUB_TOKEN)='; then breach "$file has the runner's secrets"; else held "no runner secret in $file"; fi
done
env | sort
echo done`,
  },
  {
    name: 'kills, ptraces, renices and reads the memory of a host process by its pid (and of the runner)',
    prepare: (scene) => {
      const victim = startVictim(scene);
      scene.env.VICTIM = String(victim.pid);
      scene.env.RUNNER = String(process.pid);
      scene.cleanups.push(() => {
        // Checked after the run, before the victim is killed by the cleanup registered first.
        expect(liveState(victim.pid!), 'the host process was killed or stopped').toMatch(/^[SR]$/);
      });
    },
    c: String.raw`
#include <sys/resource.h>
#include <sys/uio.h>
int main(void) {
  pid_t pids[] = {atoi(env_or("VICTIM", "0")), atoi(env_or("RUNNER", "0"))};
  for (int i = 0; i < 2; i++) {
    pid_t pid = pids[i];
    char what[128], buffer[16];
    struct iovec local = {buffer, sizeof buffer}, remote = {(void *)0x400000, sizeof buffer};
    snprintf(what, sizeof what, "kill -9 host pid %d", pid); REFUSED(what, kill(pid, SIGKILL), 0);
    snprintf(what, sizeof what, "kill -STOP host pid %d", pid); REFUSED(what, kill(pid, SIGSTOP), 0);
    snprintf(what, sizeof what, "kill -9 process group %d", pid); REFUSED(what, kill(-pid, SIGKILL), 0);
    snprintf(what, sizeof what, "ptrace attach host pid %d", pid); REFUSED(what, ptrace(PTRACE_ATTACH, pid, 0, 0), 0);
    snprintf(what, sizeof what, "ptrace seize host pid %d", pid); REFUSED(what, ptrace(PTRACE_SEIZE, pid, 0, 0), 0);
    snprintf(what, sizeof what, "renice host pid %d", pid); REFUSED(what, setpriority(PRIO_PROCESS, pid, 19), 0);
    snprintf(what, sizeof what, "process_vm_readv host pid %d", pid); REFUSED(what, process_vm_readv(pid, &local, 1, &remote, 1, 0), 0);
    snprintf(what, sizeof what, "pidfd_open host pid %d", pid); REFUSED(what, syscall(SYS_pidfd_open, pid, 0), 0);
  }
  FINISH();
}`,
  },
  {
    name: 'ptraces, signals and reads the memory of PID 1 of its own sandbox (the helper)',
    c: String.raw`
#include <sys/uio.h>
int main(void) {
  char buffer[16];
  struct iovec local = {buffer, sizeof buffer}, remote = {(void *)0x400000, sizeof buffer};
  REFUSED("ptrace attach PID 1", ptrace(PTRACE_ATTACH, 1, 0, 0), EPERM);
  REFUSED("ptrace seize PID 1", ptrace(PTRACE_SEIZE, 1, 0, 0), EPERM);
  REFUSED("process_vm_readv PID 1", process_vm_readv(1, &local, 1, &remote, 1, 0), 0);
  REFUSED("process_vm_writev PID 1", process_vm_writev(1, &local, 1, &remote, 1, 0), 0);
  REFUSED("open /proc/1/mem", open("/proc/1/mem", O_RDWR), 0);
  kill(1, SIGKILL);
  kill(1, SIGSTOP);
  usleep(200000);
  char state[512];
  if (read_text("/proc/1/stat", state, sizeof state) > 0 && !strstr(state, ") T") && !strstr(state, ") Z")) HELD("SIGKILL and SIGSTOP to PID 1 had no effect");
  else BREACH("PID 1 was stopped or killed: %s", state);
  FINISH();
}`,
  },
  {
    name: "reads PID 1's root, cwd, fds, memory maps and environ (the helper's view of the host)",
    c: String.raw`
int main(void) {
  REFUSED("open /proc/1/root/", open("/proc/1/root/", O_RDONLY | O_DIRECTORY), 0);
  REFUSED("open /proc/1/cwd/", open("/proc/1/cwd/", O_RDONLY | O_DIRECTORY), 0);
  char buffer[256];
  // The fd numbers may be listed (the dir belongs to the same uid); what they point to may not be read.
  DIR *fds = opendir("/proc/1/fd");
  for (struct dirent *entry; fds && (entry = readdir(fds));) {
    if (entry->d_name[0] == '.') continue;
    char link[300], what[320];
    snprintf(link, sizeof link, "/proc/1/fd/%s", entry->d_name);
    snprintf(what, sizeof what, "readlink %s", link);
    REFUSED(what, readlink(link, buffer, sizeof buffer), 0);
  }
  int mappings = 0;
  DIR *maps = opendir("/proc/1/map_files");
  for (struct dirent *entry; maps && (entry = readdir(maps));) if (entry->d_name[0] != '.') mappings++;
  if (mappings > 0) BREACH("listed %d of PID 1's mappings in /proc/1/map_files (its address layout)", mappings);
  else HELD("PID 1's mappings not listed: %s", maps ? "empty" : strerrorname_np(errno));
  REFUSED("read /proc/1/environ", read_text("/proc/1/environ", buffer, sizeof buffer), 0);
  REFUSED("read /proc/1/maps", read_text("/proc/1/maps", buffer, sizeof buffer), 0);
  REFUSED("readlink /proc/1/exe", readlink("/proc/1/exe", buffer, sizeof buffer), 0);
  for (int fd = 0; fd < 64; fd++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/1/fd/%d", fd);
    int opened = open(path, O_RDONLY);
    if (opened >= 0) BREACH("opened PID 1's fd %d", fd);
  }
  FINISH();
}`,
  },
  {
    name: 'writes the sandbox helper through /proc/1/exe (and its own binary through /proc/self/exe)',
    c: String.raw`
int main(void) {
  REFUSED("open /proc/1/exe for writing", open("/proc/1/exe", O_WRONLY), 0);
  REFUSED("open /proc/1/exe O_RDWR|O_TRUNC", open("/proc/1/exe", O_RDWR | O_TRUNC), 0);
  REFUSED("truncate /proc/1/exe", truncate("/proc/1/exe", 0), 0);
  int path = open("/proc/1/exe", O_PATH);
  if (path >= 0) {
    char again[64];
    snprintf(again, sizeof again, "/proc/self/fd/%d", path);
    REFUSED("reopen an O_PATH fd of /proc/1/exe for writing", open(again, O_WRONLY), 0);
  } else {
    HELD("O_PATH open of /proc/1/exe: %s", strerrorname_np(errno));
  }
  REFUSED("open /proc/self/exe for writing", open("/proc/self/exe", O_WRONLY), 0);
  FINISH();
}`,
  },
  {
    name: 'looks for an fd of the runner (a host file the runner holds open as fd 5) and any fd beyond 0-2',
    c: String.raw`
int main(void) {
  DIR *dir = opendir("/proc/self/fd");
  char list[256] = "";
  for (struct dirent *entry; (entry = readdir(dir));) {
    if (entry->d_name[0] == '.' || atoi(entry->d_name) == dirfd(dir)) continue;
    strcat(list, entry->d_name);
    strcat(list, " ");
  }
  printf("fds: %s\n", list);
  char buffer[64];
  for (int fd = 3; fd < 1024; fd++) {
    if (fd == dirfd(dir)) continue;
    if (fcntl(fd, F_GETFD) >= 0) BREACH("fd %d is open in the job", fd);
  }
  REFUSED("read fd 5", read(5, buffer, sizeof buffer), EBADF);
  REFUSED("open /proc/self/fd/5", open("/proc/self/fd/5", O_RDONLY), 0);
  FINISH();
}`,
    runner: async (scene, args, env) => {
      const secret = fs.openSync(path.join(scene.outside, 'secret.txt'), 'r');
      try {
        // node's own spawn: it passes a host fd through as the runner's fd 5.
        const child = spawn(process.execPath, [CLI, ...args], {
          cwd: scene.project.dir,
          env: { ...process.env, ...env, CUBICLE_CACHE_DIR: scene.project.cacheDir, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe', 'ignore', 'ignore', secret],
          timeout: 60_000,
        });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
        child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
        const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('close', (code, name) => resolve([code, name])));
        return { exitCode: exitCode ?? undefined, signal: signal ?? undefined, stdout, stderr, pid: child.pid };
      } finally {
        fs.closeSync(secret);
      }
    },
    verify: ({ lines }) => expect(lines).toContain('fds: 0 1 2 '),
  },
  {
    name: 'runs a setuid copy of a program shipped in the checkout (owned by another user when the runner is root)',
    prepare: (scene) => {
      const binary = scene.project.file('suid-probe');
      compileC(scene.project.file('suid-probe.c'), binary, SETUID_PROBE);
      // As root the file can belong to someone else (uid 1, daemon); rootless it is the runner's own.
      if (IS_ROOT) fs.chownSync(binary, 1, 1);
      fs.chmodSync(binary, 0o6755);
    },
    sh: './suid-probe',
  },
  {
    name: 'makes a setuid copy of a program in its upper layer and runs it',
    prepare: (scene) => compileC(scene.project.file('probe.c'), scene.project.file('probe'), SETUID_PROBE),
    sh: 'cp ./probe ./suid-copy && chmod 6755 ./suid-copy && ls -l ./suid-copy && ./suid-copy',
  },
  {
    name: "runs the host's setuid binaries (su, newuidmap, passwd) to gain privileges",
    sh: `for tool in /usr/bin/su /usr/bin/newuidmap /usr/bin/passwd /usr/bin/mount; do test -u "$tool" && echo "setuid on the host: $tool"; done
caps=$(/usr/bin/su -c 'grep CapEff /proc/self/status' 2>&1 | tr -d '\\t')
case "$caps" in CapEff:0000000000000000) held "su ran the command without capabilities";; CapEff:*) breach "su gave $caps";; *) held "su refused: $caps";; esac
refused "newuidmap of its own process" /usr/bin/newuidmap $$ 0 0 1
refused "mount through the setuid mount tool" /usr/bin/mount -t tmpfs none /tmp
echo done`,
  },
  {
    name: 'closes its stdout and stderr and keeps running past its timeout',
    job: { timeout: '2s' },
    prepare: (scene) => fs.writeFileSync(scene.project.file(`sleeper-${scene.marker}.sh`), 'sleep 300\n'),
    sh: 'exec >&- 2>&- </dev/null\nsh ./sleeper-$MARKER.sh & setsid sh ./sleeper-$MARKER.sh & sh ./sleeper-$MARKER.sh',
    statuses: ['timeout'],
    reports: false,
    verify: ({ job }) => {
      expect(job.message).toContain('timed out after 2.0s');
      expect(job.wallMs).toBeLessThan(15_000);
    },
  },
  {
    name: 'ignores SIGTERM, SIGINT and SIGHUP in a detached child and itself, past its timeout',
    job: { timeout: '2s' },
    c: String.raw`
int main(void) {
  for (int sig = 1; sig < 32; sig++) signal(sig, SIG_IGN);
  if (fork() == 0) { setsid(); if (fork() == 0) for (;;) pause(); _exit(0); }
  printf("ignoring every signal\n");
  fflush(stdout);
  for (;;) pause();
}`,
    statuses: ['timeout'],
    reports: false,
    verify: ({ job }) => expect(job.wallMs).toBeLessThan(15_000),
  },
  {
    name: 'ignores SIGTERM while the runner is cancelled (SIGTERM to cubicle): the runner ends anyway',
    c: String.raw`
int main(void) {
  for (int sig = 1; sig < 32; sig++) signal(sig, SIG_IGN);
  if (fork() == 0) { setsid(); for (;;) pause(); }
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}`,
    runner: async (scene, args, env) => {
      const child = execa(process.execPath, [CLI, ...args], {
        cwd: scene.project.dir,
        env: { ...process.env, ...env, CUBICLE_CACHE_DIR: scene.project.cacheDir, NO_COLOR: '1' },
        reject: false,
        stdin: 'ignore',
        forceKillAfterDelay: false, // the runner's own handling of SIGTERM is under test
      });
      let output = '';
      child.stdout?.on('data', (chunk) => (output += String(chunk)));
      expect(await waitFor(() => output.includes('ready'), 20_000)).toBe(true);
      const started = Date.now();
      child.kill('SIGTERM');
      const ended = await Promise.race([child.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000))]);
      if (!ended) child.kill('SIGKILL');
      expect(ended, 'the runner did not end within 20 s of SIGTERM').toBe(true);
      expect(Date.now() - started).toBeLessThan(20_000);
      const result = await child;
      return {
        exitCode: result.exitCode,
        signal: result.signal,
        stdout: String(result.stdout),
        stderr: String(result.stderr),
        pid: child.pid,
      } satisfies RunnerResult;
    },
    statuses: ['cancelled'],
    reports: false,
  },
  {
    name: 'reads and plants files in a job running beside it (two jobs in parallel)',
    files: { 'shared.txt': 'original\n' },
    otherJobs: (scene) => ({
      sibling: {
        env: { SECRET: `sibling-secret-${scene.marker.replace('cubsec-', '')}` },
        run: `for file in shared.txt sibling.txt /tmp/sibling.txt "$HOME/sibling.txt" /dev/shm/sibling.txt; do echo "$SECRET" > "$file"; done
sh -c "sleep 3; : $SECRET"
if test -e planted-by-attempt.txt; then echo "sibling: saw the planted file"; else echo "sibling: no planted file"; fi`,
      },
    }),
    sh: `sleep 1
for file in shared.txt sibling.txt /tmp/sibling.txt "$HOME/sibling.txt" /dev/shm/sibling.txt; do
  if grep -q 'sibling-secre[t]' "$file" 2>/dev/null; then breach "read the sibling's $file"; else held "no sibling secret in $file"; fi
done
# The [t] keeps the pattern from matching the cmdlines that hold this script (its shell's, PID 1's);
# grep's status is 2 when some file was unreadable, so its output decides.
found=$(grep -l 'sibling-secre[t]' /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null)
if [ -n "$found" ]; then breach "saw the sibling's processes: $found"; else held "no sibling process visible"; fi
own=$(grep -o 'upperdir=[^,]*' /proc/self/mountinfo | head -n 1 | cut -d= -f2)
other=$(echo "$own" | sed 's#/attempt\\.1/#/sibling.1/#')
if cat "$other/sibling.txt" 2>/dev/null; then breach "read the sibling's upper dir"; else held "the sibling's upper dir is not reachable: $other"; fi
echo planted > planted-by-attempt.txt
echo done`,
    args: ['--parallel', '2'],
    verify: ({ result }) => {
      expect(result.stdout).toContain('sibling: no planted file');
      expect(result.stdout).not.toContain('sibling: saw the planted file');
    },
    host: (scene) => {
      expect(fs.readFileSync(scene.project.file('shared.txt'), 'utf8')).toBe('original\n');
      expect(
        fs
          .readdirSync(scene.project.cacheDir, { recursive: true })
          .map(String)
          .filter((entry) => entry.includes('sibling')),
      ).toEqual([]);
    },
  },
];

describe(`adversarial jobs against processes (${WHO})`, () => {
  for (const attempt of attempts) it(attempt.name, async () => void (await runAttempt(attempt)), attempt.timeoutMs ?? 60_000);
});
