// Registry credentials from the files podman and docker write: REGISTRY_AUTH_FILE,
// $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json. The first file with an
// entry for the registry wins; within a file the most specific key (host/repo over host) wins.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DOCKER_HUB_REGISTRY } from './ref.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** The file they came from, for messages (never the secret itself). */
  readonly source: string;
}

export interface CredentialLookup {
  readonly credentials: Credentials | undefined;
  /** Every file looked at, in order. */
  readonly searched: readonly string[];
  /** What could not be used: credential helpers, identity tokens, unreadable files. */
  readonly notes: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface AuthFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const DOCKER_HUB_KEYS = new Set(['docker.io', 'index.docker.io', DOCKER_HUB_REGISTRY]);

export function authFilePaths(env: Env): string[] {
  const files: string[] = [];
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  const dockerConfigDir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  files.push(path.join(dockerConfigDir, 'config.json'));
  return files;
}

/** `https://index.docker.io/v1/` -> `registry-1.docker.io`; `quay.io/org` stays. */
function normalizeKey(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, '').replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  const slash = bare.indexOf('/');
  const host = (slash === -1 ? bare : bare.slice(0, slash)).toLowerCase();
  const rest = slash === -1 ? '' : bare.slice(slash);
  return (DOCKER_HUB_KEYS.has(host) ? DOCKER_HUB_REGISTRY : host) + rest;
}

function keyMatches(key: string, registry: string, repository: string): boolean {
  const full = `${registry}/${repository}`;
  return key === registry || (full.startsWith(key) && full[key.length] === '/') || key === full;
}

function decodeEntry(entry: AuthEntry): { username: string; password: string } | undefined {
  if (typeof entry.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string') return { username: entry.username, password: entry.password };
  return undefined;
}

export async function findCredentials(registry: string, repository: string, env: Env): Promise<CredentialLookup> {
  const searched = authFilePaths(env);
  const notes: string[] = [];
  for (const file of searched) {
    const parsed = await readAuthFile(file, notes);
    if (!parsed) continue;
    const keys = Object.keys(parsed.auths ?? {})
      .map((key) => ({ key, normalized: normalizeKey(key) }))
      .filter(({ normalized }) => keyMatches(normalized, registry, repository))
      .sort((a, b) => b.normalized.length - a.normalized.length);
    for (const { key } of keys) {
      const entry = parsed.auths?.[key] ?? {};
      const decoded = decodeEntry(entry);
      if (decoded) return { credentials: { ...decoded, source: file }, searched, notes };
      if (entry.identitytoken) notes.push(`${file} has an identitytoken for ${key}, which cubicle does not support (it needs username and password)`);
    }
    const helper = Object.entries(parsed.credHelpers ?? {}).find(([key]) => keyMatches(normalizeKey(key), registry, repository))?.[1];
    if (helper) notes.push(`${file} names the credential helper docker-credential-${helper} for ${registry}; cubicle does not run credential helpers`);
    else if (parsed.credsStore) notes.push(`${file} names the credential store docker-credential-${parsed.credsStore}; cubicle does not run credential helpers`);
  }
  return { credentials: undefined, searched, notes };
}

async function readAuthFile(file: string, notes: string[]): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(`${file} could not be read (${(error as Error).message})`);
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as AuthFile) : undefined;
  } catch {
    notes.push(`${file} is not valid JSON`);
    return undefined;
  }
}
