// Every request of a pull goes through here: undici's own fetch with a dispatcher that honours
// HTTPS_PROXY/HTTP_PROXY/NO_PROXY (lower-case first, as curl reads them) and trusts, besides
// Node's built-in roots, the CAs in NODE_EXTRA_CA_CERTS and SSL_CERT_FILE: a `ca` replaces Node's
// default store (which holds NODE_EXTRA_CA_CERTS only when it was set before Node started), so both are read here.
import fs from 'node:fs';
import tls from 'node:tls';
import { RegistryUnreachableError, NOTHING_STORED } from './image-errors.js';

type Env = Readonly<Record<string, string | undefined>>;
type Dispatcher = import('undici').Dispatcher;

export interface NetworkSettings {
  readonly httpProxy: string | undefined;
  readonly httpsProxy: string | undefined;
  readonly noProxy: string | undefined;
  /** PEM files to trust besides Node's built-in roots, with the variable that named each. */
  readonly caFiles: readonly { readonly variable: string; readonly path: string }[];
}

export function networkSettings(env: Env): NetworkSettings {
  const pick = (name: string) => env[name.toLowerCase()] || env[name] || undefined;
  const caFiles = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'].flatMap((variable) => (env[variable] ? [{ variable, path: env[variable]! }] : []));
  return { httpProxy: pick('HTTP_PROXY'), httpsProxy: pick('HTTPS_PROXY'), noProxy: pick('NO_PROXY'), caFiles };
}

const loadUndici = () => import('undici');
let undici: ReturnType<typeof loadUndici> | undefined;
const dispatchers = new Map<string, Promise<Dispatcher>>();

/** One dispatcher per distinct settings, for the process's life: its connections are reused across pulls. */
function dispatcherFor(settings: NetworkSettings): Promise<Dispatcher> {
  const key = JSON.stringify(settings);
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    dispatcher = makeDispatcher(settings);
    dispatchers.set(key, dispatcher);
    dispatcher.catch(() => dispatchers.delete(key));
  }
  return dispatcher;
}

async function makeDispatcher(settings: NetworkSettings): Promise<Dispatcher> {
  // Loaded on the first pull only: `cubicle run` of a job on the host image never needs it.
  undici ??= loadUndici();
  const { Agent, EnvHttpProxyAgent } = await undici;
  const ca = settings.caFiles.length > 0 ? [...tls.rootCertificates, ...settings.caFiles.map(readCaFile)] : undefined;
  // connect: straight to the registry; requestTls: to it through a proxy's tunnel; proxyTls: to an https proxy.
  const tlsOptions = ca ? { connect: { ca }, requestTls: { ca }, proxyTls: { ca } } : {};
  if (!settings.httpProxy && !settings.httpsProxy) return new Agent(tlsOptions);
  return withoutExperimentalWarning(
    () => new EnvHttpProxyAgent({ ...tlsOptions, httpProxy: settings.httpProxy ?? '', httpsProxy: settings.httpsProxy ?? '', noProxy: settings.noProxy ?? '' }),
  );
}

function readCaFile(file: { variable: string; path: string }): string {
  try {
    const pem = fs.readFileSync(file.path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('it holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
    return pem;
  } catch (error) {
    throw new RegistryUnreachableError(`${file.variable}=${file.path} cannot be used: ${(error as Error).message}; ${NOTHING_STORED}`, {
      hint: `point ${file.variable} at a PEM file of the CA certificates to trust, or unset it`,
      cause: error,
    });
  }
}

/** undici warns once per process that EnvHttpProxyAgent is experimental: noise on every proxied run, not the user's to act on. */
function withoutExperimentalWarning<T>(make: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : undefined;
    if (code !== 'UNDICI-EHPA') (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** fetch for registries and token services, through the proxy and with the CAs `env` names. */
export async function registryFetch(url: string | URL, init: RequestInit, env: Env): Promise<Response> {
  const dispatcher = await dispatcherFor(networkSettings(env));
  const { fetch } = await undici!;
  return (await fetch(url, { ...(init as object), dispatcher })) as unknown as Response;
}
