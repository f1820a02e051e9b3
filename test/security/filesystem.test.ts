// Adversarial jobs against the filesystem: writes outside the job's upper layer, reads of host
// secrets, links and symlinks that point out of the checkout, the disk limit. Each row is one
// attempt (harness.ts): the job must fail to do its harm, and the host must be as it was.
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';
import { removeProjects } from '../helpers/project.js';
import { runAttempt, WHO, type Attempt, type Scene } from './harness.js';

afterAll(removeProjects);

const MiB = 1024 * 1024;

const attempts: Attempt[] = [
  {
    name: 'writes to the host paths of its own overlay that /proc/self/mountinfo names (upperdir, workdir, lowerdir)',
    files: { 'tracked.txt': 'original\n' },
    sh: `for dir in $(grep -o -E '(upperdir|workdir|lowerdir\\+?)=[^, ]+' /proc/self/mountinfo | cut -d= -f2 | tr ':' ' '); do
  mkdir -p "$dir" 2>/dev/null
  if (echo escape > "$dir/$MARKER" && echo escape > "$dir/tracked.txt") 2>/dev/null; then echo "wrote $dir (inside the sandbox)"; else held "write into $dir"; fi
done
echo done`,
    reports: 'done',
    host: (scene) => {
      // Whatever the job wrote landed in its own sandbox: not in the store, the upper dirs or the checkout.
      const leaked = fs
        .readdirSync(scene.project.cacheDir, { recursive: true })
        .map(String)
        .filter((entry) => entry.includes(scene.marker));
      expect(leaked).toEqual([]);
    },
  },
  {
    name: "writes to the runner's HOME, the layer store, and the host's /tmp, /dev/shm and /var/tmp",
    sh: `for file in "$RUNNER_HOME/$MARKER" "$RUNNER_HOME/.bashrc" "$RUNNER_HOME/.profile" "$CACHE_DIR/$MARKER" "$CACHE_DIR/runs/$MARKER" /tmp/$MARKER /dev/shm/$MARKER /var/tmp/$MARKER; do
  mkdir -p "$(dirname "$file")" 2>/dev/null
  if (echo 'echo pwned' >> "$file") 2>/dev/null; then echo "wrote $file (inside the sandbox)"; else held "write $file"; fi
done
echo done`,
    reports: 'done',
    prepare: (scene) => {
      const before = ['.bashrc', '.profile'].map((name) => readOrNull(path.join(os.homedir(), name)));
      scene.cleanups.push(() => expect(['.bashrc', '.profile'].map((name) => readOrNull(path.join(os.homedir(), name)))).toEqual(before));
    },
    host: (scene) =>
      expect(
        fs
          .readdirSync(scene.project.cacheDir, { recursive: true })
          .map(String)
          .filter((entry) => entry.includes(scene.marker)),
      ).toEqual([]),
  },
  {
    name: 'modifies /etc/passwd and /usr/bin through every path: /proc/self/root, /proc/1/root, chmod, truncate, rename, xattrs',
    c: String.raw`
#include <sys/time.h>
#include <sys/xattr.h>
int main(void) {
  const char *paths[] = {"/etc/passwd", "/proc/self/root/etc/passwd", "/proc/1/root/etc/passwd", "/proc/self/cwd/../../../../../../etc/passwd"};
  for (int i = 0; i < 4; i++) {
    char what[256];
    snprintf(what, sizeof what, "open %s for writing", paths[i]);
    REFUSED(what, open(paths[i], O_WRONLY | O_APPEND), 0);
  }
  REFUSED("truncate /etc/passwd", truncate("/etc/passwd", 0), 0);
  REFUSED("chmod /etc/passwd 0666", chmod("/etc/passwd", 0666), 0);
  REFUSED("chown /etc/passwd", chown("/etc/passwd", 0, 0), 0);
  REFUSED("utimes /etc/passwd", utimes("/etc/passwd", NULL), 0);
  REFUSED("rename /etc/passwd", rename("/etc/passwd", "/etc/passwd.cubsec"), 0);
  REFUSED("setxattr /etc/passwd", setxattr("/etc/passwd", "user.cubsec", "x", 1, 0), 0);
  REFUSED("unlink /usr/bin/env", unlink("/usr/bin/env"), 0);
  char file[256];
  snprintf(file, sizeof file, "/usr/bin/%s", env_or("MARKER", "cubsec"));
  REFUSED("create a file in /usr/bin", open(file, O_CREAT | O_WRONLY, 0755), 0);
  REFUSED("mkdir in /etc", mkdir("/etc/cubsec.d", 0755), 0);
  FINISH();
}`,
    prepare: (scene) => {
      const before = ['/etc/passwd', '/usr/bin/env'].map(statLine);
      scene.cleanups.push(() => expect(['/etc/passwd', '/usr/bin/env'].map(statLine)).toEqual(before));
    },
    host: (scene) => expect(fs.existsSync(`/usr/bin/${scene.marker}`)).toBe(false),
  },
  {
    name: "reads /etc/shadow, /etc/gshadow, the host's SSH host keys and sudoers",
    c: String.raw`
int main(void) {
  const char *secrets[] = {"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/sudoers"};
  for (unsigned i = 0; i < sizeof secrets / sizeof *secrets; i++) {
    char what[256], buffer[64];
    snprintf(what, sizeof what, "read %s", secrets[i]);
    REFUSED(what, read_text(secrets[i], buffer, sizeof buffer), 0);
  }
  FINISH();
}`,
  },
  {
    name: 'hard-links host files into the checkout, and writes through a hard link of a checkout file',
    files: { 'tracked.txt': 'original\n' },
    c: String.raw`
int main(void) {
  REFUSED("link /etc/passwd into the checkout", link("/etc/passwd", "passwd-link"), 0);
  REFUSED("link /usr/bin/env into the checkout", link("/usr/bin/env", "env-link"), 0);
  REFUSED("link /etc/passwd into /tmp", link("/etc/passwd", "/tmp/passwd-link"), 0);
  int fd = open("/etc/hostname", O_RDONLY);
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  REFUSED("linkat /proc/self/fd of /etc/hostname", linkat(AT_FDCWD, proc, AT_FDCWD, "hostname-link", AT_SYMLINK_FOLLOW), 0);
  if (link("tracked.txt", "tracked-link") == 0) {
    int out = open("tracked-link", O_WRONLY | O_APPEND);
    if (out >= 0 && write(out, "changed\n", 8) == 8) HELD("write through a hard link of a checkout file: copied up, host file untouched (checked outside)");
  } else {
    HELD("link of a checkout file: %s", strerrorname_np(errno));
  }
  FINISH();
}`,
  },
  ...symlinkedCacheAttempts(),
  {
    name: 'runs in a checkout reached through a symlinked path, writing its files',
    files: { 'tracked.txt': 'original\n' },
    sh: 'echo changed > tracked.txt; echo new > created.txt; rm -f refuse.sh; held "wrote: $(cat tracked.txt) $(cat created.txt)"; echo done',
    runner: async (scene, args, env) => {
      const link = path.join(path.dirname(scene.project.dir), 'link-to-project');
      fs.symlinkSync(scene.project.dir, link);
      const json = args.map((arg) => (arg === 'results.json' ? scene.project.file('results.json') : arg));
      const result = await execa(process.execPath, [CLI, ...json, '--config', path.join(link, 'cubicle.config.yaml')], {
        cwd: path.dirname(scene.project.dir),
        env: { ...process.env, ...env, CUBICLE_CACHE_DIR: scene.project.cacheDir, NO_COLOR: '1' },
        reject: false,
        stdin: 'ignore',
        timeout: 60_000,
      });
      fs.unlinkSync(link);
      return { exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    verify: ({ lines }) => expect(lines).toContain('held wrote: changed new'),
  },
  {
    name: 'makes its junit report a symlink to a host file outside the checkout (and to /etc/shadow)',
    job: { junit: 'reports/*.xml', artifacts: ['reports'] },
    sh: 'mkdir -p reports\nln -s "$OUTSIDE/junit.xml" reports/junit.xml\nln -s "$OUTSIDE/secret.txt" reports/secret.xml\nln -s /etc/shadow reports/shadow.xml\necho done',
    statuses: ['passed', 'failed', 'error'],
    reports: 'done',
    verify: ({ job }) => {
      expect(job.junitFiles).toEqual([]);
      expect(job.artifacts).toEqual([]);
    },
    host: (scene) => expect(fs.readFileSync(scene.project.file('cubicle-junit.xml'), 'utf8')).not.toMatch(/root:[^:]*:\d+:/),
  },
  {
    name: 'makes its reports dir a symlink to /etc and to a host dir outside the checkout',
    job: { junit: ['reports/*', 'out/*.xml'], artifacts: ['reports', 'out'] },
    sh: 'ln -s /etc reports\nln -s "$OUTSIDE" out\necho done',
    statuses: ['passed', 'failed', 'error'],
    reports: 'done',
    verify: ({ job }) => {
      expect(job.junitFiles).toEqual([]);
      expect(job.artifacts).toEqual([]);
    },
    host: (scene) => {
      const copied = fs.existsSync(scene.project.file('cubicle-artifacts'))
        ? fs.readdirSync(scene.project.file('cubicle-artifacts'), { recursive: true }).map(String)
        : [];
      expect(copied.filter((entry) => /passwd|shadow|secret|junit/.test(entry))).toEqual([]);
    },
  },
  {
    name: "with disk: 8m, points its reports dir at a host dir's path for the copy back to the upper dir to follow",
    job: { disk: '8m', junit: 'reports/*.xml', artifacts: ['reports', 'out'] },
    sh: `mkdir -p "$OUTSIDE" out/real
ln -s "$OUTSIDE" reports
echo '<testsuite name="planted" tests="1"><testcase name="planted"/></testsuite>' > reports/planted.xml
ln -s "$OUTSIDE/secret.txt" out/real/secret.xml
echo done`,
    statuses: ['passed', 'failed', 'error'],
    reports: 'done',
    verify: ({ job }) => expect(job.junitFiles).toEqual([]),
    host: (scene) => expect(fs.existsSync(path.join(scene.outside, 'planted.xml'))).toBe(false),
  },
  {
    name: "ships cubicle-artifacts in the checkout as a symlink to a host dir, for the runner's copy-out to follow",
    job: { junit: 'reports/*.xml' },
    prepare: (scene) => {
      const target = path.join(scene.outside, 'artifacts-target');
      fs.mkdirSync(path.join(target, 'attempt'), { recursive: true });
      fs.writeFileSync(path.join(target, 'attempt', 'keep.txt'), 'keep me\n');
      fs.symlinkSync(target, scene.project.file('cubicle-artifacts'));
    },
    sh: `mkdir -p reports
echo '<testsuite name="planted" tests="1"><testcase name="planted"/></testsuite>' > reports/planted.xml
echo done`,
    reports: 'done',
    // Refused, not followed: the job ends as an error naming the link.
    statuses: ['error'],
    verify: ({ job }) => expect(job.message).toMatch(/cubicle-artifacts is a symlink .*nothing was copied/),
    // The outside dir is checked for every attempt: keep.txt must survive, planted.xml must not appear there.
  },
  {
    name: 'ships cubicle-junit.xml and results.json in the checkout as symlinks to host files',
    prepare: (scene) => {
      fs.symlinkSync(path.join(scene.outside, 'junit.xml'), scene.project.file('cubicle-junit.xml'));
      fs.symlinkSync(path.join(scene.outside, 'secret.txt'), scene.project.file('results.json'));
    },
    sh: 'echo done',
    reports: 'done',
  },
  {
    name: 'fills its disk limit (disk: 8m) with 512 MiB, while the host disk stays as it was',
    job: { disk: '8m', timeout: '60s' },
    sh: 'dd if=/dev/zero of=fill.bin bs=1M count=512 2>&1 | tail -n 1\nfor i in 1 2 3 4 5 6 7 8; do dd if=/dev/zero of=fill-$i.bin bs=1M count=64 2>/dev/null; done\nsleep 0.5\necho "written: $(du -sm . | cut -f1) MiB"\necho done',
    statuses: ['failed'],
    reports: 'done',
    verify: ({ job, lines, minFreeBytes, freeBytesBefore }) => {
      expect(job.message).toMatch(/disk limit 8 MiB reached/);
      const written = Number(lines.find((line) => line.startsWith('written: '))?.replace(/\D+/g, ''));
      expect(written).toBeLessThanOrEqual(9);
      // The job tries 1 GiB; the margin is for whatever else writes to this disk meanwhile.
      expect(freeBytesBefore - minFreeBytes, 'host free space went down while the job ran').toBeLessThan(256 * MiB);
    },
  },
];

/**
 * A checkout that ships a symlink `evil` pointing out of it, and a `caches:` entry below it: the
 * helper creates a cache's mount point while it builds the sandbox, when the host root is at
 * /oldroot, so a link to /oldroot/... would make it create dirs on the host. One attempt per link.
 */
function symlinkedCacheAttempts(): Attempt[] {
  const links: [what: string, target: string, cache: (scene: Scene) => string, env?: (scene: Scene) => Record<string, string>][] = [
    ['an absolute link to /oldroot/tmp', '/oldroot/tmp', (scene) => `${scene.project.dir}/evil/${scene.marker}/sub`],
    ['a relative link climbing to /oldroot/tmp', '../../../../../../../../../../oldroot/tmp', (scene) => `${scene.project.dir}/evil/${scene.marker}/sub`],
    ['a link to /oldroot, the whole host', '/oldroot', (scene) => `${scene.project.dir}/evil/tmp/${scene.marker}`],
    ['a link to /tmp', '/tmp', (scene) => `${scene.project.dir}/evil/${scene.marker}`],
    ['a link to /oldroot/tmp, named as ~/evil with HOME set to the checkout,', '/oldroot/tmp', () => '~/evil/MARKER', (scene) => ({ HOME: scene.project.dir })],
  ];
  return links.map(([what, target, cache, env]) => ({
    name: `mounts a cache below ${what} that the checkout ships`,
    prepare: (scene) => fs.symlinkSync(target, scene.project.file('evil')),
    job: (scene) => ({ caches: [cache(scene).replace('MARKER', scene.marker)], env: env?.(scene) ?? {} }),
    sh: 'for dir in evil/$MARKER evil/$MARKER/sub evil/tmp/$MARKER; do (echo pwned > $dir/file) 2>/dev/null && echo "wrote $dir (inside the sandbox)"; done\necho done',
    // Refusing the cache or failing the sandbox setup is fine too: nothing may appear on the host.
    statuses: ['passed', 'error', 'failed'],
    reports: false,
    host: (scene) => expect(fs.existsSync(`/tmp/${scene.marker}`), `/tmp/${scene.marker} was created on the host`).toBe(false),
  }));
}

describe(`adversarial jobs against the filesystem (${WHO})`, () => {
  for (const attempt of attempts) it(attempt.name, async () => void (await runAttempt(attempt)), attempt.timeoutMs ?? 60_000);
});

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function statLine(file: string): string {
  const stat = fs.statSync(file);
  return `${file} ${stat.mode} ${stat.uid}:${stat.gid} ${stat.size} ${stat.mtimeMs} ${stat.nlink}`;
}
