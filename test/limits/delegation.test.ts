// Where limits cannot be enforced, cubicle refuses (exit 3, with the fix) unless told
// --no-limits; `cubicle setup --user` delegates what is missing, and --undo takes exactly
// that back.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

const testUser = process.env.CUBICLE_TEST_USER || 'cubtest';

describe('without a delegated cgroup', () => {
  it.skipIf(IS_ROOT)('refuses a limited job with exit 3 and the fix, and runs it with --no-limits, saying so', async () => {
    const project = makeProject('jobs:\n  unit: { run: "true", memory: 64m }\n');
    const env = { CUBICLE_DELEGATION_FILE: path.join(project.dir, 'no-such-delegation.json') };
    const refused = await project.cubicle(['run'], { env });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain('cannot be enforced here');
    expect(refused.stderr).toContain('sudo npx cubicle setup --user');
    expect(refused.stderr).toContain('--no-limits');
    expect(fs.existsSync(project.file('cubicle-junit.xml'))).toBe(false);
    const unlimited = await project.cubicle(['run', '--no-limits', '--json', 'results.json'], { env });
    expect(unlimited.exitCode).toBe(0);
    expect(project.results().limitsEnforced).toBe(false);
    expect(unlimited.stdout).toContain('limits off: --no-limits');
    expect(project.read('cubicle-junit.xml')).toContain('<property name="cubicle.limits.enforced" value="false"/>');
  });
});

/** What setup may touch: the v1 cgroup dirs beneath our own, and its files under /etc. */
function hostState(): string[] {
  const state: string[] = [];
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
    const [, controllers, own] = line.split(':');
    if (!controllers) continue;
    const dir = `/sys/fs/cgroup/${controllers.split(',')[0]}${own}`;
    try {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) state.push(`${dir}/${entry.name}`);
    } catch {
      // hierarchy not mounted there
    }
  }
  for (const file of ['/etc/cubicle', '/etc/systemd/system/user@.service.d/cubicle-delegate.conf', '/etc/apparmor.d/cubicle-sandbox']) {
    if (fs.existsSync(file)) state.push(file);
  }
  return state.sort();
}

function userExists(name: string): boolean {
  try {
    return fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((line) => line.startsWith(`${name}:`));
  } catch {
    return false;
  }
}

describe('cubicle setup', () => {
  it.skipIf(!IS_ROOT || !userExists(testUser))(`delegates to ${testUser}, is idempotent, and --undo leaves the machine as it was`, async () => {
    const before = hostState();
    const setup = await execa(process.execPath, [CLI, 'setup', '--user', testUser], { reject: false });
    expect(setup.exitCode, setup.stderr).toBe(0);
    const record = JSON.parse(fs.readFileSync('/etc/cubicle/delegation.json', 'utf8'));
    const delegated = Object.values(record.users[testUser].v1 ?? {}) as string[];
    const uid = Number((await execa('id', ['-u', testUser])).stdout);
    if (fs.readFileSync('/proc/self/cgroup', 'utf8').includes(':memory:')) {
      expect(delegated.length).toBeGreaterThanOrEqual(3);
      for (const dir of delegated) expect(fs.statSync(dir).uid, dir).toBe(uid);
    }
    const again = await execa(process.execPath, [CLI, 'setup', '--user', testUser], { reject: false });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('nothing to change');
    const undo = await execa(process.execPath, [CLI, 'setup', '--user', testUser, '--undo'], { reject: false });
    expect(undo.exitCode, undo.stderr).toBe(0);
    expect(hostState()).toEqual(before);
  });

  it('refuses to run as an ordinary user, and names an unknown user', async () => {
    const asUser = await execa(process.execPath, [CLI, 'setup', '--user', 'nobody'], { reject: false });
    if (IS_ROOT) {
      const unknown = await execa(process.execPath, [CLI, 'setup', '--user', 'no-such-user-here'], { reject: false });
      expect(unknown.exitCode).toBe(2);
      expect(unknown.stderr).toContain('no user "no-such-user-here"');
      expect(asUser.exitCode).toBe(0); // root may set up nobody; undo it
      expect((await execa(process.execPath, [CLI, 'setup', '--user', 'nobody', '--undo'], { reject: false })).exitCode).toBe(0);
    } else {
      expect(asUser.exitCode).toBe(2);
      expect(asUser.stderr).toContain('must run as root');
    }
  });
});
