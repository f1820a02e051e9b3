import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCgroupMemory } from './cgroup-memory.js';

describe('readCgroupMemory', () => {
  it("reads cgroup v2's memory.current, or v1's memory.usage_in_bytes in whichever hierarchy has it", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-live-'));
    const [v2, cpu, memory] = ['v2', 'cpu', 'memory'].map((name) => path.join(root, name));
    for (const dir of [v2!, cpu!, memory!]) fs.mkdirSync(dir);
    fs.writeFileSync(path.join(v2!, 'memory.current'), '1048576\n');
    fs.writeFileSync(path.join(memory!, 'memory.usage_in_bytes'), '2097152\n');
    expect(readCgroupMemory([v2!])).toBe(1048576);
    expect(readCgroupMemory([cpu!, memory!])).toBe(2097152);
    expect(readCgroupMemory([path.join(root, 'gone')])).toBeUndefined();
    expect(readCgroupMemory([])).toBeUndefined();
    fs.rmSync(root, { recursive: true });
  });
});
