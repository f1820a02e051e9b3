// The platform package is used only at cubicle's own version: another version's helper may speak
// another argv/status protocol, so it is passed over (for the checkout's build, then a source build).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findNative, platformPackage } from './binaries.js';

// An explicit copy would win over everything: these tests are about the package.
delete process.env.CUBICLE_SANDBOX;
delete process.env.CUBICLE_LAYER_TOOL;

const roots: string[] = [];
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** An installed cubicle at `version` with its platform package at `platformVersion`, and nothing else. */
function installed(version: string, platformVersion: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-binaries-'));
  roots.push(root);
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'cubicle', version }));
  const pkg = path.join(root, 'node_modules', platformPackage());
  fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: platformPackage(), version: platformVersion }));
  for (const file of ['cubicle-sandbox', 'cubicle-layer']) fs.writeFileSync(path.join(pkg, 'bin', file), '#!/bin/sh\n', { mode: 0o755 });
  return root;
}

describe('the platform package', () => {
  it("at cubicle's version gives both programs", () => {
    const root = installed('1.2.3', '1.2.3');
    expect(findNative('sandbox', root)).toMatchObject({ source: 'package', path: path.join(root, 'node_modules', platformPackage(), 'bin/cubicle-sandbox') });
    expect(findNative('layer', root)?.origin).toBe(`from the platform package ${platformPackage()}@1.2.3`);
  });

  it('at another version is not used', () => {
    const saved = process.env.CUBICLE_CACHE_DIR;
    process.env.CUBICLE_CACHE_DIR = path.join(os.tmpdir(), 'cubicle-binaries-none'); // no earlier source build either
    try {
      expect(findNative('sandbox', installed('1.2.3', '1.2.2'))).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.CUBICLE_CACHE_DIR;
      else process.env.CUBICLE_CACHE_DIR = saved;
    }
  });
});
