// What `cache import` believes of an archive. It trusts an archive's layer contents as much as
// whoever wrote it (the digest only proves they were not changed since), but never lets its
// metadata name a host path or another key: each meta.json and image record is hostile input,
// checked strictly; a layer's id must be what its own key derives, its parent a known layer, and
// root/ and ws/ real directories. One problem anywhere and nothing is imported.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import type { LayerMeta } from './layers.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a 64-digit hex key' });
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const layerMetaSchema = z.strictObject({
  id: hex64,
  kind: z.enum(['setup', 'image', 'debian']),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected sha256:<hex>' }),
  parent: hex64.nullable(),
  key: z.record(z.string(), z.unknown()),
  description: z.string().max(100_000),
  sizeBytes: count,
  created: z.iso.datetime(),
});

/** A setup step's key material (plan/step-key.ts stepKeyMaterial): what its id is the sha256 of. */
const setupKeySchema = z.strictObject({
  format: count,
  parent: hex64,
  run: z.string(),
  env: z.array(z.tuple([z.string(), z.string()])),
  network: z.enum(['none', 'host', 'outbound']),
  workdir: z.string(),
  // Absent from layers made before cache paths entered the key; their ids still derive from what they have.
  caches: z.array(z.string()).optional(),
  inputs: z.array(z.tuple([z.string(), z.enum(['x', '-']), hex64])),
});

const imageKeySchema = z.strictObject({ format: count, diffId: z.string().regex(/^sha256:[0-9a-f]{64}$/), blob: z.string(), mediaType: z.string() });

const debianKeySchema = z.strictObject({ format: count, debian: z.string().regex(/^[a-z][a-z0-9-]*$/), variant: z.string(), arch: z.string() });

const imageRecordSchema = z.strictObject({
  ref: z.string().min(1).max(1000),
  kind: z.enum(['oci', 'debian']),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  layerIds: z.array(hex64).min(1).max(1000),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()),
  // An image config's WorkingDir, User, Cmd, Entrypoint (store/images.ts ImageRunConfig): the dir an absolute, normalized path.
  runConfig: z
    .strictObject({
      workdir: z
        .string()
        .max(4096)
        .refine((dir) => dir.startsWith('/') && !dir.includes('\0') && !dir.split('/').some((part) => part === '..' || part === '.'), {
          error: 'expected an absolute path without . or .. parts',
        }),
      user: z.string().max(256),
      cmd: z.array(z.string().max(100_000)).max(1000).nullable(),
      entrypoint: z.array(z.string().max(100_000)).max(1000).nullable(),
    })
    .optional(),
});

export type ImportedRecord = z.infer<typeof imageRecordSchema>;

/** The meta.json of the unpacked layer dir `dir` (named `name`), or the problem with it. */
export function checkImportedMeta(dir: string, name: string): { meta: LayerMeta } | { problem: string } {
  const shape = notPlainDirs(dir);
  if (shape) return { problem: shape };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  } catch (error) {
    return { problem: `meta.json cannot be read as JSON: ${(error as Error).message}` };
  }
  const parsed = layerMetaSchema.safeParse(raw);
  if (!parsed.success) return { problem: `meta.json is not a layer's: ${issuesOf(parsed.error)}` };
  const meta = parsed.data;
  if (meta.id !== name) return { problem: `meta.json names ${meta.id}, not the layer it is in` };
  const keyProblem = checkKey(meta);
  return keyProblem ? { problem: keyProblem } : { meta };
}

/** An image record of the archive (images/NAME), or the problem with it: its name must be its ref's hash. */
export function checkImportedRecord(file: string, name: string): { record: ImportedRecord } | { problem: string } {
  let raw: unknown;
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile()) return { problem: 'not a regular file' };
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { problem: `cannot be read as JSON: ${(error as Error).message}` };
  }
  const parsed = imageRecordSchema.safeParse(raw);
  if (!parsed.success) return { problem: `not an image record: ${issuesOf(parsed.error)}` };
  const expected = `${sha256(parsed.data.ref)}.json`;
  if (name !== expected) return { problem: `is named ${name}, but its ref ${JSON.stringify(parsed.data.ref)} is stored as ${expected}` };
  return { record: parsed.data };
}

/** The id each kind of layer is derived from its key; any other id is refused. */
function checkKey(meta: LayerMeta): string | null {
  if (meta.kind === 'setup') {
    const key = setupKeySchema.safeParse(meta.key);
    if (!key.success) return `its key is not a setup step's: ${issuesOf(key.error)}`;
    if (key.data.parent !== meta.parent) return `its key names the parent ${key.data.parent}, its meta.json ${meta.parent ?? 'none'}`;
    const derived = sha256(JSON.stringify(meta.key));
    return derived === meta.id ? null : `its id is not its key's hash (the key derives ${derived})`;
  }
  if (meta.kind === 'debian') {
    const key = debianKeySchema.safeParse(meta.key);
    if (!key.success) return `its key is not a debian base's: ${issuesOf(key.error)}`;
    if (meta.parent !== null) return 'a debian base names a parent';
    const derived = sha256(JSON.stringify(meta.key));
    return derived === meta.id ? null : `its id is not its key's hash (the key derives ${derived})`;
  }
  const key = imageKeySchema.safeParse(meta.key);
  if (!key.success) return `its key is not an image layer's: ${issuesOf(key.error)}`;
  return key.data.diffId === `sha256:${meta.id}` ? null : `its id is not its key's diffId ${key.data.diffId}`;
}

/** The layer dir, root/, ws/ must be directories and meta.json a file, none a symlink (to $HOME, to /etc). */
function notPlainDirs(dir: string): string | null {
  const expected: [string, 'dir' | 'file'][] = [
    ['', 'dir'],
    ['root', 'dir'],
    ['ws', 'dir'],
    ['meta.json', 'file'],
  ];
  for (const [entry, type] of expected) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(dir, entry));
    } catch {
      return `${entry || 'the layer dir'} is missing`;
    }
    if (type === 'dir' ? stat.isDirectory() : stat.isFile()) continue;
    return `${entry || 'the layer dir'} is not a plain ${type === 'dir' ? 'directory' : 'file'}${stat.isSymbolicLink() ? ' (a symlink)' : ''}`;
  }
  return null;
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`)
    .join('; ');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
