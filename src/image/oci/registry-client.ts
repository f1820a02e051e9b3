// The Distribution API v2 over undici's fetch (http.ts: proxies, CAs): one client per pull or push, which finds the scheme,
// authenticates on the first 401 and keeps the token for later requests. Uploads and manifests: registry-push.ts.
import type { Readable } from 'node:stream';
import { basicAuthorization, parseChallenge, requestBearerToken, unauthorizedError, type Challenge } from './auth.js';
import { findCredentials, type CredentialLookup, type Credentials } from './credentials.js';
import { insecureRegistryError, allowsPlainHttp, registryBaseUrls } from './endpoint.js';
import { ImageNotFoundError, NOTHING_PUSHED, NOTHING_STORED, RegistryUnreachableError } from './image-errors.js';
import { networkSettings, registryFetch } from './http.js';
import { DEFAULT_RETRY_DELAYS_MS, TransientError, describeNetworkError, isTransient, withRetries } from './retry.js';
import type { RegistryImageRef } from './ref.js';
import { blobExists, downloadBlob, getManifest, putManifest, uploadBlob, type FetchedRegistryManifest, type UploadOptions } from './registry-push.js';

export interface RegistryClientOptions {
  readonly insecureRegistries: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly retryDelaysMs?: readonly number[] | undefined;
  /** 'push' asks token services for `pull,push` on the repository, and a refusal then says the user may not push. */
  readonly access?: 'pull' | 'push' | undefined;
  /** Given credentials (`--username U --password-stdin`), used instead of the auth files'; `source` says where they came from. */
  readonly credentials?: Credentials | undefined;
}

/** A Buffer, or a function that opens the stream again (a request is sent twice when the first one meets a 401). */
export type RequestBody = Buffer | (() => Readable);

export interface RequestOptions {
  /** GET when absent. */
  readonly method?: string;
  readonly accept?: string;
  readonly range?: string;
  /** content-type, content-length, content-range and the like. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody | undefined;
  /** Instead of the pull's own signal: one that also ends when a sibling download failed. */
  readonly signal?: AbortSignal | undefined;
}

/** OpenSSL's words for "this is not TLS": what https to a plain-HTTP port ends with. */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'EPROTO']);

/** Node's words for a certificate it does not trust: https works, but who answers is not proven. */
const UNTRUSTED_CERT_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (
    let current = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    current && depth < 4;
    current = current.cause as typeof current, depth++
  ) {
    if (typeof current.code === 'string') codes.push(current.code);
  }
  return codes;
}

export class RegistryClient {
  readonly registry: string;
  readonly repository: string;
  private readonly options: RegistryClientOptions;
  private baseUrl: string | undefined;
  private authorization: string | undefined;
  private lookup: CredentialLookup | undefined;

  constructor(ref: RegistryImageRef, options: RegistryClientOptions) {
    this.registry = ref.registry;
    this.repository = ref.repository;
    this.options = options;
  }

  /** GET /v2/ over https, then plain HTTP where allowed; a 401 here tells how to authenticate. */
  private async connect(): Promise<string> {
    if (this.baseUrl) return this.baseUrl;
    const urls = registryBaseUrls(this.registry, this.options.insecureRegistries);
    let lastError: unknown;
    for (const base of urls) {
      try {
        const response = await registryFetch(`${base}/v2/`, { signal: this.options.signal ?? null, redirect: 'follow' }, this.options.env);
        await response.body?.cancel();
        if (response.status >= 500 || response.status === 429) throw new TransientError(`GET ${base}/v2/ answered ${response.status}`);
        this.baseUrl = base;
        return base;
      } catch (error) {
        lastError = error;
        if (this.options.signal?.aborted) throw error;
        // Never plain HTTP after a certificate that is not trusted: that is the registry to fix or trust.
        if (errorCodes(error).some((code) => UNTRUSTED_CERT_CODES.has(code))) throw untrustedCertificateError(this.registry, error, this.options.env);
        const notTls = errorCodes(error).some((code) => NOT_TLS_CODES.has(code));
        if (notTls && !allowsPlainHttp(this.registry, this.options.insecureRegistries)) throw insecureRegistryError(this.registry, error);
      }
    }
    throw lastError;
  }

  private get pushTo(): string | undefined {
    return this.options.access === 'push' ? this.repository : undefined;
  }

