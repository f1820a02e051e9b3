// One Compose service -> what a cubicle service is made of. Each key is supported, ignored with
// a printed notice (it cannot change what the job sees), or refused naming the key and the
// service: never silently different behaviour. README "Compose services" lists the three sets.
import path from 'node:path';
import { parseDuration } from '../../core/units.js';
import type { HealthCheck } from '../resolve.js';
import { parseEnvFile, splitWords } from './words.js';
import { readCheckoutFile } from './read.js';

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface TranslatedService {
  readonly name: string;
  readonly image: string;
  /** null: not given, the image's own (its Entrypoint; its Cmd when neither is given) applies. */
  readonly entrypoint: readonly string[] | null;
  readonly command: readonly string[] | null;
  readonly env: Readonly<Record<string, string>>;
  readonly user: string | undefined;
  readonly workdir: string | undefined;
  readonly health: HealthCheck | null;
  readonly dependsOn: readonly { readonly name: string; readonly condition: DependsCondition }[];
  readonly tmpfs: readonly string[];
  /** Named volumes' mount points: kept between runs, as a job's `caches:`. */
  readonly caches: readonly string[];
  readonly profiles: readonly string[];
}

export interface TranslateContext {
  readonly projectDir: string;
  /** The compose file's dir: env_file paths are relative to it. */
  readonly composeDir: string;
  /** Where problems and notices point: `jobs.e2e.compose (compose.yaml) services.db`. */
  readonly at: string;
  /** The job's env: a bare `environment: [NAME]` takes its value from here. */
  readonly variables: Readonly<Record<string, string>>;
  readonly problems: string[];
  readonly notices: string[];
}

/** Keys that change nothing the job can observe here; each named in a printed notice. */
const IGNORED: Readonly<Record<string, string>> = {
  ports: 'nothing is published on the host; the job reaches the service at its name and container port',
  expose: 'every port is reachable on the shared loopback',
  container_name: 'the service is reached by its service name',
  hostname: "the service's hostname is its service name",
  labels: 'no container engine reads them',
  restart: 'a service that exits is not restarted; a job whose service died fails on its own',
  logging: "the service's output goes to cubicle-artifacts/JOB/services/NAME.log",
  stop_grace_period: 'services are stopped with SIGTERM, then SIGKILL after 5 s',
  stop_signal: 'services are stopped with SIGTERM, then SIGKILL after 5 s',
  init: "the sandbox's PID 1 already reaps zombies and forwards signals",
  cap_drop: 'services already run with no capabilities',
  pull_policy: 'images are pulled when missing, as with `missing`',
  platform: "images are pulled for this machine's platform",
  tty: 'services have no terminal',
  stdin_open: 'services have no stdin',
};

/** Keys that would make the service behave differently here than under Compose: exit 2. */
const REFUSED: Readonly<Record<string, string>> = {
  build: "building a service's image from a Dockerfile is not supported yet; build it elsewhere and name it with `image:`",
  privileged: 'services run unprivileged in a user namespace, with no capabilities',
  devices: 'services get a minimal /dev and no host devices',
  cap_add: 'services run with no capabilities, and none can be added',
  network_mode: "every service shares the job's one network namespace",
  pid: 'each service has its own PID namespace',
  ipc: 'each service has its own IPC namespace',
  security_opt: 'the sandbox applies its own syscall filter',
  sysctls: 'sysctls cannot be set from a user namespace',
  ulimits: "use the job's memory:, cpus:, pids: limits",
  extra_hosts: 'only service names resolve (to the shared loopback)',
  dns: "the job network's resolver is used",
  links: 'every service is reachable by its name already; links: is legacy',
  extends: 'not supported yet; write the service out in full',
  secrets: 'not supported yet; pass the value with environment:',
  configs: 'not supported yet; mount the file with a setup step',
  deploy: "not supported yet; use the job's memory:, cpus:, pids: limits",
  mem_limit: "not supported yet; use the job's memory: limit",
  cpus: "not supported yet; use the job's cpus: limit",
  pids_limit: "not supported yet; use the job's pids: limit",
  volumes_from: 'not supported; services share no volumes here',
  read_only: 'not supported yet',
  shm_size: 'not supported yet',
  userns_mode: "services always run in the job's user namespace",
  group_add: 'not supported yet',
};

const SUPPORTED = new Set([
  'image',
  'environment',
  'env_file',
  'command',
  'entrypoint',
  'user',
  'working_dir',
  'healthcheck',
  'depends_on',
  'tmpfs',
  'volumes',
  'profiles',
  'networks',
]);

const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;

