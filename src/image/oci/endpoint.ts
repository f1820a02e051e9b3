// https everywhere, as Docker does; plain HTTP only for loopback registries and those the user
// named in insecureRegistries (host, host:port or an IPv4 CIDR).
import net from 'node:net';
import { InsecureRegistryError, NOTHING_STORED } from './image-errors.js';

/** `localhost:5000` -> `localhost`, `[::1]:5000` -> `::1`. */
export function registryHost(registry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(registry);
  if (bracketed?.[1]) return bracketed[1];
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

export function isLoopbackRegistry(registry: string): boolean {
  const host = registryHost(registry).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function matchesInsecureEntry(registry: string, entry: string): boolean {
  const wanted = entry
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  const host = registryHost(registry).toLowerCase();
  if (wanted === registry.toLowerCase() || wanted === host) return true;
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(wanted);
  if (!cidr?.[1] || !net.isIPv4(host)) return false;
  const bits = Number(cidr[2]);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToNumber(host) & mask) >>> 0 === (ipv4ToNumber(cidr[1]) & mask) >>> 0;
}

export function allowsPlainHttp(registry: string, insecureRegistries: readonly string[] = []): boolean {
  return isLoopbackRegistry(registry) || insecureRegistries.some((entry) => matchesInsecureEntry(registry, entry));
}

/** The base URLs to try, in order: https first, then plain HTTP where that is allowed. */
export function registryBaseUrls(registry: string, insecureRegistries: readonly string[] = []): string[] {
  const urls = [`https://${registry}`];
  if (allowsPlainHttp(registry, insecureRegistries)) urls.push(`http://${registry}`);
  return urls;
}

export function insecureRegistryError(registry: string, cause?: unknown): InsecureRegistryError {
  return new InsecureRegistryError(
    `registry ${registry} does not speak https, and plain HTTP is used only for loopback registries and those in insecureRegistries; ${NOTHING_STORED}`,
    {
      hint: `if you trust the network to ${registry}, add "${registry}" to insecureRegistries; better, serve the registry over https`,
      cause,
    },
  );
}

/** Throws INSECURE_REGISTRY unless plain HTTP to `registry` is allowed. */
export function assertPlainHttpAllowed(registry: string, insecureRegistries: readonly string[] = []): void {
  if (!allowsPlainHttp(registry, insecureRegistries)) throw insecureRegistryError(registry);
}
