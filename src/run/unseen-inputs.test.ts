// The "not found" lines of real tools (captured from a failed `npm install` whose prepare script
// ran cat, python3, dash and node on files not in the step's inputs), read back into checkout files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unseenCheckoutFiles, unseenInputsHint } from './unseen-inputs.js';

const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-unseen-'));
afterAll(() => fs.rmSync(checkout, { recursive: true, force: true }));
for (const file of ['package.json', 'src/version.txt', 'scripts/gen.py', 'scripts/x.sh', 'scripts/build.js', 'node_modules/x/index.js', 'file']) {
  fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
  fs.writeFileSync(path.join(checkout, file), '');
}

const output = [
  '> s3@1.0.0 prepare',
  '> cat src/version.txt; python3 scripts/gen.py; sh ./scripts/x.sh',
  'cat: src/version.txt: No such file or directory',
  `python3: can't open file '${checkout}/scripts/gen.py': [Errno 2] No such file or directory`,
  'sh: 0: cannot open ./scripts/x.sh: No such file',
  `Error: Cannot find module '${checkout}/scripts/build.js'`,
  "Error: ENOENT: no such file or directory, open 'src/version.txt'",
  "Error: ENOENT: no such file or directory, open 'missing/too.txt'",
  `Error: Cannot find module '${checkout}/node_modules/x/index.js'`,
  `npm error path ${checkout}`,
].join('\n');

describe('unseenCheckoutFiles', () => {
  it('names each checkout file a tool could not find, once, in order; not inputs, not files the checkout lacks, not node_modules', () => {
    expect(unseenCheckoutFiles(output, checkout, ['package.json'])).toEqual(['src/version.txt', 'scripts/gen.py', 'scripts/x.sh', 'scripts/build.js']);
    expect(unseenCheckoutFiles(output, checkout, ['package.json', 'scripts/gen.py', 'src/version.txt'])).toEqual(['scripts/x.sh', 'scripts/build.js']);
  });

  it('ignores words that are not paths and lines that are not "not found" errors', () => {
    // "file" exists in the checkout, but a bare word without / or . is prose.
    expect(unseenCheckoutFiles('cat: file: No such file or directory\nread src/version.txt fine', checkout, [])).toEqual([]);
    expect(unseenCheckoutFiles(`/bin/sh: 1: ${checkout}/../etc/passwd: not found`, checkout, [])).toEqual([]);
  });

  it('says what to add, with the inputs the step has', () => {
    expect(unseenInputsHint([], ['package.json'])).toBe('');
    expect(unseenInputsHint(['scripts/build.js'], ['package.json', 'src/**'])).toContain('Add it (inputs: [package.json, "src/**", scripts/build.js])');
  });
});
