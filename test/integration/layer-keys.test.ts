// What a setup step's layer key covers, seen from the real CLI: the same step is one layer whatever
// job it is in, whatever terminal or PATH cubicle runs under; its command, own env, inputs and
// network still rebuild it. Layers are counted in the store, as `cubicle cache ls` would.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, outputOf, removeProjects, type Project } from '../helpers/project.js';

afterAll(removeProjects);

const SHELL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** A step's PATH leads with HOME's bin dir (plan/step-env.ts); HOME is the runner's on `image: host`. */
const HOME_BIN = `${process.env.HOME ?? '/root'}/.local/bin`;

/** What `npx cubicle` or `npm test` puts in front of a shell's PATH. */
function npxPath(project: Project): string {
  return `${project.dir}/node_modules/.bin:${path.dirname(project.dir)}/node_modules/.bin:/usr/bin:/bin:/usr/sbin:/sbin`;
}

/** The ids of the setup layers in the project's store. */
function setupLayers(project: Project): string[] {
  const dir = path.join(project.cacheDir, 'layers');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((id) => {
    const meta = path.join(dir, id, 'meta.json');
    return fs.existsSync(meta) && (JSON.parse(fs.readFileSync(meta, 'utf8')) as { kind: string }).kind === 'setup';
  });
}

/** `running` / `cached` lines of a job's setup steps. */
function stepLines(stdout: string, job: string, verb: 'running' | 'cached'): string[] {
  return outputOf(stdout, job).filter((line) => new RegExp(`^\\[setup \\d+/\\d+\\] ${verb}: `).test(line));
}

const STEP_ENV_CONFIG = `
jobs:
  unit:
    setup:
      - run: env | LC_ALL=C sort > step-env.txt
        env: { OWN: yes }
        network: none
    run: cat step-env.txt
`;

