// A parsed Dockerfile -> the stages a target needs, each as a list of concrete operations: ARG and
// ENV substituted as Docker does, ARG scoping across stages (an ARG before the first FROM is global,
// usable in FROM lines, and inside a stage only once declared again), build args, the predefined
// proxy args, and the image config (Env, WorkingDir, User, Cmd, Entrypoint) each stage ends with.
// Pure: the builder (run/dockerfile-build.ts) executes the operations.
import path from 'node:path';
import type { ExecOrShell, Instruction, ParsedDockerfile } from './parse.js';
import { DockerfileProblems } from './parse.js';
import { expandWord, expandWords, SubstitutionError } from './words.js';

/** This machine as an OCI platform: what FROM --platform may name. */
export const THIS_PLATFORM = `linux/${({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch}`;

/** Build args Docker accepts without an ARG line; kept out of cache keys (they differ per machine). */
export const PROXY_ARGS = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((name) => [name, name.toLowerCase()]);

export interface Stage {
  readonly index: number;
  readonly name: string | null;
  readonly from: Extract<Instruction, { kind: 'FROM' }>;
  readonly body: readonly Instruction[];
}

export interface ImageConfig {
  /** Ordered as set: the image's own Env, then each ENV. */
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly user: string;
  readonly shell: readonly string[];
  readonly cmd: readonly string[] | null;
  readonly entrypoint: readonly string[] | null;
}

export const EMPTY_CONFIG: ImageConfig = { env: {}, workdir: '/', user: '', shell: ['/bin/sh', '-c'], cmd: null, entrypoint: null };

export type Operation =
  | {
      readonly kind: 'run';
      readonly line: number;
      readonly text: string;
      readonly argv: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      /** Build args in the RUN's environment that are not in its key (the proxy args). */
      readonly unkeyedEnv: readonly string[];
      readonly workdir: string;
      readonly user: string;
      readonly network: 'default' | 'none' | 'host';
    }
  | {
      readonly kind: 'copy';
      readonly line: number;
      readonly text: string;
      readonly sources: readonly string[];
      readonly dest: string;
      /** null: the build context; a number: an earlier stage; a string: an image. */
      readonly from: number | string | null;
      readonly chmod: number | null;
      readonly workdir: string;
    }
  | { readonly kind: 'workdir'; readonly line: number; readonly text: string; readonly path: string };

export interface StagePlan {
  readonly stage: Stage;
  /** The base: an image reference (substituted) or an earlier stage's index. */
  readonly base: string | number;
}

export function splitStages(parsed: ParsedDockerfile): { globalArgs: Extract<Instruction, { kind: 'ARG' }>[]; stages: Stage[] } {
  const globalArgs: Extract<Instruction, { kind: 'ARG' }>[] = [];
  const stages: { index: number; name: string | null; from: Extract<Instruction, { kind: 'FROM' }>; body: Instruction[] }[] = [];
  for (const instruction of parsed.instructions) {
    if (instruction.kind === 'FROM') stages.push({ index: stages.length, name: instruction.stageName, from: instruction, body: [] });
    else if (stages.length === 0) {
      if (instruction.kind === 'ARG') globalArgs.push(instruction);
    } else stages.at(-1)!.body.push(instruction);
  }
  return { globalArgs, stages };
}

/** The global ARGs' values (build args over defaults), for FROM lines and redeclared ARGs. */
export function globalScope(globalArgs: readonly Extract<Instruction, { kind: 'ARG' }>[], buildArgs: Readonly<Record<string, string>>, escapeChar: string) {
  // BuildKit's automatic platform args: global, so a stage has them once it says `ARG TARGETARCH`.
  const [os, arch] = THIS_PLATFORM.split('/') as [string, string];
  const scope = new Map<string, string>();
  for (const prefix of ['BUILD', 'TARGET']) {
    scope.set(`${prefix}PLATFORM`, THIS_PLATFORM);
    scope.set(`${prefix}OS`, os);
    scope.set(`${prefix}ARCH`, arch);
  }
  for (const instruction of globalArgs)
    for (const arg of instruction.args) {
      const value = buildArgs[arg.name] ?? (arg.value === null ? undefined : substitute(instruction, () => expandWord(arg.value!, scope, escapeChar)));
      if (value !== undefined) scope.set(arg.name, value);
    }
  return scope;
}

