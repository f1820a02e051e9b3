// Whether the post step saves the layer store to the workflow cache. Like actions/cache, a
// key that was restored exactly is never saved again; unlike it, nothing is saved unless the
// run built layers the cache lacks, and by default only on the default branch: its caches are
// the ones every branch and pull request can restore, and a pull request cannot write them.
import fs from 'node:fs';
import type { SaveCacheMode } from './inputs.js';

export interface SaveFacts {
  readonly mode: SaveCacheMode;
  /** GITHUB_REF: refs/heads/main, refs/pull/7/merge, refs/tags/v1. */
  readonly ref: string | undefined;
  /** The event's repository.default_branch; undefined when the event does not say. */
  readonly defaultBranch: string | undefined;
  /** The key restored was the key to save: the cache already holds exactly this. */
  readonly exactHit: boolean;
  /** Layers in the store now that were not there after restore. */
  readonly newLayers: number;
}

export interface SaveDecision {
  readonly save: boolean;
  readonly reason: string;
}

export function decideSave(facts: SaveFacts): SaveDecision {
  if (facts.mode === 'never') return { save: false, reason: 'save-cache is never' };
  if (facts.newLayers === 0) return { save: false, reason: 'this run built no new layers' };
  if (facts.exactHit)
    return {
      save: false,
      reason: 'the cache key was restored exactly and cache entries cannot be replaced; new layers are saved when the config or a setup input changes',
    };
  return decideByBranch(facts, `${facts.newLayers} new ${facts.newLayers === 1 ? 'layer' : 'layers'}`);
}

export type PushFacts = Pick<SaveFacts, 'mode' | 'ref' | 'defaultBranch'>;

/**
 * Whether post pushes to the registry cache (cache: registry). By save-cache's rule for the
 * branch: a registry layer is trusted by every run that pulls it. Neither new layers nor an
 * exact hit matter: a push uploads only what the registry lacks, and this run's timings.
 */
export function decidePush(facts: PushFacts): SaveDecision {
  if (facts.mode === 'never') return { save: false, reason: 'save-cache is never' };
  return decideByBranch(facts, "this run's layers and timings");
}

/** save-cache's rule for the run's ref; `what`: what would be saved, for the reason. */
function decideByBranch(facts: PushFacts, what: string): SaveDecision {
  if (facts.mode === 'always') return { save: true, reason: `${what}; save-cache is always` };
  if (!facts.defaultBranch)
    return { save: false, reason: `${what}, but the event does not name the repository's default branch, and save-cache is default-branch` };
  const branchRef = `refs/heads/${facts.defaultBranch}`;
  if (facts.ref !== branchRef)
    return {
      save: false,
      reason: `${what}, but this run is for ${facts.ref ?? 'an unknown ref'}, not the default branch (${branchRef}); save-cache is default-branch`,
    };
  return { save: true, reason: `${what} on the default branch` };
}

/** repository.default_branch of the event payload (GITHUB_EVENT_PATH); undefined when absent or unreadable. */
export function readDefaultBranch(eventPath: string | undefined): string | undefined {
  if (!eventPath) return undefined;
  try {
    const event = JSON.parse(fs.readFileSync(eventPath, 'utf8')) as { repository?: { default_branch?: unknown } };
    const branch = event.repository?.default_branch;
    return typeof branch === 'string' && branch ? branch : undefined;
  } catch {
    return undefined;
  }
}

/** Ids in `after` that are not in `before`. */
export function newLayerIds(before: readonly string[], after: readonly string[]): string[] {
  const known = new Set(before);
  return after.filter((id) => !known.has(id));
}