describe('setup layer keys', () => {
  it('builds the same step in two jobs with different names and env once, and once again under --no-cache', async () => {
    const project = makeProject(`
jobs:
  first:
    env: { WHO: first }
    setup:
      - run: echo built > built.txt
        network: none
    run: cat built.txt
  second:
    env: { WHO: second, OTHER: x }
    needs: [first]
    setup:
      - run: echo built > built.txt
        network: none
    run: cat built.txt
`);
    const result = await project.cubicle(['run', '--parallel', '1']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(stepLines(result.stdout, 'first', 'running')).toHaveLength(1);
    expect(stepLines(result.stdout, 'second', 'cached')).toHaveLength(1);
    expect(setupLayers(project)).toHaveLength(1);

    // --no-cache rebuilds it once: the second job reuses the new layer, never replaces it under the first.
    const again = await project.cubicle(['run', '--parallel', '1', '--no-cache']);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(stepLines(again.stdout, 'first', 'running')).toHaveLength(1);
    expect(stepLines(again.stdout, 'second', 'cached')).toHaveLength(1);
    expect(setupLayers(project)).toHaveLength(1);
  }, 60_000);

  it('reuses the layer under another TERM, LANG and PATH', async () => {
    const project = makeProject(STEP_ENV_CONFIG);
    const first = await project.cubicle(['run'], { env: { TERM: 'xterm', PATH: SHELL_PATH, LANG: 'C.UTF-8' } });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(stepLines(first.stdout, 'unit', 'running')).toHaveLength(1);
    const dumb = await project.cubicle(['run'], { env: { TERM: 'dumb', PATH: npxPath(project), LANG: 'de_DE.UTF-8' } });
    expect(dumb.exitCode, dumb.stdout + dumb.stderr).toBe(0);
    expect(stepLines(dumb.stdout, 'unit', 'cached')).toHaveLength(1);
    const noTerm = await project.cubicle(['run'], { env: { TERM: '', PATH: `/opt/elsewhere/bin:${SHELL_PATH}` } });
    expect(stepLines(noTerm.stdout, 'unit', 'cached')).toHaveLength(1);
    expect(setupLayers(project)).toHaveLength(1);
  }, 60_000);

  it('gives a step a fixed environment: its own env, PATH, HOME and CUBICLE_SETUP; and a fixed hostname', async () => {
    const jobRun = '    env: { JOBS_OWN: x }\n    run: cat step-env.txt; echo "host:$(cat step-host.txt)"';
    const config = STEP_ENV_CONFIG.replace('    run: cat step-env.txt', jobRun);
    const project = makeProject(config.replace('sort > step-env.txt', 'sort > step-env.txt; cat /proc/sys/kernel/hostname > step-host.txt'));
    const result = await project.cubicle(['run'], { env: { TERM: 'xterm', PATH: npxPath(project), LANG: 'C.UTF-8', CI: 'true' } });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const seen = outputOf(result.stdout, 'unit').filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line));
    // As BuildKit gives a RUN line; PWD, SHLVL and _ are the shell's own.
    const names = seen.map((line) => line.slice(0, line.indexOf('='))).filter((name) => !['PWD', 'SHLVL', '_'].includes(name));
    expect(names).toEqual(['CUBICLE_SETUP', 'HOME', 'OWN', 'PATH']);
    expect(seen).toContain(`PATH=${HOME_BIN}:${SHELL_PATH}`);
    expect(seen).toContain('OWN=yes');
    expect(outputOf(result.stdout, 'unit')).toContain('host:cubicle-setup');
  }, 60_000);

  // A toolchain the runner's PATH names under /opt (GitHub's setup-node) is the job's: the step builds with it, keyed.
  const optDir = fs.existsSync('/opt') ? fs.readdirSync('/opt', { withFileTypes: true }).find((entry) => entry.isDirectory()) : undefined;
  it.skipIf(!optDir)(
    "puts the runner's PATH dirs under /opt before the default PATH, and keys them",
    async () => {
      const toolchain = `/opt/${optDir!.name}`;
      const project = makeProject(STEP_ENV_CONFIG);
      const withToolchain = `${project.dir}/node_modules/.bin:${toolchain}:/usr/bin:/bin`;
      const first = await project.cubicle(['run'], { env: { TERM: 'xterm', PATH: withToolchain } });
      expect(first.exitCode, first.stdout + first.stderr).toBe(0);
      expect(outputOf(first.stdout, 'unit')).toContain(`PATH=${HOME_BIN}:${toolchain}:${SHELL_PATH}`);
      const again = await project.cubicle(['run'], { env: { TERM: 'dumb', PATH: `${toolchain}:${SHELL_PATH}` } });
      expect(stepLines(again.stdout, 'unit', 'cached')).toHaveLength(1);
      const without = await project.cubicle(['run'], { env: { TERM: 'dumb', PATH: SHELL_PATH } });
      expect(stepLines(without.stdout, 'unit', 'running')).toHaveLength(1);
      expect(outputOf(without.stdout, 'unit')).toContain(`PATH=${HOME_BIN}:${SHELL_PATH}`);
    },
    60_000,
  );

  it('rebuilds exactly the steps whose command, own env, input content or network changed', async () => {
    const config = (values: { own: string; network: string; run: string }) => `
jobs:
  control:
    setup:
      - run: echo control > out.txt
        inputs: [fixed.txt]
        network: none
    run: cat out.txt
  own-env:
    setup:
      - run: echo "$OWN" > out.txt
        env: { OWN: ${values.own} }
        network: none
    run: cat out.txt
  input:
    setup:
      - run: cat data.txt > out.txt
        inputs: [data.txt]
        network: none
    run: cat out.txt
  network:
    setup:
      - run: echo net > out.txt
        network: ${values.network}
    run: cat out.txt
  command:
    setup:
      - run: ${values.run}
        network: none
    run: cat out.txt
`;
    const project = makeProject(config({ own: 'one', network: 'none', run: 'echo a > out.txt' }), { 'fixed.txt': 'same\n', 'data.txt': 'one\n' });
    const first = await project.cubicle(['run', '--parallel', '1'], { env: { TERM: 'xterm', PATH: SHELL_PATH } });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(setupLayers(project)).toHaveLength(5);

    fs.writeFileSync(project.file('cubicle.config.yaml'), config({ own: 'two', network: 'host', run: 'echo b > out.txt' }));
    fs.writeFileSync(project.file('data.txt'), 'two\n');
    // Touched but not changed: a key covers content, not times.
    fs.utimesSync(project.file('fixed.txt'), new Date(), new Date(Date.now() + 5000));
    const second = await project.cubicle(['run', '--parallel', '1'], { env: { TERM: 'dumb', PATH: npxPath(project) } });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(stepLines(second.stdout, 'control', 'cached')).toHaveLength(1);
    for (const job of ['own-env', 'input', 'network', 'command']) expect(stepLines(second.stdout, job, 'running'), job).toHaveLength(1);
    expect(outputOf(second.stdout, 'own-env')).toContain('two');
    expect(outputOf(second.stdout, 'input')).toContain('two');
    expect(setupLayers(project)).toHaveLength(9);
  }, 90_000);
});