/** The stages `target` needs (FROM stage and COPY --from, transitively), in file order, with each one's base. */
export function planStages(parsed: ParsedDockerfile, buildArgs: Readonly<Record<string, string>>, target: string | null): StagePlan[] {
  const { globalArgs, stages } = splitStages(parsed);
  const scope = globalScope(globalArgs, buildArgs, parsed.escapeChar);
  const targetStage = target === null ? stages.at(-1)! : stages.find((stage) => stage.name === target.toLowerCase());
  if (!targetStage) throw new DockerfileProblems([`target "${target}": no stage has this name (FROM ... AS ${target})`]);
  for (const stage of stages) {
    if (stage.from.platform === null) continue;
    const platform = substitute(stage.from, () => expandWord(stage.from.platform!, scope, parsed.escapeChar));
    if (platform !== THIS_PLATFORM)
      throw new DockerfileProblems([`FROM on line ${stage.from.line}: --platform=${platform}: only this machine's platform (${THIS_PLATFORM}) can be built`]);
  }
  const bases = stages.map((stage) => {
    const image = substitute(stage.from, () => expandWord(stage.from.image, scope, parsed.escapeChar));
    const earlier = stageIndex(stages, image, stage.index);
    return earlier ?? image;
  });
  const needed = new Set<number>();
  const visit = (index: number) => {
    if (needed.has(index)) return;
    needed.add(index);
    const base = bases[index]!;
    if (typeof base === 'number') visit(base);
    for (const instruction of stages[index]!.body)
      if (instruction.kind === 'COPY' && instruction.from !== null) {
        const from = stageIndex(stages, instruction.from, index);
        if (from !== null) visit(from);
      }
  };
  visit(targetStage.index);
  return stages.filter((stage) => needed.has(stage.index)).map((stage) => ({ stage, base: bases[stage.index]! }));
}

/** A stage named (or numbered) `ref` before `before`; null when `ref` is an image. */
function stageIndex(stages: readonly Stage[], ref: string, before: number): number | null {
  const byName = stages.find((stage) => stage.index < before && stage.name === ref.toLowerCase());
  if (byName) return byName.index;
  if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
  return null;
}

/** One stage's instructions -> operations and the config it ends with. */
export function stageOperations(
  stage: Stage,
  base: ImageConfig,
  context: {
    readonly globals: ReadonlyMap<string, string>;
    readonly buildArgs: Readonly<Record<string, string>>;
    readonly escapeChar: string;
    readonly stages: readonly Stage[];
  },
): { operations: Operation[]; config: ImageConfig } {
  const env = new Map(Object.entries(base.env));
  const args = new Map<string, string>();
  for (const name of PROXY_ARGS) if (context.buildArgs[name] !== undefined) args.set(name, context.buildArgs[name]!);
  let { workdir, user, shell, cmd, entrypoint } = base;
  const vars = () => new Map([...args, ...env]);
  const operations: Operation[] = [];
  for (const instruction of stage.body) {
    const word = (text: string) => substitute(instruction, () => expandWord(text, vars(), context.escapeChar));
    switch (instruction.kind) {
      case 'ARG':
        for (const arg of instruction.args) {
          const value = context.buildArgs[arg.name] ?? (arg.value === null ? context.globals.get(arg.name) : word(arg.value));
          if (value !== undefined) args.set(arg.name, value);
          else args.delete(arg.name);
        }
        break;
      case 'ENV':
        for (const pair of instruction.pairs) env.set(pair.name, word(pair.value));
        break;
      case 'WORKDIR':
        workdir = path.posix.resolve(workdir, word(instruction.path));
        operations.push({ kind: 'workdir', line: instruction.line, text: instruction.text, path: workdir });
        break;
      case 'USER':
        user = word(instruction.user);
        break;
      case 'SHELL':
        shell = instruction.argv;
        break;
      case 'CMD':
        cmd = argvOf(instruction.command, shell);
        break;
      case 'ENTRYPOINT':
        entrypoint = argvOf(instruction.command, shell);
        cmd = null;
        break;
      case 'RUN': {
        const runEnv = Object.fromEntries([...args, ...env]);
        const unkeyedEnv = PROXY_ARGS.filter((name) => args.has(name) && !env.has(name));
        const argv = argvOf(instruction.command, shell);
        operations.push({
          kind: 'run',
          line: instruction.line,
          text: instruction.text,
          argv,
          env: runEnv,
          unkeyedEnv,
          workdir,
          user,
          network: instruction.network,
        });
        break;
      }
      case 'COPY': {
        const words = substitute(instruction, () => expandWords(instruction.args, vars(), context.escapeChar));
        const dest = words.at(-1)!;
        const absolute = path.posix.resolve(workdir, dest) + (dest.endsWith('/') && dest !== '/' ? '/' : '');
        const fromRef = instruction.from === null ? null : word(instruction.from);
        const from = fromRef === null ? null : (stageIndex(context.stages, fromRef, stage.index) ?? fromRef);
        const chmod = instruction.chmod === null ? null : Number.parseInt(instruction.chmod, 8);
        operations.push({ kind: 'copy', line: instruction.line, text: instruction.text, sources: words.slice(0, -1), dest: absolute, from, chmod, workdir });
        break;
      }
      default:
        break;
    }
  }
  return { operations, config: { env: Object.fromEntries(env), workdir, user, shell, cmd, entrypoint } };
}

function argvOf(command: ExecOrShell, shell: readonly string[]): readonly string[] {
  return 'exec' in command ? command.exec : [...shell, command.shell];
}

function substitute<T>(instruction: { readonly kind: string; readonly line: number }, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SubstitutionError) throw new DockerfileProblems([`${instruction.kind} on line ${instruction.line}: ${error.message}`]);
    throw error;
  }
}
