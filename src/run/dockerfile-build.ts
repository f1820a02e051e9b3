// `build:` of a job: the project's Dockerfile built by cubicle's own machinery. Each instruction
// that changes the filesystem (RUN, COPY/ADD, WORKDIR) is a layer in the store, keyed as BuildKit
// keys it: the layer below, the instruction after ARG/ENV substitution (RUN: its argv, environment,
// working dir, user and network), and for COPY the files it copies after .dockerignore. A key in the
// store is a hit; a missing one is built under the store's lock and committed by one rename.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ResolvedBuild, ResolvedJob } from '../config/resolve.js';
import { readFileBeneath } from '../confine/index.js';
import { ConfigError } from '../core/errors.js';
import { safeMessage } from '../core/message.js';
import type { Base } from '../image/base.js';
import { parseDockerignore, type IgnoreRules } from '../image/dockerfile/dockerignore.js';
import { DockerfileProblems, parseDockerfile, type ParsedDockerfile } from '../image/dockerfile/parse.js';
import { EMPTY_CONFIG, globalScope, planStages, splitStages, stageOperations, type ImageConfig, type Operation } from '../image/dockerfile/stages.js';
import { acquireBuildLock } from '../store/lock.js';
import { commitLayer, findLayer, LAYER_FORMAT, stageLayer, touchLayer, type Layer } from '../store/layers.js';
import { removeTree } from '../sandbox/remove-tree.js';
import { copyKeyMaterial, CopySourceError, makeParents, planCopy, walkContext, writeCopy, type ContextEntry } from './dockerfile-copy.js';
import { copyFromSource } from './dockerfile-copy-from.js';
import { runInstruction } from './dockerfile-run.js';
import type { PrepareOptions, SetupFailure } from './prepare.js';

export interface BuiltImage {
  readonly base: Base;
  readonly config: ImageConfig;
  readonly cacheHits: number;
  readonly built: number;
}

/** Reads and checks the job's Dockerfile; a problem is a ConfigError (exit 2) naming the file, before anything is built. */
export async function readJobDockerfile(build: ResolvedBuild, projectDir: string): Promise<ParsedDockerfile> {
  const rel = path.relative(projectDir, build.dockerfile);
  let text: string;
  try {
    text = readFileBeneath(projectDir, rel, 'nothing was built').toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([`${rel}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`], {
      source: rel,
      hint: 'Name the Dockerfile with build.dockerfile.',
    });
  }
  try {
    const parsed = await parseDockerfile(text);
    planStages(parsed, build.args, build.target);
    return parsed;
  } catch (error) {
    if (error instanceof DockerfileProblems) throw new ConfigError(error.problems, { source: rel });
    throw error;
  }
}

function readIgnore(build: ResolvedBuild, projectDir: string): IgnoreRules {
  const file = path.join(build.context, '.dockerignore');
  if (!fs.lstatSync(file, { throwIfNoEntry: false })) return parseDockerignore('');
  return parseDockerignore(readFileBeneath(projectDir, path.relative(projectDir, file), 'nothing was built').toString('utf8'));
}

interface StageResult {
  readonly rootLowers: readonly string[];
  readonly parent: string;
  readonly config: ImageConfig;
}

