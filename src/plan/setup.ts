// A setup step's cache key: sha256 of everything the step's result can depend on that cubicle
// can see: the layer below, the command, the environment, the network, and its input files.
import { createHash } from 'node:crypto';
import type { StagedInput } from './inputs.js';

/** Bumped when the layout of a layer or the meaning of a key changes. */
export const LAYER_FORMAT = 1;

export interface StepKeyInput {
  /** The layer below: the previous step's id, or the base's id. */
  readonly parent: string;
  readonly run: string;
  readonly env: Readonly<Record<string, string>>;
  readonly network: string;
  /** Where the checkout is mounted: tools write absolute paths into what they install. */
  readonly workdir: string;
  readonly inputs: readonly StagedInput[];
}

export function stepKeyMaterial(input: StepKeyInput): Record<string, unknown> {
  return {
    format: LAYER_FORMAT,
    parent: input.parent,
    run: input.run,
    env: Object.entries(input.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    network: input.network,
    workdir: input.workdir,
    inputs: input.inputs.map((file) => [file.path, file.executable ? 'x' : '-', file.sha256]),
  };
}

export function stepKey(input: StepKeyInput): string {
  return createHash('sha256').update(JSON.stringify(stepKeyMaterial(input))).digest('hex');
}
