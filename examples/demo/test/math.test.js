import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mean, sum } from '../src/math.js';

test('sum adds numbers', () => {
  assert.equal(sum([1, 2, 3]), 6);
});

test('mean of no numbers is an error', () => {
  assert.throws(() => mean([]), RangeError);
});

test('the checkout is writable inside the sandbox, never on the host', async () => {
  const { writeFile, readFile } = await import('node:fs/promises');
  const scratch = new URL('../scratch.txt', import.meta.url);
  await writeFile(scratch, 'written inside the sandbox\n');
  assert.equal(await readFile(scratch, 'utf8'), 'written inside the sandbox\n');
});
