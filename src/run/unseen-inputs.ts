// A setup step sees only its `inputs` of the checkout. When one fails for want of a file that the
// checkout has (npm's `prepare` building from sources it was not given), its output names that
// file in a "not found" error, worded as node ("Cannot find module '/src/app/scripts/build.js'",
// "ENOENT: no such file or directory, open 'src/version.txt'"), coreutils ("cat: src/v.txt: No
// such file or directory"), dash ("sh: 0: cannot open ./x.sh: No such file") or Python ("can't
// open file '/src/app/gen.py': [Errno 2] ..."). Those files, where the checkout holds them and the
// step's inputs do not, are the ones to add; a file the checkout lacks too is not an inputs problem.
import fs from 'node:fs';
import path from 'node:path';

/** A line of a "file not found" error, in the wording of node, npm, sh, coreutils and Python. */
const NOT_FOUND_LINE = /ENOENT|No such file|Cannot find module|can't open file|cannot open|: not found$/;
/** Quoted names, and bare words ("cat: src/a.txt: No such file..."), which must look like paths (a / or a .). */
const CANDIDATES = /'([^'\s]+)'|"([^"\s]+)"|([^\s'":,()]+)/g;
const PATH_LIKE = /[/.]/;
/** At most this many files are named: past that, the step wants a glob or a dir, not a list. */
const MOST_NAMED = 5;

/**
 * The checkout files (relative, '/'-separated) that the step's `output` says it failed to find,
 * and that `projectDir` has but `inputs` (the staged files' relative paths) does not.
 */
export function unseenCheckoutFiles(output: string, projectDir: string, inputs: readonly string[]): string[] {
  const staged = new Set(inputs);
  const found: string[] = [];
  for (const line of output.split('\n')) {
    if (!NOT_FOUND_LINE.test(line)) continue;
    for (const match of line.matchAll(CANDIDATES)) {
      const bare = match[3];
      if (bare !== undefined && (!PATH_LIKE.test(bare) || /^\.+$/.test(bare))) continue;
      const relative = checkoutRelative(match[1] ?? match[2] ?? bare ?? '', projectDir);
      if (!relative || staged.has(relative) || found.includes(relative)) continue;
      if (!fs.lstatSync(path.join(projectDir, relative), { throwIfNoEntry: false })) continue;
      found.push(relative);
      if (found.length === MOST_NAMED) return found;
    }
  }
  return found;
}

/** `name` as a path relative to the checkout (the step's cwd), or null where it is not one beneath it. */
function checkoutRelative(name: string, projectDir: string): string | null {
  if (!name || name.includes('\0')) return null;
  const absolute = path.resolve(projectDir, name);
  const relative = path.relative(projectDir, absolute);
  if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  // The checkout's own node_modules and .git are never what a step should be given.
  const first = relative.split(path.sep)[0];
  if (first === 'node_modules' || first === '.git') return null;
  return relative.split(path.sep).join('/');
}

/** The sentence a failed step's message ends with when its output names checkout files it could not see. */
export function unseenInputsHint(files: readonly string[], inputs: readonly string[]): string {
  if (files.length === 0) return '';
  const named = files.map((file) => `\`${file}\``).join(', ');
  const suggested = [...inputs, ...files].map((entry) => (/^[\w@./+-]+$/.test(entry) ? entry : JSON.stringify(entry))).join(', ');
  return (
    `; it tried to read ${named}, which the checkout has but this step cannot see: a setup step sees only its \`inputs\` of the checkout. ` +
    `Add ${files.length > 1 ? 'them' : 'it'} (inputs: [${suggested}]), or a glob or dir that covers ${files.length > 1 ? 'them' : 'it'}; ` +
    "a preset's step is changed by writing it out under the job's `setup:`"
  );
}
