// --junit and --json to places that are not regular files (/dev/null, stdout, a FIFO): the real CLI
// on a fixture project. Before: exit 70 after every job passed (a temp file could not be made in /dev).
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, removeProjects } from '../helpers/project.js';
import { validate } from './helpers.js';

afterAll(removeProjects);

function restoreDevNull(): void {
  execFileSync('mknod', ['-m', '666', '/dev/.null.cubicle-test', 'c', '1', '3']);
  fs.renameSync('/dev/.null.cubicle-test', '/dev/null');
}

const CONFIG = 'jobs:\n  hello:\n    run: echo hello-from-the-job\n';

describe('reports to special files', () => {
  it('--junit /dev/null: the run passes (exit 0), /dev/null stays a device', async () => {
    const project = makeProject(CONFIG);
    const result = await project.cubicle(['run', '--junit', '/dev/null']);
    const stillDevice = fs.statSync('/dev/null').isCharacterDevice();
    // As root, the old temp + rename replaced the host's /dev/null by a regular file: put the device back first.
    if (!stillDevice) restoreDevNull();
    expect(stillDevice).toBe(true);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('--json -: stdout is the JSON alone; the console view and summary go to stderr', async () => {
    const project = makeProject(CONFIG);
    const result = await project.cubicle(['run', '--json', '-', '--junit', '/dev/null']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { jobs: { name: string; status: string }[] };
    expect(json.jobs).toEqual([expect.objectContaining({ name: 'hello', status: 'passed' })]);
    expect(result.stderr).toContain('[hello] hello-from-the-job');
    expect(result.stderr).toContain('1 passed');
  });

  it('--junit /dev/stdout into a pipe: stdout is a valid JUnit report, the console on stderr', async () => {
    const project = makeProject(CONFIG);
    const result = await project.cubicle(['run', '--junit', '/dev/stdout']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.startsWith('<?xml')).toBe(true);
    const copy = path.join(project.dir, '..', 'stdout.xml');
    fs.writeFileSync(copy, result.stdout);
    validate(copy);
    expect(result.stderr).toContain('1 passed');
  });

  it('a FIFO outside the checkout is written through, not replaced', async () => {
    const project = makeProject(CONFIG);
    const fifo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-fifo-')), 'report.fifo');
    await execa('mkfifo', [fifo]);
    const reader = execa('cat', [fifo], { reject: false });
    try {
      const result = await project.cubicle(['run', '--junit', fifo]);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(String((await reader).stdout)).toContain('<testsuite name="hello"');
      expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    } finally {
      reader.kill();
      fs.rmSync(path.dirname(fifo), { recursive: true, force: true });
    }
  });

  it('a FIFO planted in the checkout is still replaced by a regular file, never written through', async () => {
    const project = makeProject(CONFIG);
    await execa('mkfifo', [project.file('planted.xml')]);
    const result = await project.cubicle(['run', '--junit', 'planted.xml']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(fs.lstatSync(project.file('planted.xml')).isFile()).toBe(true);
    expect(project.read('planted.xml')).toContain('<testsuite name="hello"');
  });
});
