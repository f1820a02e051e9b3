// The config file's shape (../shared/DESIGN.md, "Configuration"), validated by zod.
// Sizes and durations stay as written here; resolve.ts turns them into numbers.
import * as z from 'zod';
import { MAX_TIMEOUT_MS, parseDuration, parseSize } from '../core/units.js';

/** A value in a message, short: a config may hold a megabyte string or arrays 5000 deep. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'a nested list' : typeof value;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Where a config holds a NUL byte (YAML's "\0"): no argv, environment or path can carry one,
 * and spawn would throw inside the runner. Keys count too; the walk is bounded by depth.
 */
export function nulBytePlaces(value: unknown): string[] {
  // YAML aliases make one object appear many times (an alias bomb is 10^9 leaves of ten
  // objects): each object is looked into once, so the walk costs what the file holds.
  const seen = new Set<object>();
  const places: string[] = [];
  const walk = (item: unknown, at: string, depth: number): void => {
    if (places.length >= 20) return;
    if (typeof item === 'string') {
      if (item.includes('\0')) places.push(`${at || '(top level)'}: contains a NUL byte, which no command, environment value or path can carry`);
      return;
    }
    if (item === null || typeof item !== 'object' || depth > 64 || seen.has(item)) return;
    seen.add(item);
    for (const [key, child] of Object.entries(item)) {
      const where = Array.isArray(item) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
      if (key.includes('\0')) places.push(`${show(where)}: a key contains a NUL byte`);
      else walk(child, where, depth + 1);
      if (places.length >= 20) return;
    }
  };
  walk(value, '', 0);
  return places;
}

