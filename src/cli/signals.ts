import os from 'node:os';

export interface Cancellation {
  readonly signal: AbortSignal;
  readonly received: NodeJS.Signals | undefined;
  /** 128 + the signal number, as a shell reports it. */
  readonly exitCode: number;
  dispose(): void;
}

/** SIGINT/SIGTERM cancel the run: running sandboxes get SIGTERM, then SIGKILL; reports are still written. */
export function cancelOnSignals(): Cancellation {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) return;
    received = signal;
    process.stderr.write(`\ncubicle: ${signal} received: stopping every job, then writing the reports\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    get exitCode() {
      return received ? 128 + (os.constants.signals[received] ?? 15) : 0;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