  private async credentials(): Promise<CredentialLookup> {
    const given = this.options.credentials;
    this.lookup ??= given
      ? { credentials: given, searched: [given.source], notes: [] }
      : await findCredentials(this.registry, this.repository, this.options.env);
    return this.lookup;
  }

  private async authenticate(challenge: Challenge): Promise<void> {
    const lookup = await this.credentials();
    if (challenge.scheme === 'bearer') {
      // A push needs push on the repository whatever the request at hand asked (a HEAD's challenge names pull only).
      const own = `repository:${this.repository}:${this.pushTo ? 'pull,push' : 'pull'}`;
      const scope = this.pushTo ? [...new Set([...(challenge.params.scope?.split(' ') ?? []), own])].join(' ') : challenge.params.scope;
      const token = await requestBearerToken({
        registry: this.registry,
        challenge: scope ? { ...challenge, params: { ...challenge.params, scope } } : challenge,
        scope: own,
        lookup,
        signal: this.options.signal,
        env: this.options.env,
        pushTo: this.pushTo,
      });
      this.authorization = `Bearer ${token}`;
    } else if (challenge.scheme === 'basic' && lookup.credentials?.identityToken) {
      throw unauthorizedError(
        this.registry,
        lookup,
        'it asks for basic auth, and an identity token can only be exchanged at a bearer token service',
        this.pushTo,
      );
    } else if (challenge.scheme === 'basic' && lookup.credentials) {
      this.authorization = basicAuthorization(lookup.credentials);
    } else {
      throw unauthorizedError(this.registry, lookup, `it asks for ${challenge.scheme} auth`, this.pushTo);
    }
  }

  /**
   * One request to a path under the registry, or to an absolute URL (an upload's Location), which gets our
   * authorization only on the registry's own origin. A 401 is answered once with fresh auth (tokens expire);
   * with push access a 401 or 403 after that is a refusal to push; 5xx and 429 are TransientErrors.
   */
  async request(target: string, options: RequestOptions = {}): Promise<Response> {
    const base = await this.connect();
    const url = new URL(target, base);
    const sameOrigin = url.origin === new URL(base).origin;
    for (let authenticated = false; ; authenticated = true) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.accept) headers.accept = options.accept;
      if (options.range) headers.range = options.range;
      if (this.authorization && sameOrigin) headers.authorization = this.authorization;
      const body = typeof options.body === 'function' ? options.body() : options.body;
      // A stream cannot be sent twice, so a redirect of one is an answer to report, not to follow.
      const streamed = body !== undefined && !Buffer.isBuffer(body);
      const init = {
        method: options.method ?? 'GET',
        headers,
        body: body ?? null,
        signal: options.signal ?? this.options.signal ?? null,
        redirect: streamed ? 'manual' : 'follow',
        ...(streamed ? { duplex: 'half' } : {}),
      } as RequestInit;
      let response: Response;
      try {
        response = await registryFetch(url, init, this.options.env);
      } finally {
        if (streamed) (body as Readable).destroy();
      }
      if (response.status === 401 || (response.status === 403 && this.pushTo && this.authorization)) {
        const said = await registrySaid(response);
        const challenge = parseChallenge(response.headers.get('www-authenticate'));
        if (authenticated || !challenge || response.status === 403) {
          throw unauthorizedError(
            this.registry,
            await this.credentials(),
            `HTTP ${response.status} for ${init.method} of ${this.repository}${said}`,
            this.pushTo,
          );
        }
        await this.authenticate(challenge);
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        const said = await registrySaid(response);
        const retryAfter = Number(response.headers.get('retry-after'));
        throw new TransientError(`HTTP ${response.status}${said}`, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {});
      }
      return response;
    }
  }

  /** HEAD of a blob: is it in this repository already? */
  blobExists(digest: string): Promise<boolean> {
    return blobExists(this, digest);
  }

  /** Uploads `file` (its digest and size known) unless the repository has it: monolithic, or in PATCH chunks over `chunkBytes`. */
  uploadBlob(file: string, digest: string, size: number, options: UploadOptions = {}): Promise<'uploaded' | 'present'> {
    return uploadBlob(this, file, digest, size, options);
  }

  /** A manifest by tag or digest, undefined when the registry has none; a digest reference is checked against the bytes. */
  getManifest(reference: string, accept: string): Promise<FetchedRegistryManifest | undefined> {
    return getManifest(this, reference, accept);
  }

  /** Writes a manifest (its blobs uploaded first) under a tag or digest; its digest. */
  putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    return putManifest(this, reference, bytes, mediaType);
  }

  /** Streams a blob to `file` while hashing it: whole and verified, or no file at all. */
  downloadBlob(digest: string, file: string, size?: number): Promise<void> {
    return downloadBlob(this, digest, file, size);
  }

  /** Retries transient failures, then names the registry and what was being fetched. */
  async withRetries<T>(doing: string, attempt: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(attempt, { delaysMs: this.options.retryDelaysMs, signal: this.options.signal });
    } catch (error) {
      throw this.describeFailure(error, doing);
    }
  }

  describeFailure(error: unknown, doing: string): unknown {
    if (this.options.signal?.aborted) return error;
    const transient = isTransient(error);
    // fetch's TypeError without a network code: TLS certificate and the like, not worth a retry.
    if (!transient && !(error instanceof TypeError && error.message === 'fetch failed')) return error;
    const attempts = transient ? ` after ${(this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS).length + 1} attempts` : '';
    if (this.pushTo) {
      return new RegistryUnreachableError(`could not ${doing} at registry ${this.registry}${attempts}: ${describeNetworkError(error)}; ${NOTHING_PUSHED}`, {
        hint: `check that ${this.registry} is up and reachable from here (network, DNS, firewall, proxy${describeProxies(this.options.env)}), then push again; blobs the registry already has are not uploaded again`,
        cause: error,
      });
    }
    return new RegistryUnreachableError(`could not ${doing} from registry ${this.registry}${attempts}: ${describeNetworkError(error)}; ${NOTHING_STORED}`, {
      hint: `check that ${this.registry} is up and reachable from here (network, DNS, firewall, proxy${describeProxies(this.options.env)}), then pull again; blobs already verified are kept and not downloaded again`,
      cause: error,
    });
  }
}

