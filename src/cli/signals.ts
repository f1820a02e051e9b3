import os from 'node:os';
import { rerunParent } from './scope.js';

export interface Cancellation {
  readonly signal: AbortSignal;
  readonly received: NodeJS.Signals | undefined;
  /** 128 + the signal number, as a shell reports it. */
  readonly exitCode: number;
  dispose(): void;
}

/** SIGINT/SIGTERM cancel the run: running sandboxes get SIGTERM, then SIGKILL; reports are still written. */
export function cancelOnSignals(): Cancellation {
  return cancelOn(['SIGINT', 'SIGTERM'], [], (signal) => process.stderr.write(`\ncubicle: ${signal} received: stopping every job, then writing the reports\n`));
}

/**
 * An interactive shell: Ctrl-C and Ctrl-\ reach the shell from the terminal; they must not end
 * cubicle (and the sandbox with it). A closed terminal or SIGTERM does.
 */
export function cancelOnHangup(): Cancellation {
  return cancelOn(['SIGTERM', 'SIGHUP'], ['SIGINT', 'SIGQUIT']);
}

/** The first of `stopping` aborts the signal (and is reported); `ignored` are caught and dropped. */
function cancelOn(stopping: readonly NodeJS.Signals[], ignored: readonly NodeJS.Signals[], onFirst?: (signal: NodeJS.Signals) => void): Cancellation {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const ignore = () => undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return;
    received = signal;
    onFirst?.(signal);
    controller.abort();
  };
  stopping.forEach((signal) => process.on(signal, onSignal));
  ignored.forEach((signal) => process.on(signal, ignore));
  // Re-run under systemd-run: the outer cubicle passes signals on; if it vanished without
  // (SIGKILL), this run was cancelled all the same.
  const parent = rerunParent();
  const orphaned =
    parent === undefined
      ? undefined
      : setInterval(() => {
          if (process.ppid === parent || received) return;
          process.stderr.write(`\ncubicle: the cubicle that started this run under systemd-run is gone (pid ${parent})\n`);
          onSignal('SIGTERM');
        }, 250).unref();
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received ? 128 + (os.constants.signals[received] ?? 15) : 0;
    },
    dispose() {
      clearInterval(orphaned);
      stopping.forEach((signal) => process.off(signal, onSignal));
      ignored.forEach((signal) => process.off(signal, ignore));
    },
  };
}
