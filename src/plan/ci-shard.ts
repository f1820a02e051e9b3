// `--shard auto`: the shard a CI's parallel machines already number, read from the variables
// that CI sets (GitLab `parallel:`, Buildkite and CircleCI `parallelism:`), so one pipeline line
// serves every machine. The environment is passed in: reading it here keeps planning pure.
import { UsageError } from '../core/errors.js';
import type { Shard } from './shard.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A CI that numbers its parallel machines: the marker it sets, and its index and count variables. */
interface ParallelCi {
  readonly name: string;
  readonly marker: string;
  readonly index: string;
  readonly total: string;
  /** Whether `index` counts from 0 (Buildkite, CircleCI) or 1 (GitLab). */
  readonly base: 0 | 1;
  /** The setting that makes the CI set them. */
  readonly setting: string;
}

const PARALLEL_CIS: readonly ParallelCi[] = [
  { name: 'GitLab', marker: 'GITLAB_CI', index: 'CI_NODE_INDEX', total: 'CI_NODE_TOTAL', base: 1, setting: 'parallel: N' },
  { name: 'Buildkite', marker: 'BUILDKITE', index: 'BUILDKITE_PARALLEL_JOB', total: 'BUILDKITE_PARALLEL_JOB_COUNT', base: 0, setting: 'parallelism: N' },
  { name: 'CircleCI', marker: 'CIRCLECI', index: 'CIRCLE_NODE_INDEX', total: 'CIRCLE_NODE_TOTAL', base: 0, setting: 'parallelism: N' },
];

/** This machine's shard, and where it came from in words: "GitLab CI_NODE_INDEX=2, CI_NODE_TOTAL=3". */
export interface CiShard extends Shard {
  readonly from: string;
}

const set = (env: Env, name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

/**
 * The shard the CI that runs us gives this machine. A CI found without an index (a job without
 * `parallel:`) is one machine: shard 1/1. No CI found, several, or a malformed value: a
 * UsageError naming the variables, and nothing is run.
 */
export function shardFromCi(env: Env): CiShard {
  const found = PARALLEL_CIS.filter((ci) => env[ci.marker] === 'true');
  if (found.length === 0) throw noCiFound(env);
  if (found.length > 1) {
    const which = found.map((ci) => `${ci.name} (${ci.marker}=true)`).join(' and ');
    throw new UsageError(`--shard auto: ${which} are all set, so which CI numbers this machine is ambiguous; nothing was run`, {
      hint: 'give the shard itself: --shard i/n',
    });
  }
  const ci = found[0]!;
  const indexText = set(env, ci.index);
  const totalText = set(env, ci.total);
  // A job without `parallel:` has no index; GitLab still sets CI_NODE_TOTAL=1 there.
  if (indexText === undefined && (totalText === undefined || totalText.trim() === '1')) {
    const read = totalText === undefined ? `${ci.index} and ${ci.total} unset` : `${ci.index} unset, ${ci.total}=1`;
    return { index: 1, count: 1, from: `${ci.name} without parallel machines: ${read}, so this is the only shard` };
  }
  const wholeNumber = (name: string, text: string | undefined): number => {
    if (text === undefined) {
      throw new UsageError(`--shard auto: ${ci.name} set ${name === ci.index ? ci.total : ci.index} but not ${name}; nothing was run`, {
        hint: `${ci.name} sets both with \`${ci.setting}\`; or give the shard itself: --shard i/n`,
      });
    }
    if (!/^\d+$/.test(text.trim())) throw malformed(ci, `${name}=${JSON.stringify(text)} is not a whole number`);
    return Number(text.trim());
  };
  const index = wholeNumber(ci.index, indexText);
  const count = wholeNumber(ci.total, totalText);
  if (count < 1) throw malformed(ci, `${ci.total}=${JSON.stringify(totalText)} is below 1`);
  if (index < ci.base || index > count - 1 + ci.base) {
    const range = ci.base === 1 ? `1 to ${count}` : `0 to ${count - 1}`;
    throw malformed(ci, `${ci.index}=${JSON.stringify(indexText)} is out of range: with ${ci.total}=${count} it counts ${range}`);
  }
  return { index: index + 1 - ci.base, count, from: `${ci.name} ${ci.index}=${index}, ${ci.total}=${count}` };
}

function malformed(ci: ParallelCi, what: string): UsageError {
  return new UsageError(`--shard auto: ${what}; nothing was run`, {
    hint: `${ci.name} sets ${ci.index} and ${ci.total} with \`${ci.setting}\`; or give the shard itself: --shard i/n`,
  });
}

function noCiFound(env: Env): UsageError {
  const looked = PARALLEL_CIS.map((ci) => `${ci.name}'s ${ci.index} and ${ci.total} (with ${ci.marker}=true)`).join(', ');
  const markers = PARALLEL_CIS.map((ci) => ci.marker).join(', ');
  // GitHub Actions numbers no matrix job: the matrix itself must say which shard this is.
  const github = env.GITHUB_ACTIONS === 'true' ? ' GitHub Actions sets no shard variable: a matrix job gives its own, e.g. --shard ${{ matrix.shard }}/3.' : '';
  const message = `--shard auto: no CI that numbers its parallel machines was found: cubicle reads ${looked}; none of ${markers} is true here`;
  return new UsageError(`${message}; nothing was run.${github}`, {
    hint: 'give the shard itself: --shard i/n (1 <= i <= n), or run under one of these CIs with its parallel setting',
  });
}
