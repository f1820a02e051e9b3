// Presets: presets/NAME.yaml, shipped with cubicle, give a job the keys a kind of project needs
// (setup, run, env, junit, testFiles, caches). They are data, not code: `detect:` variants fit a preset to
// the checkout (its lockfile, its test framework) by whether a file exists or contains a text.
// A preset's step lists every file that can change what it installs (.npmrc, pnpm-workspace.yaml):
// the ones a checkout does not have are left out of that step's `inputs` there.
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { PRESET_KEYS, presetSchema, type JobInput, type PresetInput, type PresetJobInput } from './schema.js';

/** The package's presets/. */
export const PRESETS_DIR = path.join(PACKAGE_ROOT, 'presets');

const PRESET_NAME = /^[a-z0-9][a-z0-9-]*$/;

export type PresetLookup = { readonly keys: PresetJobInput } | { readonly problem: string };

/** The names of the presets in `dir`, sorted. */
export function availablePresets(dir = PRESETS_DIR): string[] {
  let files: string[];
  try {
    files = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .filter((name) => PRESET_NAME.test(name))
    .sort();
}

/** The keys preset `name` gives a job in `projectDir`, or why it gives none. */
export function lookUpPreset(name: string, projectDir: string, dir = PRESETS_DIR): PresetLookup {
  const file = path.join(dir, `${name}.yaml`);
  if (!PRESET_NAME.test(name) || !fs.existsSync(file)) {
    const names = availablePresets(dir);
    return {
      problem: `unknown preset "${name}": the presets are ${names.length ? names.map((known) => `"${known}"`).join(', ') : `none (${dir} is missing or empty)`}`,
    };
  }
  let raw: unknown;
  try {
    raw = parseYamlSync(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { problem: `preset "${name}" (${file}) cannot be read: ${(error as Error).message.split('\n')[0]}` };
  }
  const parsed = presetSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`);
    return { problem: `preset "${name}" (${file}) is invalid: ${issues.join('; ')}` };
  }
  return { keys: presetKeysFor(parsed.data, projectDir) };
}

/** Each key from the first `detect` entry that holds in `projectDir` and sets it, else from the preset's top level. */
export function presetKeysFor(preset: PresetInput, projectDir: string): PresetJobInput {
  const keys: PresetJobInput = {};
  const take = (source: PresetJobInput) => {
    for (const key of PRESET_KEYS) if (keys[key] === undefined && source[key] !== undefined) Object.assign(keys, { [key]: source[key] });
  };
  for (const variant of preset.detect ?? []) if (conditionHolds(variant.when, projectDir)) take(variant);
  take(preset);
  const present = (inputs: readonly string[]) => inputs.filter((input) => isPresent(input, projectDir));
  if (keys.setup) keys.setup = keys.setup.map((step) => (step.inputs ? { ...step, inputs: present(step.inputs) } : step));
  return keys;
}

/** A glob stays (an input glob that matches nothing is the step's own error); a file name stays where the checkout has it. */
function isPresent(input: string, projectDir: string): boolean {
  return /[*?[\]{}()!]/.test(input) || fs.existsSync(path.join(projectDir, input));
}

/** A job over its preset: the job's own keys replace the preset's, except `env` (merged, the job's variables win) and `caches` (both). */
export function mergePreset(job: JobInput, preset: PresetJobInput): JobInput {
  const merged: JobInput = { ...job };
  if (job.setup === undefined && preset.setup !== undefined) merged.setup = preset.setup;
  if (job.run === undefined && preset.run !== undefined) merged.run = preset.run;
  if (job.junit === undefined && preset.junit !== undefined) merged.junit = preset.junit;
  // The test files go with the command that takes them: a job's own `run` drops the preset's.
  if (job.testFiles === undefined && job.run === undefined && preset.testFiles !== undefined) merged.testFiles = preset.testFiles;
  if (preset.env !== undefined) merged.env = { ...preset.env, ...job.env };
  if (preset.caches !== undefined) merged.caches = [...new Set([...preset.caches, ...(job.caches ?? [])])];
  return merged;
}

function conditionHolds(when: NonNullable<PresetInput['detect']>[number]['when'], projectDir: string): boolean {
  if (when.exists !== undefined) {
    const candidates = typeof when.exists === 'string' ? [when.exists] : when.exists;
    if (!candidates.some((file) => fs.existsSync(path.join(projectDir, file)))) return false;
  }
  for (const [file, text] of Object.entries(when.contains ?? {})) {
    let content: string;
    try {
      content = fs.readFileSync(path.join(projectDir, file), 'utf8');
    } catch {
      return false;
    }
    if (!content.includes(text)) return false;
  }
  return true;
}

/**
 * resolveConfig() is synchronous and vendor.ts's parseYaml is not: js-yaml is imported here. Statically, so
 * esbuild bundles it: an installed cubicle has no node_modules/js-yaml (dependencies are bundled, not installed).
 */
function parseYamlSync(text: string): unknown {
  return loadYaml(text);
}
