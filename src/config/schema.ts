// The config file's shape (../shared/DESIGN.md, "Configuration"), validated by zod.
// Sizes and durations stay as written here; resolve.ts turns them into numbers.
import * as z from 'zod';
import { parseDuration, parseSize } from './units.js';

const size = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  if (parseSize(value) === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a size like 512m or 2g, got ${JSON.stringify(value)}` });
  }
});

const duration = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  if (parseDuration(value) === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 90s, 10m or 1h, got ${JSON.stringify(value)}` });
  }
});

const cpus = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const count = Number(value);
  if (!Number.isFinite(count) || count <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a number of CPUs like 2 or 0.5, got ${JSON.stringify(value)}` });
  }
});

const pids = z.number({ error: (issue) => `expected a whole number of processes like 512, got ${JSON.stringify(issue.input)}` }).int().positive();

const envValue = z.union([z.string(), z.number(), z.boolean()]);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: (issue) => `expected an environment variable name, got ${JSON.stringify(issue.input)}` });
const env = z.record(envName, envValue);

const stringList = z.union([z.string(), z.array(z.string())]);

export const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const setupStep = z.strictObject({
  run: z.string().min(1),
  inputs: z.array(z.string().min(1)).optional(),
  env: env.optional(),
  /** Setup steps download (npm ci): the host's network unless `none`. */
  network: z.enum(['none', 'host'], { error: (issue) => `expected "none" or "host", got ${JSON.stringify(issue.input)}` }).optional(),
});

const command = z.union([z.string().min(1), z.array(z.string()).min(1)], { error: (issue) => `expected a command string or an argv list, got ${JSON.stringify(issue.input)}` });

const cacheList = z.array(z.string().regex(/^(~\/|\/)./, { error: (issue) => `expected an absolute path or one under ~/, like ~/.npm, got ${JSON.stringify(issue.input)}` }));

export const limitKeys = {
  memory: size.optional(),
  /** The job's writes (its upper layers) live on a tmpfs of this size. */
  disk: size.optional(),
  cpus: cpus.optional(),
  pids: pids.optional(),
  timeout: duration.optional(),
};

export const jobSchema = z.strictObject({
  image: z.string().min(1).optional(),
  preset: z.string().min(1).optional(),
  setup: z.array(setupStep).optional(),
  run: command.optional(),
  env: env.optional(),
  network: z.enum(['none', 'host'], { error: (issue) => `expected "none" or "host", got ${JSON.stringify(issue.input)}` }).optional(),
  junit: stringList.optional(),
  artifacts: stringList.optional(),
  caches: cacheList.optional(),
  needs: z.array(z.string()).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  /** `unconfined` turns the default syscall filter off for this job (shown in its report). */
  seccomp: z.enum(['default', 'unconfined'], { error: (issue) => `expected "default" or "unconfined", got ${JSON.stringify(issue.input)}` }).optional(),
  ...limitKeys,
}).superRefine((job, ctx) => {
  // A preset gives a `run`; whether it really does is checked once the preset is read.
  if (job.run === undefined && job.preset === undefined) ctx.addIssue({ code: 'custom', path: ['run'], message: 'missing: every job needs a `run` command, or a `preset` that gives one' });
});

export const defaultsSchema = z.strictObject({
  image: z.string().min(1).optional(),
  network: z.enum(['none', 'host']).optional(),
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
  caches: cacheList.optional(),
};

/** A file in the checkout, named as is: a detect condition reads it synchronously, without globbing. */
const checkoutFile = z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^*?[\]{}]+$/, { error: (issue) => `expected a plain path relative to the checkout (no glob, no ..), got ${JSON.stringify(issue.input)}` });

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
export const PRESET_KEYS = ['setup', 'run', 'env', 'junit', 'caches'] as const satisfies readonly (keyof typeof presetKeys)[];
export type PresetJobInput = Pick<z.infer<typeof jobSchema>, (typeof PRESET_KEYS)[number]>;

export type JobInput = z.infer<typeof jobSchema>;
export type DefaultsInput = z.infer<typeof defaultsSchema>;
export type ConfigInput = z.infer<typeof configSchema>;

/** Keys a job may have, for "did you mean" hints. */
export const JOB_KEYS = Object.keys(jobSchema.shape);
export const DEFAULTS_KEYS = Object.keys(defaultsSchema.shape);
export const TOP_KEYS = Object.keys(configSchema.shape);
