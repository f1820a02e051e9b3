// `compose:` on a job: the Compose file's services (those named, else all outside inactive
// profiles, with what they depend on) translated into the job's services.
import fs from 'node:fs';
import path from 'node:path';
import { didYouMean } from '../did-you-mean.js';
import { readCheckoutFile, readComposeFile } from './read.js';
import { parseEnvFile } from './words.js';
import { translateService, type TranslatedService } from './translate.js';

export type { TranslatedService } from './translate.js';

/** Files `docker compose` merges over the default file when no -f is given. */
const OVERRIDE_FILES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];

export interface ComposeSpec {
  readonly file: string;
  readonly services?: readonly string[] | undefined;
  readonly profiles?: readonly string[] | undefined;
}

export interface ComposeServices {
  /** In the file's order; `needs` and `completes` are derived from depends_on by the caller. */
  readonly services: readonly (TranslatedService & { readonly completes: boolean })[];
}

/** The job's Compose services, or null with `problems` filled; `notices` get every ignored key. */
export function composeServices(
  at: string,
  spec: ComposeSpec,
  projectDir: string,
  variables: Readonly<Record<string, string>>,
  problems: string[],
  notices: string[],
): ComposeServices | null {
  const where = `${at} (${spec.file})`;
  const dotEnv = readDotEnv(projectDir, spec.file, at, problems);
  if (!dotEnv) return null;
  // As Compose: the environment (here the job's env:) wins over the .env file.
  const document = readComposeFile(projectDir, spec.file, { ...dotEnv, ...variables }, at);
  if ('problems' in document) {
    problems.push(...document.problems);
    return null;
  }
  // A named volume is a cache dir here: a driver, its options or an external volume would be something else.
  for (const [volume, declaration] of Object.entries(document.volumes)) {
    for (const key of Object.keys(declaration ?? {}).filter((key) => ['driver', 'driver_opts', 'external'].includes(key)))
      problems.push(`${where} volumes.${volume}.${key}: not supported; a named volume is a directory kept between runs as a cache`);
  }
  const override = OVERRIDE_FILES.find((name) => path.dirname(spec.file) === '.' && fs.existsSync(path.join(projectDir, name)));
  if (override)
    notices.push(`${where}: ${override} is not read: as with \`docker compose -f ${spec.file}\`, only the file named is; name the one to use in compose:`);
  for (const name of document.unset)
    notices.push(`${where}: the variable ${name} is set neither in the job's env: nor in .env, so it is an empty string (as Compose does)`);
  const all = Object.keys(document.services);
  const before = problems.length;
  for (const name of spec.services ?? []) {
    if (!all.includes(name)) problems.push(`${at}.services: "${name}" is not a service of ${spec.file}${didYouMean(name, all)}; it defines ${all.join(', ')}`);
  }
  if (problems.length > before) return null;
  const active = new Set(spec.profiles ?? []);
  // As `docker compose up NAME...`: named services start whatever their profiles; otherwise profiles must be active.
  const enabled = (name: string) => {
    const profiles = listOf(document.services[name]!.profiles);
    return profiles.length === 0 || profiles.some((profile) => active.has(profile));
  };
  const wanted = spec.services ?? all.filter(enabled);
  const context = { projectDir, composeDir: path.dirname(path.resolve(projectDir, spec.file)), at: where, variables, problems, notices };
  const translated = new Map<string, TranslatedService>();
  const queue = [...wanted];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (translated.has(name)) continue;
    const service = translateService(name, document.services[name]!, context);
    if (!service) continue;
    translated.set(name, service);
    for (const dependency of service.dependsOn) {
      if (!all.includes(dependency.name))
        problems.push(`${where} services.${name}.depends_on: "${dependency.name}" is not a service of ${spec.file}${didYouMean(dependency.name, all)}`);
      else queue.push(dependency.name);
    }
  }
  if (problems.length > before) return null;
  const completes = new Set<string>();
  for (const service of translated.values()) {
    for (const dependency of service.dependsOn) {
      const target = translated.get(dependency.name)!;
      if (dependency.condition === 'service_healthy' && !target.health)
        problems.push(
          `${where} services.${service.name}.depends_on.${dependency.name}: condition service_healthy, but ${dependency.name} has no healthcheck: with a test`,
        );
      if (dependency.condition === 'service_completed_successfully') completes.add(dependency.name);
    }
  }
  if (problems.length > before) return null;
  return { services: all.filter((name) => translated.has(name)).map((name) => ({ ...translated.get(name)!, completes: completes.has(name) })) };
}

/** The `.env` beside the compose file, which Compose reads for interpolation; {} when there is none, null on a problem. */
function readDotEnv(projectDir: string, file: string, at: string, problems: string[]): Record<string, string> | null {
  const relative = path.join(path.dirname(file), '.env');
  // A compose file outside the checkout is refused by its own read, naming it.
  if (path.relative(projectDir, path.resolve(projectDir, relative)).startsWith('..')) return {};
  if (!fs.existsSync(path.resolve(projectDir, relative))) return {};
  const read = readCheckoutFile(projectDir, relative, 'the .env file');
  if ('problem' in read) {
    problems.push(`${at}: ${read.problem}`);
    return null;
  }
  const parsed = parseEnvFile(read.text);
  if (parsed.problems.length > 0) {
    problems.push(...parsed.problems.map((problem) => `${at}: ${relative}: ${problem}`));
    return null;
  }
  return parsed.variables;
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
