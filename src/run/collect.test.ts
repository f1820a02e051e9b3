import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectOutputs } from './collect.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function scratch(): { upper: string; destination: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-collect-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'upper', 'out'), { recursive: true });
  return { upper: path.join(dir, 'upper'), destination: path.join(dir, 'artifacts', 'job') };
}

describe('collectOutputs: a budget of bytes copied out, counted as allocated blocks', () => {
  it('copies files while they fit; a file over the budget is named with the budget, the others are copied', async () => {
    const { upper, destination } = scratch();
    fs.writeFileSync(path.join(upper, 'out', 'a'), Buffer.alloc(300 * 1024, 1));
    fs.writeFileSync(path.join(upper, 'out', 'b'), Buffer.alloc(900 * 1024, 1));
    fs.writeFileSync(path.join(upper, 'out', 'c'), 'small');
    const collected = await collectOutputs({ upper, junit: [], artifacts: ['out'], destination, budgetBytes: 1024 * 1024 });
    expect([...collected.artifacts].sort()).toEqual(['out/a', 'out/c']);
    const named = /^out\/b: not copied: 900 KiB, over the 1(\.0)? MiB a job's files may take when copied out \(30\d KiB already were\)$/;
    expect(collected.failed).toEqual([expect.stringMatching(named)]);
    expect(fs.existsSync(path.join(destination, 'out', 'b'))).toBe(false);
  });

  it('a sparse file costs its data, not its apparent size, and stays sparse', async () => {
    const { upper, destination } = scratch();
    fs.writeFileSync(path.join(upper, 'out', 'sparse'), 'x');
    fs.truncateSync(path.join(upper, 'out', 'sparse'), 10 * 1024 * 1024 * 1024);
    const collected = await collectOutputs({ upper, junit: [], artifacts: ['out'], destination, budgetBytes: 1024 * 1024 });
    expect(collected).toMatchObject({ artifacts: ['out/sparse'], failed: [] });
    const copy = fs.statSync(path.join(destination, 'out', 'sparse'));
    expect(copy.size).toBe(10 * 1024 * 1024 * 1024);
    expect(copy.blocks * 512).toBeLessThan(1024 * 1024);
  });
});
