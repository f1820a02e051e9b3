#!/usr/bin/env node
// `npm test`: every suite, as every user it must pass as, then one line that sums them up:
//   native/test/run.sh  the helper by hand (TAP; itself runs as root and as the test user)
//   native/layer/test.sh  the layer tool's tar extraction and digests (TAP; root and the test user)
//   vitest              unit + integration tests as the invoking user
//   vitest (again)      integration tests as an ordinary user, when invoked as root
//   vitest (again)      ... and the limits suite, after `cubicle setup --user` delegated cgroups
//   vitest (again)      network: outbound as that user, where this host closes /dev/net/tun to it
//   test/vm/limits-v2.sh  the limits suite in a cgroup-v2 kernel (qemu), as root and as that user
//   test/vm/apparmor.sh   setup's AppArmor profile loaded in Debian's 6.12 kernel (qemu), a job under it as that user
//   test/vm/systemd-bed.sh  an emulated GitHub runner: systemd as PID 1, the suite as runner in runner.service
//   test/containers/podman.mjs  cubicle inside podman containers (as root; rootless as that user)
// A pass that cannot run here is skipped out loud; under CI=true a missing test user fails.
import { $, fs, os, path } from 'zx';

$.verbose = true;
$.nothrow = true;

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const testUser = process.env.CUBICLE_TEST_USER || 'cubtest';
const isRoot = process.getuid() === 0;
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function add(name, counts) {
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (counts.failed > 0) failures.push(name);
  console.log(`== ${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
}

function skip(name, why) {
  console.log(`== ${name}: skipped: ${why}`);
  totals.skipped += 1;
}

/** Reads the TAP summary line `N passed, N failed, N skipped` a shell suite ends with. */
function tapCounts(output, exitCode) {
  const match = [...output.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/gm)].at(-1);
  if (!match) return { passed: 0, failed: 1, skipped: 0 };
  const counts = { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3] ?? 0) };
  if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

function vitestCounts(file, exitCode) {
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    const counts = { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
    if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

function userExists(name) {
  try {
    return $.sync`id -u ${name}`.exitCode === 0;
  } catch {
    return false;
  }
}

// 1. The native helper by hand, then its cgroup limits on this host and in a cgroup-v2 VM.
{
  const result = await $`bash ${path.join(repo, 'native/test/run.sh')}`;
  add('native helper (TAP)', tapCounts(result.stdout, result.exitCode));
  const cgroups = await $`bash ${path.join(repo, 'native/test/cgroup.sh')}`;
  add('native helper cgroups, this host (TAP)', tapCounts(cgroups.stdout, cgroups.exitCode));
  const v2 = await $`bash ${path.join(repo, 'native/test/cgroup-v2.sh')}`;
  add('native helper cgroups, cgroup-v2 VM (TAP)', tapCounts(v2.stdout, v2.exitCode));
  const layer = await $`bash ${path.join(repo, 'native/layer/test.sh')}`;
  add('native layer tool: extract, digest (TAP)', tapCounts(layer.stdout, layer.exitCode));
}

// 2. vitest, as whoever runs this.
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-test-'));
fs.chmodSync(reports, 0o777);
{
  const file = path.join(reports, 'vitest-self.json');
  const result = await $({ cwd: repo })`npx vitest run --reporter=default --reporter=json --outputFile.json=${file}`;
  add(`vitest unit + integration (${isRoot ? 'as root' : `rootless, as ${os.userInfo().username}`})`, vitestCounts(file, result.exitCode));
}

// 3. The integration suite again as an ordinary user, from a copy that user can read.
if (!isRoot) {
  skip('integration as root', 'not running as root; the rootless pass above is the one that matters on this machine');
} else if (!userExists(testUser)) {
  if (process.env.CI === 'true') {
    add(`integration rootless (${testUser})`, { passed: 0, failed: 1, skipped: 0 });
    console.log(`no user ${testUser}: .ci/run creates it (useradd -m ${testUser}, with a /etc/subuid range)`);
  } else {
    skip('integration rootless', `no user ${testUser}; create one with \`useradd -m ${testUser}\` and a /etc/subuid range, or set CUBICLE_TEST_USER`);
  }
} else {
  const home = (await $`getent passwd ${testUser}`).stdout.split(':')[5];
  const copy = path.join(home, 'cubicle-under-test');
  await $`rm -rf ${copy}`;
  await $`mkdir -p ${copy}`;
  // The VM and container caches (hundreds of MB) stay: every suite reads them from this checkout.
  await $({
    cwd: repo,
  })`tar --exclude=./.git --exclude=./test/vm/.cache --exclude=./test/vm/.cache-6.12 --exclude=./test/containers/.cache -cf - . | tar -xf - -C ${copy}`;
  await $`chown -R ${testUser}: ${copy}`;
  const file = path.join(reports, 'vitest-user.json');
  // As a user's admin would: delegate cgroups to the user once, so its limited jobs can run.
  const setup = await $`node ${path.join(repo, 'bin/cubicle.js')} setup --user ${testUser}`;
  try {
    const result = await $({
      cwd: copy,
    })`runuser -u ${testUser} -- env HOME=${home} PATH=${process.env.PATH} CI=${process.env.CI ?? ''} CUBICLE_TEST_NODES=${process.env.CUBICLE_TEST_NODES ?? ''} npx vitest run --project integration --project limits --reporter=default --reporter=json --outputFile.json=${file}`;
    add(`vitest integration + limits (rootless, as ${testUser})`, vitestCounts(file, setup.exitCode === 0 ? result.exitCode : 1));
  } finally {
    await $`node ${path.join(repo, 'bin/cubicle.js')} setup --user ${testUser} --undo`;
  }
  await runOutboundAsUser(copy, home);
  await runV2Suite(copy, testUser);
  await runAppArmorSuite(copy, testUser);
  await $`rm -rf ${copy}`;
  await runSystemdBed(repo);
}

