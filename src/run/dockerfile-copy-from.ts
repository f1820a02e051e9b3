// COPY --from=STAGE|IMAGE in a Dockerfile build: the files are read from the source's merged
// filesystem (its layers as one overlay, whiteouts applied by the kernel) inside a sandbox of the
// source, and written into the new layer's root, bound at /.cubicle-dest; owner root, modes kept,
// as Docker copies. The source needs sh and cp (a builder stage has them; the target may not).
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedJob } from '../config/resolve.js';
import type { Operation } from '../image/dockerfile/stages.js';
import { DEFAULT_PATH, sandboxSpec, type JobFilesystem } from '../plan/sandbox-spec.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { runSandbox } from '../sandbox/spawn.js';
import { makeParents } from './dockerfile-copy.js';
import type { PrepareOptions, SetupFailure } from './prepare.js';

const DEST = '/.cubicle-dest';

// $1 the destination, $2 1 when it is a dir (ends in /, several sources, a glob), then the sources (globs expanded by sh).
const SCRIPT = `set -e
dest=$1; into=$2; shift 2
D=${DEST}
for pattern in "$@"; do
  found=0
  for src in $pattern; do
    if [ ! -e "$src" ] && [ ! -L "$src" ]; then continue; fi
    found=1
    if [ -d "$src" ] && [ ! -L "$src" ]; then mkdir -p "$D$dest"; cp -a "$src/." "$D$dest/"; chown -R 0:0 "$D$dest"
    elif [ "$into" = 1 ]; then mkdir -p "$D$dest"; cp -a "$src" "$D$dest/"; chown -hR 0:0 "$D$dest/\${src##*/}"
    else cp -a "$src" "$D$dest"; chown -hR 0:0 "$D$dest"
    fi
  done
  [ "$found" = 1 ] || { echo "$pattern: no such file in the source" >&2; exit 1; }
done
`;

export async function copyFromSource(
  job: ResolvedJob,
  operation: Extract<Operation, { kind: 'copy' }>,
  where: {
    readonly sourceLowers: readonly string[];
    /** The stage being built: the destination's parent dirs are made as it has them. */
    readonly targetLowers: readonly string[];
    readonly staged: { readonly dir: string; readonly root: string };
    readonly what: string;
  },
  options: PrepareOptions,
): Promise<SetupFailure | null> {
  const scratch = {
    rootUpper: path.join(where.staged.dir, 'from-upper'),
    rootWork: path.join(where.staged.dir, 'from-work'),
    upper: path.join(where.staged.dir, 'ws-upper'),
    work: path.join(where.staged.dir, 'ws-work'),
    workspace: path.join(where.staged.dir, 'ws-empty'),
    skeleton: path.join(where.staged.dir, 'skeleton'),
  };
  for (const dir of Object.values(scratch)) fs.mkdirSync(dir, { mode: 0o755 });
  const filesystem: JobFilesystem = {
    hostSystem: false,
    rootLowers: where.sourceLowers,
    wsLowers: [],
    workspace: scratch.workspace,
    caches: [],
    imageEnv: {},
    captureRoot: true,
  };
  makeParents(where.staged.root, path.posix.dirname(operation.dest.replace(/\/+$/, '') || '/'), where.targetLowers);
  const intoDir = operation.dest.endsWith('/') || operation.sources.length > 1 || operation.sources.some((source) => /[*?[]/.test(source));
  const sources = operation.sources.map((source) => path.posix.resolve('/', source));
  try {
    const spec = sandboxSpec(
      {
        name: 'cubicle-build',
        command: ['/bin/sh', '-c', SCRIPT, 'sh', operation.dest.replace(/\/+$/, '') || '/', intoDir ? '1' : '0', ...sources],
        env: { PATH: DEFAULT_PATH, HOME: '/root' },
        network: 'none',
        limits: job.limits,
        projectDir: options.projectDir,
        userns: options.userns,
        extraMounts: [{ kind: 'bind', src: where.staged.root, dest: DEST }],
      },
      { ...scratch, cgroups: [] },
      filesystem,
    );
    const { status, outputTail } = await runSandbox(
      { ...spec, cwd: '/', buildCapabilities: true },
      { signal: options.signal, onLine: (stream, line) => options.reporter.onJobLine(job, stream, line), backpressure: () => options.reporter.backpressure() },
    );
    if (status.exitCode === 0 && !status.error && !options.signal.aborted) return null;
    const how = status.error
      ? `the sandbox could not be set up: ${status.error.message}`
      : status.exitCode === 127
        ? 'the source has no sh or cp, which COPY --from needs here'
        : `exited with ${status.exitCode ?? status.signal}`;
    return { what: where.what, status, message: `${operation.text}: ${how}`, outputTail };
  } finally {
    for (const dir of Object.values(scratch)) await removeTree(dir);
  }
}
