// A host that cannot create sandboxes gets exit 3 and the fix, from run, exec and doctor,
// never a bare errno. Simulated without touching this machine: inside an outer user
// namespace whose max_user_namespaces is 0, creating the sandbox's namespace fails as
// on a host with user namespaces off.
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';
import { makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

async function withoutUserNamespaces(project: { dir: string; cacheDir: string }, args: string[]) {
  const script = 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"';
  return execa('unshare', ['-Ur', 'sh', '-c', script, 'sh', process.execPath, CLI, ...args], {
    cwd: project.dir,
    env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir },
    reject: false,
  });
}

describe('a host without user namespaces', () => {
  it('makes run and exec exit 3 with the fix, and doctor say what is missing', async () => {
    const project = makeProject('jobs:\n  unit: { run: "true" }\n');
    const run = await withoutUserNamespaces(project, ['run']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('cannot create a sandbox');
    expect(run.stderr).toContain('hint: Allow them: `sudo sysctl -w user.max_user_namespaces=15000`');
    const exec = await withoutUserNamespaces(project, ['exec', '--', 'true']);
    expect(exec.exitCode).toBe(3);
    expect(exec.stderr).toContain('hint: Allow them');
    const doctor = await withoutUserNamespaces(project, ['doctor', '--json']);
    expect(doctor.exitCode).toBe(3);
    const report = JSON.parse(doctor.stdout) as { runnable: boolean; checks: { id: string; state: string; fix: string | null }[] };
    expect(report.runnable).toBe(false);
    expect(report.checks.find((check) => check.id === 'userns')).toMatchObject({ state: 'missing' });
  });
});
