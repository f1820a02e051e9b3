// Registry credentials from the files podman and docker write: REGISTRY_AUTH_FILE,
// $XDG_RUNTIME_DIR/containers/auth.json, ~/.docker/config.json. The first file with an
// entry for the registry wins. Within a file, as in docker: a credential helper named for the
// registry (`credHelpers`) or for every registry (`credsStore`) is asked first, then `auths`,
// where the most specific key (host/repo over host) wins.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DOCKER_HUB_REGISTRY } from './ref.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /**
   * An OAuth2 refresh token (`identitytoken` in auths, or a helper's `<token>` secret): what
   * `docker login` keeps for registries that give one. It is exchanged at the token service for
   * an access token and never sent as basic auth; password is then empty.
   */
  readonly identityToken?: string | undefined;
  /** The file they came from (and the helper that gave them), for messages; never the secret itself. */
  readonly source: string;
}

export interface CredentialLookup {
  readonly credentials: Credentials | undefined;
  /** Every file looked at, in order. */
  readonly searched: readonly string[];
  /** What could not be used: credential helpers, unreadable files. */
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
  const bare = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/v[12]\/?$/, '')
    .replace(/\/+$/, '');
  const slash = bare.indexOf('/');
  const host = (slash === -1 ? bare : bare.slice(0, slash)).toLowerCase();
  const rest = slash === -1 ? '' : bare.slice(slash);
  return (DOCKER_HUB_KEYS.has(host) ? DOCKER_HUB_REGISTRY : host) + rest;
}

function keyMatches(key: string, registry: string, repository: string): boolean {
  const full = `${registry}/${repository}`;
  return key === registry || (full.startsWith(key) && full[key.length] === '/') || key === full;
}

type Secret = Omit<Credentials, 'source'>;

function decodeEntry(entry: AuthEntry): Secret | undefined {
  // docker keeps `auth` as base64("user:") beside an identity token: the token is what counts.
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) {
    const user =
      typeof entry.auth === 'string'
        ? Buffer.from(entry.auth, 'base64').toString('utf8').split(':')[0]
        : typeof entry.username === 'string'
          ? entry.username
          : '';
    return { username: user || '<token>', password: '', identityToken: entry.identitytoken };
  }
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
    const helper = Object.entries(parsed.credHelpers ?? {}).find(([key]) => normalizeKey(key) === registry)?.[1] ?? parsed.credsStore;
    if (typeof helper === 'string' && helper) {
      const fromHelper = await askHelper(helper, registry, env, file, notes);
      if (fromHelper) return { credentials: { ...fromHelper, source: `${file} (docker-credential-${helper})` }, searched, notes };
    }
    const keys = Object.keys(parsed.auths ?? {})
      .map((key) => ({ key, normalized: normalizeKey(key) }))
      .filter(({ normalized }) => keyMatches(normalized, registry, repository))
      .sort((a, b) => b.normalized.length - a.normalized.length);
    for (const { key } of keys) {
      const entry = parsed.auths?.[key] ?? {};
      const decoded = decodeEntry(entry);
      if (decoded) return { credentials: { ...decoded, source: file }, searched, notes };
    }
  }
  return { credentials: undefined, searched, notes };
}

/** How long a helper may take: one that prompts (a desktop keychain) is given up on, with a note. */
const HELPER_TIMEOUT_MS = 30_000;

/**
 * Docker's credential-helper protocol: `docker-credential-NAME get` reads the server (Docker
 * Hub's is https://index.docker.io/v1/, others their host) and prints
 * {"ServerURL","Username","Secret"}. Not found is an exit 1 saying so, or (older helpers)
 * empty fields. Anything else becomes a note; the secret never does.
 */
async function askHelper(name: string, registry: string, env: Env, file: string, notes: string[]): Promise<Secret | undefined> {
  const program = `docker-credential-${name}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    notes.push(`${file} names the credential helper ${JSON.stringify(program)}, which is not a program name`);
    return undefined;
  }
  const server = registry === DOCKER_HUB_REGISTRY ? 'https://index.docker.io/v1/' : registry;
  const result = await runHelper(program, server, { ...env, PATH: env.PATH ?? process.env.PATH });
  if ('error' in result) {
    notes.push(`${program} (named in ${file}) ${result.error}`);
    return undefined;
  }
  if (result.code !== 0) {
    const said = result.stdout.trim() || result.stderr.trim();
    notes.push(
      /credentials not found/i.test(said)
        ? `${program} has no credentials for ${server}`
        : `${program} failed for ${server} (exit ${result.code}: ${said.split('\n')[0]!.slice(0, 200)})`,
    );
    return undefined;
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(result.stdout) as typeof answer;
  } catch {
    notes.push(`${program} answered ${server} with something that is not JSON`);
    return undefined;
  }
  const username = typeof answer.Username === 'string' ? answer.Username : '';
  const password = typeof answer.Secret === 'string' ? answer.Secret : '';
  if (!username || !password) {
    notes.push(`${program} has no credentials for ${server}`);
    return undefined;
  }
  // Docker's protocol: the user `<token>` means the secret is an identity token.
  return username === '<token>' ? { username, password: '', identityToken: password } : { username, password };
}

function runHelper(program: string, server: string, env: Env): Promise<{ code: number | null; stdout: string; stderr: string } | { error: string }> {
  return new Promise((resolve) => {
    const child = spawn(program, ['get'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // EACCES: found nowhere runnable, with a PATH dir this user cannot search, or the file not executable.
    const reasons: Record<string, string> = { ENOENT: 'is not on PATH', EACCES: 'is not on PATH, or not executable by this user (EACCES)' };
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ error: reasons[error.code ?? ''] ?? `could not run: ${error.message}` }));
    child.on('close', (code, signal) =>
      resolve(signal ? { error: `was killed (${signal}) after ${HELPER_TIMEOUT_MS / 1000} s without an answer` } : { code, stdout, stderr }),
    );
    child.stdin.on('error', () => {}); // a helper that exits without reading: its exit code says why
    child.stdin.end(server);
  });
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