/** `: HTTPS_PROXY=http://proxy:3128, NO_PROXY=...`: the proxy settings in use, which the failure may be about. */
function describeProxies(env: Readonly<Record<string, string | undefined>>): string {
  const { httpProxy, httpsProxy, noProxy } = networkSettings(env);
  const shown = [
    httpsProxy && `HTTPS_PROXY=${withoutPassword(httpsProxy)}`,
    httpProxy && `HTTP_PROXY=${withoutPassword(httpProxy)}`,
    (httpProxy || httpsProxy) && noProxy && `NO_PROXY=${noProxy}`,
  ].filter(Boolean);
  return shown.length > 0 ? `: ${shown.join(', ')}` : '';
}

/** A proxy URL's password is a secret: never in a message or a CI log. */
function withoutPassword(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.password) url.password = '***';
    return url.href.replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

function untrustedCertificateError(registry: string, error: unknown, env: Readonly<Record<string, string | undefined>>): RegistryUnreachableError {
  const trusted = networkSettings(env).caFiles.map((file) => `${file.variable}=${file.path}`);
  const besides =
    trusted.length > 0 ? `Node's built-in roots and ${trusted.join(', ')}` : "Node's built-in roots (NODE_EXTRA_CA_CERTS and SSL_CERT_FILE are unset)";
  return new RegistryUnreachableError(
    `registry ${registry}'s TLS certificate is not trusted here (${describeNetworkError(error)}): it was checked against ${besides}; ${NOTHING_STORED}`,
    {
      hint: `set SSL_CERT_FILE (or NODE_EXTRA_CA_CERTS) to a PEM file with the CA that signed ${registry}'s certificate (a corporate proxy's CA, an internal registry's), then pull again`,
      cause: error,
    },
  );
}

/** ` (registry said: MANIFEST_UNKNOWN manifest unknown)`, or '' when the body tells nothing. */
export async function registrySaid(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).slice(0, 4096);
  try {
    const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    const said = errors.map((entry) => [entry.code, entry.message].filter(Boolean).join(' ')).join('; ');
    if (said) return ` (registry said: ${said})`;
  } catch {
    // not the Distribution API's JSON
  }
  return text.trim() && text.length < 200 ? ` (registry said: ${text.trim()})` : ` (HTTP ${response.status} ${response.statusText})`;
}

export function notFoundError(what: string, said: string): ImageNotFoundError {
  return new ImageNotFoundError(`image not found: ${what}${said}; ${NOTHING_STORED}`, {
    hint: 'check the name and tag (or digest), and that the image was pushed to this registry',
  });
}
