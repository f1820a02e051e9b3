import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostFilesystem, sandboxSpec, type SandboxRequest } from './sandbox-spec.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-plan-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const request: SandboxRequest = {
  name: 'unit',
  command: ['true'],
  env: { HOME: '/root', PATH: '/usr/bin' },
  network: 'none',
  limits: {},
  projectDir: '/tmp/checkout',
};

describe('sandboxSpec: volatile uppers', () => {
  it("mounts a job's and a layered job's overlays volatile: their uppers are thrown away", () => {
    expect(sandboxSpec(request, { upper: '/u', work: '/w', cgroups: [] }, hostFilesystem('/tmp/checkout')).volatileUpper).toBe(true);
    const dirs = {
      upper: '/u',
      work: '/w',
      rootUpper: path.join(scratch, 'ru'),
      rootWork: path.join(scratch, 'rw'),
      skeleton: path.join(scratch, 'sk'),
      cgroups: [],
    };
    const layered = { ...hostFilesystem('/tmp/checkout'), hostSystem: false, rootLowers: [path.join(scratch, 'base')] };
    expect(sandboxSpec(request, dirs, layered).volatileUpper).toBe(true);
  });

  it("never a setup step's: its upper becomes a layer, synced by the overlay before the commit", () => {
    const dirs = {
      upper: '/u',
      work: '/w',
      rootUpper: path.join(scratch, 'su'),
      rootWork: path.join(scratch, 'sw'),
      skeleton: path.join(scratch, 'ss'),
      cgroups: [],
    };
    const step = { ...hostFilesystem('/tmp/checkout'), captureRoot: true };
    expect(sandboxSpec(request, dirs, step).volatileUpper).toBe(false);
  });
});