export async function buildJobImage(job: ResolvedJob, build: ResolvedBuild, options: PrepareOptions): Promise<BuiltImage | SetupFailure> {
  const say = (line: string) => options.reporter.onJobLine(job, 'stdout', `[build] ${line}`);
  const parsed = await readJobDockerfile(build, options.projectDir);
  const plans = planStages(parsed, build.args, build.target);
  const { globalArgs, stages } = splitStages(parsed);
  const globals = globalScope(globalArgs, build.args, parsed.escapeChar);
  let context: Map<string, ContextEntry> | undefined;
  const results = new Map<number, StageResult>();
  let cacheHits = 0;
  let built = 0;
  let last: StageResult | undefined;
  for (const plan of plans) {
    let start: StageResult;
    if (typeof plan.base === 'number') start = results.get(plan.base)!;
    else {
      if (!options.resolveImage) return failure(`FROM ${plan.base}`, 'this run cannot pull images');
      let base: Base;
      try {
        base = await options.resolveImage(plan.base, (line) => say(`FROM ${line}`));
      } catch (error) {
        return failure(`FROM on line ${plan.stage.from.line}`, `${plan.base} could not be pulled: ${(error as Error).message}`);
      }
      start = { rootLowers: base.rootLowers, parent: base.id, config: { ...EMPTY_CONFIG, ...base.runConfig, env: base.env } };
    }
    let operations: Operation[];
    let config: ImageConfig;
    try {
      ({ operations, config } = stageOperations(plan.stage, start.config, { globals, buildArgs: build.args, escapeChar: parsed.escapeChar, stages }));
    } catch (error) {
      if (error instanceof DockerfileProblems) return failure(`stage ${plan.stage.name ?? plan.stage.index}`, error.problems.join('; '));
      throw error;
    }
    const rootLowers = [...start.rootLowers];
    let parent = start.parent;
    for (const operation of operations) {
      const what = `${operation.text.split(' ')[0]} on line ${operation.line}`;
      let material: Record<string, unknown>;
      let make: (staged: { dir: string; root: string }) => Promise<SetupFailure | null>;
      if (operation.kind === 'copy') {
        if (operation.from !== null) {
          if (operation.chmod !== null) return failure(what, 'COPY --from with --chmod is not supported yet');
          let source: { readonly rootLowers: readonly string[]; readonly id: string };
          if (typeof operation.from === 'number') source = { rootLowers: results.get(operation.from)!.rootLowers, id: results.get(operation.from)!.parent };
          else {
            if (!options.resolveImage) return failure(what, 'this run cannot pull images');
            try {
              const image = await options.resolveImage(operation.from, (line) => say(`COPY --from ${line}`));
              source = { rootLowers: image.rootLowers, id: image.id };
            } catch (error) {
              return failure(what, `${operation.from} could not be pulled: ${(error as Error).message}`);
            }
          }
          const through = symlinkOnPath(rootLowers, [operation.dest]);
          if (through) return failure(what, `copies through ${through}, a symlink in the image: not supported yet; copy to the path it points to`);
          // Keyed on the source's top layer: any change in the source stage copies again.
          material = { copyFrom: source.id, sources: operation.sources, dest: operation.dest };
          const sourceLowers = source.rootLowers;
          const targetLowers = [...rootLowers];
          make = (staged) => copyFromSource(job, operation, { sourceLowers, targetLowers, staged, what }, options);
        } else {
          let items;
          try {
            context ??= walkContext(build.context, readIgnore(build, options.projectDir));
            items = planCopy(operation.sources, operation.dest, context);
          } catch (error) {
            if (error instanceof CopySourceError) return failure(what, error.message);
            throw error;
          }
          const through = symlinkOnPath(
            rootLowers,
            items.map((item) => path.posix.dirname(item.dest)),
          );
          if (through) return failure(what, `copies through ${through}, a symlink in the image: not supported yet; copy to the path it points to`);
          material = { copy: copyKeyMaterial(items, operation.chmod) };
          const lowersNow = [...rootLowers];
          make = async (staged) => {
            writeCopy(build.context, staged.root, items, operation.chmod, lowersNow);
            return null;
          };
        }
      } else if (operation.kind === 'workdir') {
        const through = symlinkOnPath(rootLowers, [operation.path]);
        if (through) return failure(what, `WORKDIR through ${through}, a symlink in the image: not supported yet; name the path it points to`);
        material = { workdir: operation.path };
        const lowersNow = [...rootLowers];
        make = async (staged) => {
          // A dir the image has already is left as it is; a missing one is made, its parents as the image has them.
          if (!lowersNow.some((lower) => fs.lstatSync(path.join(lower, operation.path), { throwIfNoEntry: false })?.isDirectory()))
            makeParents(staged.root, operation.path, lowersNow);
          return null;
        };
      } else {
        const env = Object.fromEntries(Object.entries(operation.env).filter(([name]) => !operation.unkeyedEnv.includes(name)));
        material = { run: operation.argv, env: Object.entries(env).sort(), workdir: operation.workdir, user: operation.user, network: operation.network };
        make = (staged) => runInstruction(job, operation, { rootLowers: [...rootLowers], staged, what }, options);
      }
      const keyMaterial = { format: LAYER_FORMAT, dockerfile: 1, parent, ...material };
      const key = createHash('sha256').update(JSON.stringify(keyMaterial)).digest('hex');
      const existing = () => (options.noCache && !options.rebuiltKeys?.has(key) ? undefined : findLayer(options.store, key));
      const acquired = await acquireBuildLock(options.store, key, existing, options.signal);
      let layer: Layer;
      if ('value' in acquired) {
        layer = acquired.value;
        touchLayer(layer);
        cacheHits += 1;
        say(`cached: ${safeMessage(operation.text)}`);
      } else {
        try {
          say(`running: ${safeMessage(operation.text)}`);
          const staged = stageLayer(options.store, 'setup');
          let outcome: SetupFailure | null;
          try {
            outcome = await make(staged);
          } catch (error) {
            await removeTree(staged.dir);
            throw error;
          }
          if (outcome) {
            await removeTree(staged.dir);
            return outcome;
          }
          const description = `${path.relative(options.projectDir, build.dockerfile)}:${operation.line} ${operation.text}`;
          layer = await commitLayer(options.store, staged, { id: key, kind: 'setup', parent, key: keyMaterial, description, replace: options.noCache });
          options.rebuiltKeys?.add(key);
          built += 1;
        } finally {
          acquired.lock.release();
        }
      }
      rootLowers.unshift(layer.root);
      parent = key;
    }
    last = { rootLowers, parent, config };
    results.set(plan.stage.index, last);
  }
  const top = last!;
  options.usedLayers?.add(top.parent);
  return { base: { kind: 'oci', id: top.parent, rootLowers: top.rootLowers, env: top.config.env, digest: null }, config: top.config, cacheHits, built };
}

function failure(what: string, message: string): SetupFailure {
  return { what, status: null, message, outputTail: '' };
}

/**
 * The first dir on one of `dirs` that the image has as a symlink: a layer's dir there would hide
 * the link (overlay does not follow a lower's symlink), so such a write is refused, not made wrong.
 */
function symlinkOnPath(rootLowers: readonly string[], dirs: readonly string[]): string | null {
  for (const dir of new Set(dirs)) {
    const parts = dir.split('/').filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth++) {
      const prefix = parts.slice(0, depth).join('/');
      for (const lower of rootLowers) {
        const stat = fs.lstatSync(path.join(lower, prefix), { throwIfNoEntry: false });
        if (!stat) continue;
        if (stat.isSymbolicLink()) return `/${prefix}`;
        break;
      }
    }
  }
  return null;
}
