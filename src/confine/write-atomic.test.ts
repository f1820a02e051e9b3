import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processTag } from '../core/process-tag.js';
import { writeAtomically } from './write-atomic.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-write-'));
  dirs.push(dir);
  return dir;
}

describe('writeAtomically', () => {
  it('writes the content and leaves no temp file', () => {
    const dir = scratch();
    writeAtomically(path.join(dir, 'junit.xml'), '<testsuites/>\n');
    expect(fs.readdirSync(dir)).toEqual(['junit.xml']);
    expect(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toBe('<testsuites/>\n');
  });

  it("removes a killed writer's temp file of the same report, and keeps a live writer's and other files'", () => {
    const dir = scratch();
    // PID 1 exists, but never with start time 1: the tag of a runner that is gone.
    const stale = '.junit.xml.1-1-abcdef.tmp';
    const live = `.junit.xml.${processTag()}-012345.tmp`;
    const other = '.results.json.1-1-abcdef.tmp';
    for (const name of [stale, live, other]) fs.writeFileSync(path.join(dir, name), 'partial');
    writeAtomically(path.join(dir, 'junit.xml'), '<testsuites/>\n');
    expect(fs.readdirSync(dir).sort()).toEqual([live, other, 'junit.xml'].sort());
  });

  it('gives the file the mode asked for', () => {
    const dir = scratch();
    writeAtomically(path.join(dir, 'record.json'), '{}\n', 0o644);
    expect(fs.statSync(path.join(dir, 'record.json')).mode & 0o777).toBe(0o644 & ~process.umask());
  });
});
