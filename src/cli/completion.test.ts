import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';
import { completeWords } from './completion.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-completion-'));
fs.writeFileSync(path.join(dir, 'cubicle.config.yaml'), 'jobs:\n  unit: { run: "true" }\n  lint: { run: "true" }\n');
fs.mkdirSync(path.join(dir, 'other'));
fs.writeFileSync(path.join(dir, 'other', 'ci.yaml'), 'jobs:\n  e2e: { run: "true" }\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const complete = (line: string, zsh = false) => completeWords(['cubicle', ...line.split(' ')], { zsh, cwd: dir });

describe('shell completion', () => {
  it('lists the commands, with their descriptions for zsh', async () => {
    expect(await complete('')).toEqual(COMMANDS.map((command) => command.name));
    expect(await complete('ca')).toEqual(['cache']);
    expect((await complete('sh', true))[0]).toMatch(/^shell:A shell in JOB's sandbox/);
  });

  it("lists the config's jobs for run (each once) and shell (one), also from --config", async () => {
    expect(await complete('run ')).toEqual(['unit', 'lint']);
    expect(await complete('run unit ')).toEqual(['lint']);
    expect(await complete('run --config other/ci.yaml ')).toEqual(['e2e']);
    expect(await complete('shell u')).toEqual(['unit']);
    expect(await complete('shell unit ')).toEqual([]);
  });

  it("lists a command's options from its yargs definition, and the choices of the one being given", async () => {
    const options = await complete('run --');
    expect(options).toEqual(expect.arrayContaining(['--quiet', '--verbose', '--junit', '--parallel', '--no-cache', '--no-limits', '--help']));
    expect(await complete('exec --network ')).toEqual(['none', 'host']);
    expect(await complete('run --config ')).toEqual([]); // a file: the shell's own completion
    expect(await complete('run --shard ')).toEqual(['auto']); // or i/n, typed
    expect(await complete('cache ')).toEqual(['ls', 'prune', 'verify', 'export', 'import']);
    expect(await complete('completion ')).toEqual(['bash', 'zsh']);
  });

  it('finds no jobs, and fails nothing, without a config', async () => {
    expect(await completeWords(['cubicle', 'run', ''], { zsh: false, cwd: os.tmpdir() })).toEqual([]);
  });
});

describe('every command', () => {
  it('has a usage, a description and at least one example for --help', async () => {
    for (const entry of COMMANDS) {
      expect(entry.usage.startsWith(entry.name), entry.name).toBe(true);
      expect(entry.describe.length, entry.name).toBeGreaterThan(20);
      const command = await entry.load();
      expect(command.examples.length, entry.name).toBeGreaterThan(0);
      for (const [example] of command.examples) expect(example, entry.name).toContain(`$0 ${entry.name}`);
    }
  });
});
