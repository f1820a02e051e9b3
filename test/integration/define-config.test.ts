// `import { defineConfig } from 'cubicle'` as a user meets it: the package installed into the
// project's node_modules (its package.json `exports`, lib/config.mjs and the generated
// lib/config.d.ts), the config type-checked by tsc, and run by cubicle, which evaluates a code
// config in a sandbox that sees the checkout (so the import must resolve from there).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configTypeDeclarations } from '../../src/config/json-schema.js';
import { IS_ROOT } from '../helpers/host.js';
import { REPO } from '../helpers/paths.js';
import { makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** What `npm i -D cubicle` puts in node_modules/cubicle, as far as a config's import reaches. */
function installCubicle(projectDir: string): void {
  const target = path.join(projectDir, 'node_modules', 'cubicle');
  for (const file of ['package.json', 'lib/config.mjs', 'lib/config.d.ts', 'schema/cubicle.schema.json']) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO, file), path.join(target, file));
  }
}

function typeCheck(dir: string): { ok: boolean; output: string } {
  try {
    execFileSync(
      process.execPath,
      [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'cubicle.config.ts'],
      {
        cwd: dir,
        encoding: 'utf8',
        stdio: 'pipe',
      },
    );
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: String((error as { stdout?: string }).stdout ?? error) };
  }
}

const CONFIG = `import { defineConfig } from 'cubicle';

export default defineConfig({
  defaults: { timeout: '1m' },
  jobs: {
    unit: { run: 'echo defined-by-defineConfig', memory: '256m', env: { MODE: 'ci' } },
  },
});
`;

describe(`defineConfig from the installed package (${IS_ROOT ? 'as root' : 'rootless'})`, () => {
  it('lib/config.d.ts is what the zod schema generates (rebuild with `npm run build:ts`)', () => {
    expect(fs.readFileSync(path.join(REPO, 'lib', 'config.d.ts'), 'utf8')).toBe(configTypeDeclarations());
  });

  it("type-checks a cubicle.config.ts with tsc, and flags a typo'd key and a wrong value", () => {
    const project = makeProject('jobs: {}\n', { 'package.json': '{"type":"module","devDependencies":{"cubicle":"*"}}', 'cubicle.config.ts': CONFIG });
    installCubicle(project.dir);
    const good = typeCheck(project.dir);
    expect(good.output).toBe('');
    expect(good.ok).toBe(true);
    fs.writeFileSync(
      project.file('cubicle.config.ts'),
      CONFIG.replace("memory: '256m'", "memroy: '256m'").replace("{ timeout: '1m' }", "{ network: 'internet' }"),
    );
    const bad = typeCheck(project.dir);
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(
      /error TS2561: Object literal may only specify known properties, but 'memroy' does not exist in type .* Did you mean to write 'memory'\?/,
    );
    expect(bad.output).toMatch(/error TS2322: Type '"internet"' is not assignable/);
  }, 60_000);

  it('runs a cubicle.config.ts that imports defineConfig from cubicle', async () => {
    const project = makeProject('jobs: {}\n', { 'package.json': '{"type":"module"}', 'cubicle.config.ts': CONFIG });
    installCubicle(project.dir);
    const result = await project.cubicle(['run', '--config', 'cubicle.config.ts', '--no-limits']);
    expect(result.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('defined-by-defineConfig');
  }, 60_000);
});
