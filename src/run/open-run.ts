// What every execution of a plan opens first and closes last, for `run` as for `shell` and `exec`:
// the limits (or the answer that only a delegated systemd scope can give them), the store made and
// reaped of what killed runs left, this run's dir, and the shared user namespace where it saves work.
import type { PlannedJob, RunPlan } from '../plan/run-plan.js';
import { startRunUserns } from '../host/shared-userns.js';
import { reapStore } from '../store/layers.js';
import { ensureStore } from '../store/paths.js';
import { createRunDir, reapStaleRuns, runsRoot, type RunDir } from '../store/runs.js';
import { needsSystemdScope, planLimits, type LimitsPlan, type SystemdScopeNeeded } from './limits.js';

export interface OpenRun {
  readonly limits: LimitsPlan;
  readonly runDir: RunDir;
  /** The shared user namespace's /proc path; undefined: each sandbox maps itself. */
  readonly userns: string | undefined;
  /** Stops the namespace holder and removes the run dir. */
  close(): Promise<void>;
}

export async function openRun(plan: RunPlan, jobs: readonly PlannedJob[]): Promise<OpenRun | SystemdScopeNeeded> {
  const limits = await planLimits(
    jobs.map((planned) => planned.job),
    plan.noLimits,
  );
  if (needsSystemdScope(limits)) return limits;
  ensureStore(plan.store);
  await reapStaleRuns(runsRoot(plan.store.root));
  await reapStore(plan.store);
  const runDir = createRunDir(runsRoot(plan.store.root));
  // One sandbox maps itself with the same two calls a holder would make (plan.oneSandbox).
  const holder = plan.oneSandbox ? null : await startRunUserns();
  return {
    limits,
    runDir,
    userns: holder?.path,
    close: async () => {
      await holder?.stop();
      await runDir.remove();
    },
  };
}