export function translateService(name: string, service: Record<string, unknown>, context: TranslateContext): TranslatedService | null {
  const at = `${context.at} services.${name}`;
  const before = context.problems.length;
  for (const key of Object.keys(service)) {
    if (SUPPORTED.has(key) || key.startsWith('x-')) continue;
    if (key in IGNORED) context.notices.push(`${at}: ignored ${key}: ${IGNORED[key]}`);
    else context.problems.push(`${at}.${key}: ${REFUSED[key] ?? 'not supported yet'}; nothing was run`);
  }
  if (typeof service.image !== 'string' || service.image === '')
    context.problems.push(`${at}: needs image: (image: host runs on the host's own /usr, as a job's default)`);
  const entrypoint = wordsOf(service.entrypoint, `${at}.entrypoint`, context.problems);
  const command = wordsOf(service.command, `${at}.command`, context.problems);
  // Only an OCI image has a config of its own to take the command from.
  const fromImage = typeof service.image === 'string' && service.image !== 'host' && !service.image.startsWith('debian:');
  if (service.entrypoint == null && service.command == null && !fromImage)
    context.problems.push(`${at}: needs command: or entrypoint: (image ${JSON.stringify(service.image)} has no config to take a CMD from); nothing was run`);
  const user = userOf(service.user, at, context.problems);
  const workdir = workdirOf(service.working_dir, at, context.problems);
  const env = { ...envFilesOf(service.env_file, at, context), ...environmentOf(service.environment, context.variables) };
  const health = healthOf(service.healthcheck, at, context.problems);
  const dependsOn = dependsOnOf(service.depends_on);
  const tmpfs = listOf(service.tmpfs).map((entry) => entry.split(':')[0]!);
  for (const dest of tmpfs) {
    const problem = tmpfsProblem(dest);
    if (problem) context.problems.push(`${at}.tmpfs: ${JSON.stringify(dest)} ${problem}`);
  }
  const caches = volumesOf(service.volumes, at, context.problems);
  networksOf(service.networks, at, context);
  if (context.problems.length > before) return null;
  return {
    name,
    image: service.image as string,
    entrypoint: service.entrypoint == null ? null : entrypoint,
    command: service.command == null ? null : command,
    env,
    user,
    workdir,
    health,
    dependsOn,
    tmpfs: tmpfs.map((dest) => path.posix.normalize(dest)),
    caches,
    profiles: listOf(service.profiles),
  };
}

/** The sandbox's own mounts stay: a tmpfs over /, /proc, /dev or /sys would take them away. */
function tmpfsProblem(dest: string): string | null {
  if (!path.posix.isAbsolute(dest)) return 'is not an absolute path';
  const clean = path.posix.normalize(dest).replace(/\/+$/, '') || '/';
  const covered = ['/', '/proc', '/dev', '/sys'].find((mount) => clean === mount || (mount !== '/' && clean.startsWith(`${mount}/`)));
  return covered ? `would cover the sandbox's own ${covered}; name a directory of the service's, like /var/lib/data` : null;
}

function listOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** A string is split like a shell would split it (Compose does not run it under a shell); a list is the argv. */
function wordsOf(value: unknown, at: string, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  const words = splitWords(String(value));
  if (words === null) {
    problems.push(`${at}: an unclosed quote in ${JSON.stringify(value)}`);
    return [];
  }
  return words;
}

function userOf(value: unknown, at: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (/^\d+(:\d+)?$/.test(text)) return text;
  problems.push(
    `${at}.user: ${JSON.stringify(text)}: only a numeric UID or UID:GID (like "999:999") is supported; user names are not looked up in the image yet`,
  );
  return undefined;
}

function workdirOf(value: unknown, at: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!path.isAbsolute(text)) problems.push(`${at}.working_dir: ${JSON.stringify(text)} is not an absolute path`);
  return path.normalize(text);
}

function environmentOf(value: unknown, variables: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const entry of value.map(String)) {
      const equals = entry.indexOf('=');
      // A bare NAME takes the value Compose would take from the shell: here, the job's env; unset stays unset.
      if (equals < 0) {
        if (variables[entry] !== undefined) env[entry] = variables[entry];
      } else env[entry.slice(0, equals)] = entry.slice(equals + 1);
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (item === null) {
        if (variables[key] !== undefined) env[key] = variables[key];
      } else env[key] = String(item);
    }
  }
  return env;
}

/** env_file: a path or a list, relative to the compose file, read beneath the checkout; later files and `environment` win. */
function envFilesOf(value: unknown, at: string, context: TranslateContext): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of listOf(value)) {
    const relative = path.relative(context.projectDir, path.resolve(context.composeDir, file));
    const read = readCheckoutFile(context.projectDir, relative, 'env_file');
    if ('problem' in read) {
      context.problems.push(`${at}.env_file: ${read.problem}`);
      continue;
    }
    const parsed = parseEnvFile(read.text);
    for (const problem of parsed.problems) context.problems.push(`${at}.env_file: ${file}: ${problem}`);
    Object.assign(env, parsed.variables);
  }
  return env;
}

