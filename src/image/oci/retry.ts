// Network errors, 5xx and 429 are retried with backoff (0.5 s, 1 s, 2 s); anything else fails at once.

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [500, 1000, 2000];
const MAX_RETRY_AFTER_MS = 30_000;

/** Worth another try: the registry answered 5xx or 429, or the connection broke. */
export class TransientError extends Error {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** fetch() wraps the socket's error in a TypeError: 'fetch failed' before a response, 'terminated' in a body. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  for (let current: unknown = error, depth = 0; current && depth < 4; current = (current as Error).cause, depth++) {
    const code = codeOf(current);
    if (code && NETWORK_CODES.has(code)) return true;
    if (code) return false;
  }
  // A body cut off mid-way; 'fetch failed' without a network code is fetch's own refusal (bad port, bad URL).
  return error instanceof TypeError && error.message === 'terminated';
}

/** The innermost message: `connect ECONNREFUSED 127.0.0.1:5000`, not `fetch failed`. */
export function describeNetworkError(error: unknown): string {
  let current = error as Error;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message || String(error);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  delaysMs?: readonly number[];
  signal?: AbortSignal | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Calls `attempt(1)`, then again after each delay while it fails transiently; the last error is thrown. */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const delays = options.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const backoff = delays[attemptNumber - 1];
      if (backoff === undefined || !isTransient(error) || options.signal?.aborted) throw error;
      const retryAfter = error instanceof TransientError ? Math.min(error.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS) : 0;
      const delayMs = Math.max(backoff, retryAfter);
      options.onRetry?.(error, attemptNumber, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
