// A setup step's cache key: sha256 of everything the step's result can depend on that is not the
// layer below it: the command, its whole environment (plan/step-env.ts: fixed, plus the step's
// own `env`), its network, where the checkout is, the empty dirs at the job's cache paths, and
// its input files' content. The runner's TERM or PATH and the job's name or `env` are not in it,
// because a step never sees them. README.md "Setup steps, images and the layer store" lists it.
import { createHash } from 'node:crypto';
import { LAYER_FORMAT } from '../store/layers.js';

/** A step's input file as staged for it (run/stage-inputs.ts): what its key covers. */
export interface StagedInput {
  /** Relative to the checkout, '/'-separated. */
  readonly path: string;
  readonly sha256: string;
  readonly executable: boolean;
}

export interface StepKeyInput {
  /** The layer below: the previous step's id, or the base's id (the host's release, an image's layers). */
  readonly parent: string;
  readonly run: string;
  /** Exactly what the step's process gets (stepEnvironment). */
  readonly env: Readonly<Record<string, string>>;
  readonly network: string;
  /** Where the checkout is mounted: tools write absolute paths into what they install. */
  readonly workdir: string;
  /** The job's `caches:` paths: the step sees an empty dir at each, so it does not write there. */
  readonly cachePaths: readonly string[];
  readonly inputs: readonly StagedInput[];
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function stepKeyMaterial(input: StepKeyInput): Record<string, unknown> {
  return {
    format: LAYER_FORMAT,
    parent: input.parent,
    run: input.run,
    env: Object.entries(input.env).sort(([a], [b]) => byCodeUnit(a, b)),
    network: input.network,
    workdir: input.workdir,
    caches: [...new Set(input.cachePaths)].sort(byCodeUnit),
    inputs: input.inputs.map((file) => [file.path, file.executable ? 'x' : '-', file.sha256]),
  };
}

export function stepKey(input: StepKeyInput): string {
  return createHash('sha256')
    .update(JSON.stringify(stepKeyMaterial(input)))
    .digest('hex');
}
