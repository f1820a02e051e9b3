// What main and post share: where the step's files go, and how an error reads in the log.
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../core/errors.js';
import { HostNotReadyError } from './host.js';
import { ActionInputError } from './inputs.js';

/** The names main saves with core.saveState for post. */
export const STATE = {
  cache: 'cache',
  key: 'cache-key',
  restoredKey: 'cache-restored-key',
  layersBefore: 'layers-before',
  archive: 'cache-archive',
  /** This run's JUnit report, for the timings `cache: registry` pushes. */
  junit: 'junit',
} as const;

/** RUNNER_TEMP/cubicle/<step>: emptied by the runner after each job; one dir per step using the action. */
export function stepDir(env: Readonly<Record<string, string | undefined>>): string {
  const step = (env.GITHUB_ACTION || 'cubicle').replace(/[^\w.-]/g, '_');
  return path.join(env.RUNNER_TEMP || os.tmpdir(), 'cubicle', step);
}

export function describeFailure(error: unknown): string {
  if (error instanceof ActionInputError || error instanceof HostNotReadyError) return error.message;
  return describeError(error);
}
