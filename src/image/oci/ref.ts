// Image references as users write them: Docker's grammar (distribution/reference) for
// registries, skopeo's `TRANSPORT:PATH[:REF]` for archives and layouts.
import { InvalidImageRefError } from './image-errors.js';

export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', DOCKER_HUB_REGISTRY]);

export interface RegistryImageRef {
  readonly transport: 'docker';
  /** The host[:port] to talk to: `registry-1.docker.io` for Docker Hub. */
  readonly registry: string;
  readonly repository: string;
  /** `latest` when neither a tag nor a digest was given. */
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export interface LocalImageRef {
  readonly transport: 'oci' | 'oci-archive' | 'docker-archive';
  readonly path: string;
  /** oci: an `org.opencontainers.image.ref.name`; docker-archive: a RepoTag or `@INDEX`. */
  readonly reference: string | undefined;
}

export type ImageRef = RegistryImageRef | LocalImageRef;

const LOCAL_TRANSPORTS = ['oci', 'oci-archive', 'docker-archive'] as const;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

/** `node:22-bookworm`, `ghcr.io/o/r:tag`, `localhost:5000/x@sha256:...`, `oci-archive:FILE[:REF]`, ... */
export function parseImageRef(text: string): ImageRef {
  if (typeof text !== 'string' || text.length === 0) throw new InvalidImageRefError(String(text), 'it is empty');
  if (/\s/.test(text)) throw new InvalidImageRefError(text, 'it contains whitespace');
  const transport = LOCAL_TRANSPORTS.find((name) => text.startsWith(`${name}:`));
  if (transport) return parseLocalRef(text, transport);
  return parseRegistryRef(text, text.startsWith('docker://') ? text.slice('docker://'.length) : text);
}

/** skopeo's rule: the path ends at the first `:`; what follows names the image inside. */
function parseLocalRef(text: string, transport: LocalImageRef['transport']): LocalImageRef {
  const rest = text.slice(transport.length + 1);
  const colon = rest.indexOf(':');
  const path = colon === -1 ? rest : rest.slice(0, colon);
  const reference = colon === -1 ? undefined : rest.slice(colon + 1);
  if (!path) throw new InvalidImageRefError(text, `${transport}: needs a path`);
  if (reference === '') throw new InvalidImageRefError(text, 'the reference after the path is empty');
  return { transport, path, reference };
}

function parseRegistryRef(text: string, ref: string): RegistryImageRef {
  const at = ref.indexOf('@');
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const nameAndTag = at === -1 ? ref : ref.slice(0, at);
  if (digest !== undefined && !DIGEST.test(digest)) {
    throw new InvalidImageRefError(text, `${JSON.stringify(digest)} is not a digest of the form sha256:<64 lowercase hex digits>`);
  }
  const tagColon = nameAndTag.lastIndexOf(':');
  const hasTag = tagColon > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, tagColon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(tagColon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) {
    throw new InvalidImageRefError(text, `${JSON.stringify(tag)} is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  const { registry, repository } = splitName(text, name);
  return { transport: 'docker', registry, repository, tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** A first component with a `.` or `:`, or `localhost`, is a registry (Docker's rule). */
function splitName(text: string, name: string): { registry: string; repository: string } {
  if (!name) throw new InvalidImageRefError(text, 'the image name is empty');
  if (name.length > MAX_NAME_LENGTH) throw new InvalidImageRefError(text, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain = slash !== -1 && (/[.:[]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let registry = isDomain ? first : DOCKER_HUB_REGISTRY;
  let repository = isDomain ? name.slice(slash + 1) : name;
  if (isDomain && !DOMAIN.test(registry)) throw new InvalidImageRefError(text, `${JSON.stringify(registry)} is not a valid registry host[:port]`);
  if (DOCKER_HUB_NAMES.has(registry.toLowerCase())) registry = DOCKER_HUB_REGISTRY;
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  for (const component of repository.split('/')) {
    if (PATH_COMPONENT.test(component)) continue;
    const why =
      component !== component.toLowerCase() ? 'repository names must be lowercase' : 'use lowercase letters, digits and single . _ __ or - between them';
    throw new InvalidImageRefError(text, `${JSON.stringify(component || '(empty)')} is not a valid name component: ${why}`);
  }
  return { registry, repository };
}

/** The canonical form: `docker.io/library/node:22`, `127.0.0.1:5000/a@sha256:...`, `oci-archive:/x.tar:ref`. */
export function formatImageRef(ref: ImageRef): string {
  if (ref.transport !== 'docker') return `${ref.transport}:${ref.path}${ref.reference === undefined ? '' : `:${ref.reference}`}`;
  const domain = ref.registry === DOCKER_HUB_REGISTRY ? 'docker.io' : ref.registry;
  return `${domain}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}