if (!isRoot) {
  await runV2Suite(repo, null);
  await runAppArmorSuite(repo, os.userInfo().username);
}
await runContainerSuite();

/** cubicle inside rootful and rootless podman containers; skipped out loud without root or podman, failed under CI. */
async function runContainerSuite() {
  const name = 'cubicle inside podman containers (TAP)';
  if (!isRoot) return skip(name, 'rootful podman needs root');
  const result = await $`node ${path.join(repo, 'test/containers/podman.mjs')}`;
  add(name, tapCounts(result.stdout, result.exitCode));
}

/**
 * `network: outbound` as the test user. slirp4netns opens /dev/net/tun as that user:
 * distributions (and GitHub's runners) ship it 0666, some hosts 0600, where the pass above
 * tests the refusal instead. There, a 0666 node of the same device is bound over it in a
 * private mount namespace for this pass only; the host's node is left as it is.
 */
async function runOutboundAsUser(checkout, home) {
  if ((await $`runuser -u ${testUser} -- test -r /dev/net/tun -a -w /dev/net/tun`).exitCode === 0) return;
  if ((await $`command -v slirp4netns`).exitCode !== 0)
    return skip(`network: outbound (rootless, as ${testUser})`, 'needs slirp4netns: apt-get install slirp4netns');
  const node = path.join(reports, 'tun');
  // -t filters out services' other tests, which the passes above ran; the others are the files
  // whose setup steps take a step's default network (outbound) and skipped it out loud above.
  const passes = [
    ['network: outbound', ['test/integration/services.test.ts', '-t', 'network: outbound']],
    [
      "setup steps' default network: outbound",
      [
        'test/integration/presets.test.ts',
        'test/integration/presets-projects.test.ts',
        'test/integration/init.test.ts',
        'test/security/perimeter/caches-network.test.ts',
      ],
    ],
  ];
  for (const [label, files] of passes) {
    const file = path.join(reports, 'vitest-outbound.json');
    const vitest = ['npx', 'vitest', 'run', '--project', 'integration', ...files, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`];
    const asUser = ['runuser', '-u', testUser, '--', 'env', `HOME=${home}`, `PATH=${process.env.PATH}`, `CI=${process.env.CI ?? ''}`, ...vitest];
    const script = 'mknod -m 0666 "$1" c 10 200 && mount --bind "$1" /dev/net/tun && shift && exec "$@"';
    fs.rmSync(node, { force: true });
    const result = await $({ cwd: checkout })`unshare --mount --propagation private sh -c ${script} sh ${node} ${asUser}`;
    const counts = vitestCounts(file, result.exitCode);
    add(`${label} (rootless, as ${testUser}, /dev/net/tun 0666 in a private mount namespace)`, {
      passed: counts.passed,
      failed: counts.passed === 0 ? Math.max(1, counts.failed) : counts.failed,
      skipped: 0,
    });
  }
}

/** The cgroup-v2 limits suite in the qemu VM, when test/vm/prepare.sh has been run (CI does). */
async function runV2Suite(checkout, user) {
  const ready = fs.existsSync(path.join(repo, 'test/vm/.cache/initramfs.cpio.gz')) && (await $`command -v qemu-system-x86_64`).exitCode === 0;
  if (!ready) {
    if (process.env.CI === 'true') add('cgroup v2 limits (VM)', { passed: 0, failed: 1, skipped: 0 });
    else skip('cgroup v2 limits (VM)', 'the VM is not prepared: run `sudo test/vm/prepare.sh` (qemu and a Debian kernel)');
    return;
  }
  const result = await $`bash ${path.join(repo, 'test/vm/limits-v2.sh')} ${user ? ['--user', user] : []} ${checkout}`;
  add(`cgroup v2 limits in a VM (as root${user ? ` and ${user}` : ''})`, tapCounts(result.stdout, result.exitCode));
}

/** AppArmor in the qemu VM on Debian's 6.12 kernel; test/vm/apparmor.sh prepares its own cache (as root). */
async function runAppArmorSuite(checkout, user) {
  const name = "AppArmor: setup's helper profile in a 6.12 VM";
  const prepared = fs.existsSync(path.join(repo, 'test/vm/.cache-6.12/initramfs.cpio.gz'));
  if ((await $`command -v qemu-system-x86_64`).exitCode !== 0 || (!isRoot && !prepared)) {
    if (process.env.CI === 'true') add(name, { passed: 0, failed: 1, skipped: 0 });
    else skip(name, 'needs qemu and the 6.12 kernel: run `sudo test/vm/prepare.sh && sudo test/vm/apparmor.sh` once');
    return;
  }
  const result = await $`bash ${path.join(repo, 'test/vm/apparmor.sh')} --user ${user} ${checkout}`;
  add(`${name} (as root and ${user})`, tapCounts(result.stdout, result.exitCode));
}

/** GitHub's runners, emulated: the VM with systemd as PID 1, the suite as `runner` in runner.service (as root: it boots with --systemd). */
async function runSystemdBed(checkout) {
  const name = 'systemd bed: a GitHub runner (systemd PID 1, runner.service) in a VM';
  const ready = fs.existsSync(path.join(repo, 'test/vm/.cache/initramfs.cpio.gz')) && (await $`command -v qemu-system-x86_64`).exitCode === 0;
  const systemd = fs.existsSync('/lib/systemd/systemd') && fs.existsSync('/usr/bin/sudo');
  if (!ready || !systemd) {
    if (process.env.CI === 'true') add(name, { passed: 0, failed: 1, skipped: 0 });
    else
      skip(
        name,
        !ready
          ? 'the VM is not prepared: run `sudo test/vm/prepare.sh`'
          : 'needs systemd, dbus-user-session and sudo: apt-get install systemd dbus-user-session sudo',
      );
    return;
  }
  const result = await $`bash ${path.join(repo, 'test/vm/systemd-bed.sh')} ${checkout}`;
  add(name, tapCounts(result.stdout, result.exitCode));
}

fs.rmSync(reports, { recursive: true, force: true });
if (failures.length) console.log(`failed suites: ${failures.join('; ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
