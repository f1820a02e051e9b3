// A resolved job as unit tests need one: the config's defaults for a `run: true` job on the host,
// with what a test sets on top (a name, needs, limits). Said once for the scheduler's and the
// shard's tests; a new field of ResolvedJob gets its default here.
import type { ResolvedJob } from '../../src/config/resolve.js';

export function resolvedJob(name: string, needs: string[] = [], overrides: Partial<ResolvedJob> = {}): ResolvedJob {
  return {
    name,
    image: 'host',
    build: null,
    command: ['true'],
    script: false,
    testFiles: [],
    env: {},
    network: 'none',
    junit: [],
    artifacts: [],
    needs,
    retries: 0,
    limits: {},
    setup: [],
    caches: [],
    seccomp: 'default',
    services: [],
    user: null,
    ...overrides,
  };
}
