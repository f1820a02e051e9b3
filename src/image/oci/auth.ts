// Registry auth: the WWW-Authenticate challenge, anonymous or credentialed bearer tokens
// (the Docker token protocol), and basic auth. Secrets never reach a message.
import { NOTHING_PUSHED, NOTHING_STORED, RegistryUnauthorizedError } from './image-errors.js';
import type { CredentialLookup, Credentials } from './credentials.js';
import { TransientError } from './retry.js';
import { registryFetch } from './http.js';

export interface Challenge {
  /** Lower case: `bearer` or `basic`. */
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"`. */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  const match = header ? /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header) : null;
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const param of (match[2] ?? '').matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    if (param[1]) params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
  }
  return { scheme: match[1].toLowerCase(), params };
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

export interface TokenRequest {
  readonly registry: string;
  readonly challenge: Challenge;
  /** Used when the challenge names none: `repository:NAME:pull`. */
  readonly scope: string;
  readonly lookup: CredentialLookup;
  readonly signal?: AbortSignal | undefined;
  /** Its proxy and CA variables (http.ts). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The repository a push goes to: a refusal then says so. */
  readonly pushTo?: string | undefined;
}

/**
 * GET realm?service=&scope=, with basic auth when we have credentials; with an identity token,
 * the OAuth2 form instead: POST realm grant_type=refresh_token (as docker does). The answer's
 * token or access_token.
 */
export async function requestBearerToken(request: TokenRequest): Promise<string> {
  const realm = request.challenge.params.realm;
  if (!realm) throw new TransientError(`registry ${request.registry} asked for a bearer token but named no realm to get it from`);
  const url = new URL(realm);
  const service = request.challenge.params.service;
  const scopes = (request.challenge.params.scope ?? request.scope).split(' ');
  const credentials = request.lookup.credentials;
  let response: Response;
  if (credentials?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'cubicle', scope: scopes.join(' ') });
    if (service) form.set('service', service);
    response = await registryFetch(url, { method: 'POST', body: form, signal: request.signal ?? null }, request.env);
  } else {
    if (service) url.searchParams.set('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = credentials ? { authorization: basicAuthorization(credentials) } : {};
    response = await registryFetch(url, { headers, signal: request.signal ?? null }, request.env);
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw unauthorizedError(request.registry, request.lookup, `the token service ${url.origin}${url.pathname} answered ${response.status}`, request.pushTo);
  }
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel();
    throw new TransientError(`the token service ${url.origin} answered ${response.status}`);
  }
  const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
  if (!response.ok || typeof token !== 'string' || !token) {
    throw unauthorizedError(
      request.registry,
      request.lookup,
      `the token service ${url.origin}${url.pathname} answered ${response.status} without a token`,
      request.pushTo,
    );
  }
  return token;
}

/** Says which credentials were tried (user and file, never the password) and what could not be used. */
export function unauthorizedError(registry: string, lookup: CredentialLookup, detail: string, pushTo?: string): RegistryUnauthorizedError {
  if (pushTo) return pushRefusedError(registry, lookup, detail, pushTo);
  const credentials = lookup.credentials;
  const tried = !credentials
    ? `no credentials were sent: none for ${registry} in ${lookup.searched.join(', ')}`
    : credentials.identityToken
      ? `the identity token from ${credentials.source} was refused`
      : `the credentials of user ${JSON.stringify(credentials.username)} from ${credentials.source} were refused`;
  const notes = lookup.notes.length ? ` (${lookup.notes.join('; ')})` : '';
  const hint = credentials
    ? `check the username and password for ${registry} in ${credentials.source} (\`podman login ${registry}\` or \`docker login ${registry}\` rewrite it), and that this user may pull the image`
    : `log in with \`podman login ${registry}\` or \`docker login ${registry}\`, or point REGISTRY_AUTH_FILE at a file with {"auths": {"${registry}": {"auth": base64("user:password")}}} (or name a docker-credential helper in credHelpers/credsStore). A repository that does not exist may also answer this way: check the image name`;
  return new RegistryUnauthorizedError(`registry ${registry} refused access (${detail}): ${tried}${notes}; ${NOTHING_STORED}`, { hint });
}

/** A push refused: the credentials may be right for pulls, and still not allowed to write to this repository. */
function pushRefusedError(registry: string, lookup: CredentialLookup, detail: string, repository: string): RegistryUnauthorizedError {
  const credentials = lookup.credentials;
  const tried = !credentials
    ? `no credentials were sent: none for ${registry} in ${lookup.searched.join(', ')}, and a push needs some`
    : credentials.identityToken
      ? `the identity token from ${credentials.source} was refused for push (can it push to ${repository}?)`
      : `the credentials of user ${JSON.stringify(credentials.username)} from ${credentials.source} were refused for push (can they push to ${repository}?)`;
  const notes = lookup.notes.length ? ` (${lookup.notes.join('; ')})` : '';
  const hint = credentials
    ? `check the username and password in ${credentials.source}, and that this user may push to ${registry}/${repository} (GHCR: a token with packages: write; GitLab: a deploy token with write_registry)`
    : `pass --username and --password-stdin, or log in with \`podman login ${registry}\` or \`docker login ${registry}\` as a user who may push to ${repository}`;
  return new RegistryUnauthorizedError(`registry ${registry} refused a push to ${repository} (${detail}): ${tried}${notes}; ${NOTHING_PUSHED}`, { hint });
}
