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

export const limitKeys = {
  memory: size.optional(),
  cpus: cpus.optional(),
  pids: pids.optional(),
  timeout: duration.optional(),
};

export const jobSchema = z.strictObject({
  image: z.string().min(1).optional(),
  preset: z.string().min(1).optional(),
  setup: z.array(setupStep).optional(),
  run: z
    .union([z.string().min(1), z.array(z.string()).min(1)], {
      error: (issue) => (issue.input === undefined ? 'missing: every job needs a `run` command' : `expected a command string or an argv list, got ${JSON.stringify(issue.input)}`),
    }),
  env: env.optional(),
  network: z.enum(['none', 'host'], { error: (issue) => `expected "none" or "host", got ${JSON.stringify(issue.input)}` }).optional(),
  junit: stringList.optional(),
  artifacts: stringList.optional(),
  caches: z.array(z.string().regex(/^(~\/|\/)./, { error: (issue) => `expected an absolute path or one under ~/, like ~/.npm, got ${JSON.stringify(issue.input)}` })).optional(),
  needs: z.array(z.string()).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  ...limitKeys,
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

export type JobInput = z.infer<typeof jobSchema>;
export type DefaultsInput = z.infer<typeof defaultsSchema>;
export type ConfigInput = z.infer<typeof configSchema>;

/** Keys a job may have, for "did you mean" hints. */
export const JOB_KEYS = Object.keys(jobSchema.shape);
export const DEFAULTS_KEYS = Object.keys(defaultsSchema.shape);
export const TOP_KEYS = Object.keys(configSchema.shape);