function durationOf(value: unknown, fallback: number, at: string, problems: string[]): number {
  if (value === undefined) return fallback;
  const text = String(value);
  if (/^0+(\.0+)?(ns|us|ms|s|m|h)?$/.test(text)) return 0;
  const ms = parseDuration(text);
  if (ms === undefined) problems.push(`${at}: ${JSON.stringify(text)} is not a duration like 10s, 1m30s or 500ms`);
  return ms ?? fallback;
}

function healthOf(value: unknown, at: string, problems: string[]): HealthCheck | null {
  if (value === undefined) return null;
  const check = value as { test?: unknown; disable?: unknown; interval?: unknown; timeout?: unknown; retries?: unknown; start_period?: unknown };
  if (check.disable === true) return null;
  let command: string[];
  if (typeof check.test === 'string') command = ['/bin/sh', '-c', check.test];
  else if (Array.isArray(check.test)) {
    const [form, ...rest] = check.test.map(String);
    if (form === 'NONE') return null;
    if (form === 'CMD') command = rest;
    else if (form === 'CMD-SHELL') command = ['/bin/sh', '-c', rest.join(' ')];
    else {
      problems.push(`${at}.healthcheck.test: expected ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"] or a string, got ${JSON.stringify(check.test)}`);
      return null;
    }
  } else {
    // A healthcheck without test inherits the image's HEALTHCHECK, which is not read yet.
    problems.push(`${at}.healthcheck: needs test: (an image's own HEALTHCHECK is not read yet)`);
    return null;
  }
  if (command.length === 0) {
    problems.push(`${at}.healthcheck.test: names no command`);
    return null;
  }
  const retries = check.retries === undefined ? DEFAULT_RETRIES : Number(check.retries);
  if (!Number.isInteger(retries) || retries < 1)
    problems.push(`${at}.healthcheck.retries: expected a whole number of at least 1, got ${JSON.stringify(check.retries)}`);
  return {
    command,
    intervalMs: durationOf(check.interval, DEFAULT_INTERVAL_MS, `${at}.healthcheck.interval`, problems) || DEFAULT_INTERVAL_MS,
    timeoutMs: durationOf(check.timeout, DEFAULT_TIMEOUT_MS, `${at}.healthcheck.timeout`, problems) || DEFAULT_TIMEOUT_MS,
    startPeriodMs: durationOf(check.start_period, 0, `${at}.healthcheck.start_period`, problems),
    retries,
  };
}

function dependsOnOf(value: unknown): { name: string; condition: DependsCondition }[] {
  if (Array.isArray(value)) return value.map((name) => ({ name: String(name), condition: 'service_started' }));
  if (value && typeof value === 'object')
    return Object.entries(value).map(([name, spec]) => ({
      name,
      condition: ((spec as { condition?: DependsCondition } | null)?.condition ?? 'service_started') as DependsCondition,
    }));
  return [];
}

/** Named volumes become caches at their mount point; a host path (bind) or an anonymous volume is refused. */
function volumesOf(value: unknown, at: string, problems: string[]): string[] {
  const caches: string[] = [];
  for (const entry of Array.isArray(value) ? value : []) {
    let source: string | undefined;
    let target: string | undefined;
    let type = 'volume';
    if (typeof entry === 'string') {
      const parts = entry.split(':');
      if (parts.length === 1) target = parts[0];
      else [source, target] = parts;
      if (source && /^[./~]/.test(source)) type = 'bind';
    } else {
      const long = entry as { type?: string; source?: string; target?: string };
      ({ source, target } = long);
      type = long.type ?? 'volume';
    }
    const shown = JSON.stringify(typeof entry === 'string' ? entry : entry);
    if (type === 'tmpfs') problems.push(`${at}.volumes: ${shown}: write a tmpfs as tmpfs: [${target}]`);
    else if (type !== 'volume') problems.push(`${at}.volumes: ${shown}: a ${type} mount of a host path is not supported (a service sees only its image)`);
    else if (!source) problems.push(`${at}.volumes: ${shown}: an anonymous volume is not supported yet; name it (NAME:${target}) to keep it between runs`);
    else if (!target || !path.isAbsolute(target)) problems.push(`${at}.volumes: ${shown}: the target is not an absolute path`);
    else caches.push(path.normalize(target));
  }
  return caches;
}

function networksOf(value: unknown, at: string, context: TranslateContext): void {
  const names = Array.isArray(value) ? value.map(String) : value && typeof value === 'object' ? Object.keys(value) : [];
  if (names.length > 1)
    context.problems.push(`${at}.networks: ${names.join(', ')}: more than one network is not supported; the job and all its services share one loopback`);
  else if (names.length === 1) context.notices.push(`${at}: ignored networks: the job and all its services share one network`);
}
