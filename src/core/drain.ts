// Backpressure for job output: a job can print faster than whoever reads cubicle's stdout (a CI
// log shipper, `| less`). Without a pause, every line waits in our write buffer: 120 MB printed
// to a reader that sleeps made the runner 490 MB. Over the mark, reading the job's pipe waits for
// 'drain', the pipe fills, and the job blocks in write(2) instead. Its `timeout:` runs on
// meanwhile: a reader that stops for good ends the job as a timeout, not the runner as an OOM.
import type { Writable } from 'node:stream';

/**
 * What may wait in our write buffer before job output stops being read. 1 MiB made a fast pipe
 * reader pay: Node's write buffer crosses it in normal batching, and each pause and resume of
 * the job's pipe cost syscalls (100 MB through a pipe: 5.98 s vs 3.66 s without backpressure,
 * medians of 10); at 16 MiB the same job took 3.79 s vs 4.24 s, and a stalled reader still
 * holds the runner to about 16 MiB of waiting output.
 */
export const OUTPUT_HIGH_WATER_BYTES = 16 * 1024 * 1024;

/** A promise of 'drain' (or close/error) while `out` holds more than the mark; undefined when it does not. */
export function waitForDrain(out: Writable, highWaterBytes = OUTPUT_HIGH_WATER_BYTES): Promise<void> | undefined {
  if (out.writableLength <= highWaterBytes || out.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}