const size = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  if (parseSize(value) === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 512m or 2g, got ${show(value)}` });
  }
});

const duration = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `expected a duration like 90s, 10m or 1h, got ${show(value)}` });
  else if (ms > MAX_TIMEOUT_MS) ctx.addIssue({ code: 'custom', message: `expected at most 365 days, got ${show(value)}` });
});

const cpus = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const count = Number(value);
  // The kernel's CFS quota: at least 1 ms per 100 ms period; at most what a machine has.
  if (!Number.isFinite(count) || count < 0.01 || count > 100_000) {
    ctx.addIssue({ code: 'custom', message: `expected a number of CPUs from 0.01 up, like 2 or 0.5, got ${show(value)}` });
  }
});

// The kernel's pid_max ceiling is 4194304.
const pids = z
  .number({ error: (issue) => `expected a whole number of processes like 512, got ${show(issue.input)}` })
  .int()
  .positive()
  .max(4_194_304, { error: 'expected at most 4194304 processes (the kernel maximum)' });

const envValue = z.union([z.string(), z.number(), z.boolean()]);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (issue) => `expected an environment variable name, got ${show(issue.input)}` });
const env = z.record(envName, envValue);

const stringList = z.union([z.string(), z.array(z.string())]);

export const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const setupStep = z.strictObject({
  run: z.string().min(1),
  inputs: z.array(z.string().min(1)).optional(),
  env: env.optional(),
  /** Setup steps download (npm ci): `outbound` by default (out, but not to the host's loopback); `host` only when asked for; `none`. */
  network: z.enum(['none', 'host', 'outbound'], { error: (issue) => `expected "none", "host" or "outbound", got ${show(issue.input)}` }).optional(),
});

const command = z.union([z.string().min(1), z.array(z.string()).min(1)], {
  error: (issue) => `expected a command string or an argv list, got ${show(issue.input)}`,
});

/**
 * Globs of the checkout's test files, for `--shard-by test`: cubicle splits them between the
 * shards and appends this shard's to the job's command (`"$@"` in a `run:` script).
 */
const testFiles = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
  error: (issue) => `expected a glob or a list of globs of test files, like tests/**/test_*.py, got ${show(issue.input)}`,
});

const cacheList = z.array(
  z.string().regex(/^(~\/|\/)./, { error: (issue) => `expected an absolute path or one under ~/, like ~/.npm, got ${show(issue.input)}` }),
);

export const limitKeys = {
  memory: size.optional().describe('Memory limit (memory.max, swap off): 512m, 2g'),
  /** The job's writes (its upper layers) live on a tmpfs of this size. */
  disk: size.optional().describe("Size of the tmpfs the job's writes live on: 1g"),
  cpus: cpus.optional().describe('CPU quota: 2, or 0.5'),
  pids: pids.optional().describe('Processes and threads at most'),
  timeout: duration.optional().describe('Wall-clock limit: 90s, 10m, 1h'),
};

const networkMode = z.enum(['none', 'host', 'outbound'], { error: (issue) => `expected "none", "host" or "outbound", got ${show(issue.input)}` });

export const SERVICE_NAME = /^[a-z0-9][a-z0-9_-]{0,30}$/;

/** `UID[:GID]` inside the sandbox: servers that refuse to run as root (PostgreSQL). */
const user = z.union([z.number().int().min(0), z.string().regex(/^\d+(:\d+)?$/)], {
  error: (issue) => `expected a numeric UID or UID:GID like 1000:1000, got ${show(issue.input)}`,
});

/** A service beside a job (a database): its own sandbox in the job's network namespace. */
const serviceSchema = z.strictObject({
  image: z.string().min(1).optional(),
  setup: z.array(setupStep).optional(),
  run: command,
  env: env.optional(),
  user: user.optional(),
  /** Must pass before the job starts: run in a sandbox of the service's filesystem, on its network. */
  health: z
    .strictObject({
      command,
      interval: duration.optional(),
      retries: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  needs: z.array(z.string()).optional(),
  memory: size.optional(),
  cpus: cpus.optional(),
  pids: pids.optional(),
});

/** `build: .` or Compose's long form: the project's Dockerfile, built into the job's image (image/dockerfile/). */
const buildSchema = z.union([
  z.string().min(1),
  z.strictObject({
    context: z.string().min(1).optional().describe('The build context, beneath the checkout (default .)'),
    dockerfile: z.string().min(1).optional().describe('The Dockerfile, relative to the context (default Dockerfile)'),
    target: z.string().min(1).optional().describe('The stage to build (default the last)'),
    args: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('Build args (ARG values)'),
  }),
]);

export const jobSchema = z
  .strictObject({
    image: z
      .string()
      .min(1)
      .optional()
      .describe('The base image: a registry reference (node:22-bookworm), debian:<suite>, oci:DIR, oci-archive:PATH or docker-archive:PATH'),
    build: buildSchema
      .optional()
      .describe("Instead of image: the project's Dockerfile, built by cubicle: `.` or { context, dockerfile, target, args }; run defaults to its CMD"),
    preset: z
      .string()
      .min(1)
      .optional()
      .describe("A preset (node, python, go, ...) that gives setup, run, env, junit, testFiles and caches; the job's own keys win"),
    setup: z.array(setupStep).optional().describe('Cached layers built before the job, like Dockerfile RUN lines; a step sees only its inputs'),
    run: command.optional().describe('The command: a string runs under /bin/sh -c, a list is an argv'),
    env: env.optional().describe('Environment variables of the job (besides PATH, HOME, TERM, LANG and CI)'),
    network: networkMode.optional().describe("none (default): loopback only; outbound: out, but not to the host's loopback; host: the host's network"),
    junit: stringList.optional().describe('Globs of the JUnit XML reports the job writes, copied out and merged'),
    artifacts: stringList.optional().describe('Globs of files copied out of the sandbox into cubicle-artifacts/JOB/'),
    testFiles: testFiles.optional().describe('Globs of the test files --shard-by test splits between shards: * ? ** [a-z] [!a-z], and !PAT to exclude'),
    caches: cacheList.optional().describe('Directories kept between runs (~/.npm): absolute or under ~/'),
    needs: z.array(z.string()).optional().describe('Jobs that must pass before this one starts'),
    services: z.record(z.string(), serviceSchema).optional().describe('Services (a database) started beside the job in its network namespace'),
    compose: z
      .union([
        z.string().min(1),
        z.strictObject({
          file: z.string().min(1),
          services: z.array(z.string().min(1)).min(1).optional(),
          profiles: z.array(z.string().min(1)).optional(),
        }),
      ])
      .optional()
      .describe('A Compose file (compose.yaml) whose services run beside the job, reachable at their service names; or { file, services, profiles }'),
    user: user.optional().describe('UID[:GID] the command runs as inside (default root)'),
    retries: z.number().int().min(0).max(10).optional().describe('Runs again after a failure, up to this many times; a pass after a failure is flaky'),
    /** `unconfined` turns the default syscall filter off for this job (shown in its report). */
    seccomp: z
      .enum(['default', 'unconfined'], { error: (issue) => `expected "default" or "unconfined", got ${show(issue.input)}` })
      .optional()
      .describe('default: a Docker-like syscall filter; unconfined: none'),
    ...limitKeys,
  })
  .superRefine((job, ctx) => {
    // A preset gives a `run`; whether it really does is checked once the preset is read.
    if (job.image !== undefined && job.build !== undefined)
      ctx.addIssue({ code: 'custom', path: ['build'], message: 'a job has either `image` or `build`, not both' });
    // A built image's CMD is the job's command where it gives none (checked once the Dockerfile is read).
    if (job.run === undefined && job.preset === undefined && job.build === undefined)
      ctx.addIssue({ code: 'custom', path: ['run'], message: 'missing: every job needs a `run` command, or a `preset` that gives one' });
  });

export const defaultsSchema = z.strictObject({
  image: z.string().min(1).optional(),
  network: networkMode.optional(),
  env: env.optional(),
  retries: z.number().int().min(0).max(10).optional(),
  ...limitKeys,
});

export const configSchema = z.strictObject({
  defaults: defaultsSchema.optional(),
  jobs: z.record(z.string(), jobSchema).refine((jobs) => Object.keys(jobs).length > 0, { message: 'no jobs: add at least one job under `jobs:`' }),
  insecureRegistries: z.array(z.string()).optional(),
});

/** What a preset (presets/NAME.yaml) may give a job; the job's own keys win (presets.ts). */
const presetKeys = {
  setup: z.array(setupStep).optional(),
  run: command.optional(),
  env: env.optional(),
  junit: stringList.optional(),
  testFiles: testFiles.optional(),
  caches: cacheList.optional(),
};

/** A file in the checkout, named as is: a detect condition reads it synchronously, without globbing. */
const checkoutFile = z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^*?[\]{}]+$/, {
  error: (issue) => `expected a plain path relative to the checkout (no glob, no ..), got ${show(issue.input)}`,
});

const presetCondition = z
  .strictObject({
    /** Holds when any of these exists. */
    exists: z.union([checkoutFile, z.array(checkoutFile).min(1)]).optional(),
    /** Holds when each file exists and contains its text. */
    contains: z.record(checkoutFile, z.string().min(1)).optional(),
  })
  .refine((when) => when.exists !== undefined || when.contains !== undefined, { error: 'expected `exists` or `contains`' });

export const presetSchema = z.strictObject({
  description: z.string().min(1),
  ...presetKeys,
  /** Variants: each key comes from the first entry whose `when` holds and that sets it, else from above. */
  detect: z.array(z.strictObject({ when: presetCondition, ...presetKeys })).optional(),
});

export type PresetInput = z.infer<typeof presetSchema>;
export const PRESET_KEYS = ['setup', 'run', 'env', 'junit', 'testFiles', 'caches'] as const satisfies readonly (keyof typeof presetKeys)[];
export type PresetJobInput = Pick<z.infer<typeof jobSchema>, (typeof PRESET_KEYS)[number]>;

export type JobInput = z.infer<typeof jobSchema>;
export type ServiceInput = z.infer<typeof serviceSchema>;
export type DefaultsInput = z.infer<typeof defaultsSchema>;
export type ConfigInput = z.infer<typeof configSchema>;

/** Keys a job may have, for "did you mean" hints. */
export const JOB_KEYS = Object.keys(jobSchema.shape);
export const DEFAULTS_KEYS = Object.keys(defaultsSchema.shape);
export const TOP_KEYS = Object.keys(configSchema.shape);

/**
 * The keys an object at `at` (a path into the config, as zod's issues give it) may have, read
 * from the schema itself, so a setup step, a service or a health check gets its own hints.
 */
export function knownKeysAt(at: readonly PropertyKey[]): string[] {
  let schemas: z.core.$ZodType[] = [configSchema];
  for (const segment of at) schemas = schemas.flatMap((schema) => childSchemas(schema, segment));
  return [...new Set(schemas.flatMap((schema) => objectShapes(schema).flatMap((shape) => Object.keys(shape))))];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType[] {
  const def = schema._zod.def as unknown as { type: string; innerType?: z.core.$ZodType; options?: z.core.$ZodType[]; in?: z.core.$ZodType };
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') return unwrap(def.innerType!);
  if (def.type === 'union') return def.options!.flatMap(unwrap);
  if (def.type === 'pipe') return unwrap(def.in!);
  return [schema];
}

function objectShapes(schema: z.core.$ZodType): Record<string, z.core.$ZodType>[] {
  return unwrap(schema).flatMap((inner) => {
    const def = inner._zod.def as unknown as { type: string; shape?: Record<string, z.core.$ZodType> };
    return def.type === 'object' && def.shape ? [def.shape] : [];
  });
}

function childSchemas(schema: z.core.$ZodType, segment: PropertyKey): z.core.$ZodType[] {
  return unwrap(schema).flatMap((inner) => {
    const def = inner._zod.def as unknown as { type: string; shape?: Record<string, z.core.$ZodType>; valueType?: z.core.$ZodType; element?: z.core.$ZodType };
    if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment]) return [def.shape[segment]];
    if (def.type === 'record' && def.valueType) return [def.valueType];
    if (def.type === 'array' && def.element && typeof segment === 'number') return [def.element];
    return [];
  });
}
