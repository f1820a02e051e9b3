// The README's examples, read by the tests that run them as written.
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './paths.js';

/** The first ```yaml block after the heading `heading` in README.md. */
export function readmeExample(heading: string): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.indexOf(`\n${heading}\n`);
  if (section < 0) throw new Error(`README.md has no "${heading}" section`);
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(section));
  if (!block) throw new Error(`README.md's "${heading}" section has no yaml example`);
  return block[1]!;
}
