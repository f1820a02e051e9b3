// Where the checkout and its CLI are, said once for every suite (each used to work it out itself).
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(REPO, 'bin', 'cubicle.js');
