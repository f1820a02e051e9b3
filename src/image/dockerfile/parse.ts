// A Dockerfile -> a checked list of instructions, read by dockerfile-ast (the parser behind VS Code's
// Dockerfile support). Only what cubicle builds is let through; anything else (ADD of a URL, ONBUILD,
// an unknown flag, a form not built yet) is a problem naming the instruction and its line, so a
// Dockerfile is either built as Docker would build it or not at all. Arguments stay raw here: ARG and
// ENV substitution depends on the build's state (stages.ts).
import { loadDockerfileParser } from '../../core/vendor.js';

export type ExecOrShell = { readonly exec: readonly string[] } | { readonly shell: string };

interface At {
  readonly line: number;
  /** The instruction as written (continuations joined), for messages and cache keys. */
  readonly text: string;
}

export type Instruction =
  | (At & { readonly kind: 'FROM'; readonly image: string; readonly stageName: string | null; readonly platform: string | null })
  | (At & { readonly kind: 'ARG'; readonly args: readonly { readonly name: string; readonly value: string | null }[] })
  | (At & { readonly kind: 'ENV'; readonly pairs: readonly { readonly name: string; readonly value: string }[] })
  | (At & { readonly kind: 'RUN'; readonly command: ExecOrShell; readonly network: 'default' | 'none' | 'host' })
  | (At & {
      readonly kind: 'COPY';
      readonly keyword: 'COPY' | 'ADD';
      /** Sources then destination, raw: substituted and split by the build. */
      readonly args: string;
      readonly from: string | null;
      readonly chmod: string | null;
      readonly chown: string | null;
    })
  | (At & { readonly kind: 'WORKDIR'; readonly path: string })
  | (At & { readonly kind: 'USER'; readonly user: string })
  | (At & { readonly kind: 'SHELL'; readonly argv: readonly string[] })
  | (At & { readonly kind: 'CMD' | 'ENTRYPOINT'; readonly command: ExecOrShell })
  /** EXPOSE, LABEL, VOLUME, STOPSIGNAL, HEALTHCHECK, MAINTAINER: no effect on a job's filesystem. */
  | (At & { readonly kind: 'RECORDED'; readonly keyword: string });

export interface ParsedDockerfile {
  readonly instructions: readonly Instruction[];
  readonly escapeChar: string;
}

/** Thrown with every problem found; the caller names the file. */
export class DockerfileProblems extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

const RECORDED = new Set(['EXPOSE', 'LABEL', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'MAINTAINER']);
const ALLOWED_FLAGS: Readonly<Record<string, readonly string[]>> = {
  FROM: ['platform'],
  RUN: ['network'],
  COPY: ['from', 'chmod', 'chown', 'link'],
  ADD: ['chmod', 'chown', 'link'],
};

export async function parseDockerfile(content: string): Promise<ParsedDockerfile> {
  const { DockerfileParser } = await loadDockerfileParser();
  const dockerfile = DockerfileParser.parse(content);
  const escapeChar = dockerfile.getEscapeCharacter();
  const problems: string[] = [];
  const instructions: Instruction[] = [];
  for (const node of dockerfile.getInstructions()) {
    const keyword = node.getKeyword().toUpperCase();
    const line = (node.getRange().start.line ?? 0) + 1;
    const raw = joinContinuations(node.getRawArgumentsContent() ?? '', escapeChar);
    const at = `${keyword} on line ${line}`;
    const flags = new Map<string, string | null>();
    const flagNodes = 'getFlags' in node && typeof node.getFlags === 'function' ? (node.getFlags() as { getName(): string; getValue(): string | null }[]) : [];
    for (const flag of flagNodes) {
      const name = flag.getName();
      if (!(ALLOWED_FLAGS[keyword] ?? []).includes(name)) problems.push(`${at}: the flag --${name} is not supported`);
      flags.set(name, flag.getValue());
    }
    const flagText = [...flags].map(([name, value]) => (value === null ? ` --${name}` : ` --${name}=${value}`)).join('');
    const text = `${keyword}${flagText} ${raw}`.trim();
    const problem = (why: string): null => {
      problems.push(`${at}: ${why}`);
      return null;
    };
    const instruction = readInstruction(keyword, raw, flags, { line, text }, problem);
    if (instruction) instructions.push(instruction);
  }
  if (!instructions.some((instruction) => instruction.kind === 'FROM')) problems.push('no FROM instruction: a Dockerfile must start its first stage with FROM');
  else if (instructions.findIndex((instruction) => instruction.kind === 'FROM') > instructions.findIndex((instruction) => instruction.kind !== 'ARG'))
    problems.push('only ARG may come before the first FROM');
  if (problems.length > 0) throw new DockerfileProblems(problems);
  return { instructions, escapeChar };
}

function readInstruction(keyword: string, raw: string, flags: ReadonlyMap<string, string | null>, at: At, problem: (why: string) => null): Instruction | null {
  switch (keyword) {
    case 'FROM': {
      const words = raw.split(/\s+/).filter(Boolean);
      const named = words.length === 3 && words[1]!.toUpperCase() === 'AS';
      if (words.length !== 1 && !named) return problem('expected FROM IMAGE or FROM IMAGE AS NAME');
      const stageName = named ? words[2]!.toLowerCase() : null;
      if (stageName !== null && !/^[a-z][a-z0-9_.-]*$/.test(stageName)) return problem(`"${words[2]}" is not a valid stage name`);
      return { kind: 'FROM', ...at, image: words[0]!, stageName, platform: flags.get('platform') ?? null };
    }
    case 'ARG': {
      const args = raw
        .split(/\s+/)
        .filter(Boolean)
        .map((word) => {
          const equals = word.indexOf('=');
          return equals < 0 ? { name: word, value: null } : { name: word.slice(0, equals), value: word.slice(equals + 1) };
        });
      if (args.length === 0 || args.some((arg) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg.name))) return problem('expected ARG NAME[=DEFAULT]');
      return { kind: 'ARG', ...at, args };
    }
    case 'ENV': {
      const pairs = readPairs(raw);
      if (!pairs) return problem('expected ENV NAME=VALUE ...');
      return { kind: 'ENV', ...at, pairs };
    }
    case 'RUN': {
      if (/(^|\s)<<-?["']?[A-Za-z_]/.test(raw)) return problem('heredocs (<<EOF) are not supported yet; write the file with COPY or printf');
      const network = flags.get('network') ?? 'default';
      if (network !== 'default' && network !== 'none' && network !== 'host') return problem(`--network=${network}: expected none, host or default`);
      return { kind: 'RUN', ...at, command: execOrShell(raw), network };
    }
    case 'COPY':
    case 'ADD': {
      if (flags.has('chown')) return problem('--chown is not supported yet; chown in a RUN after the copy');
      if (raw.trim().startsWith('[')) return problem('the JSON form of COPY/ADD is not supported yet; write COPY SRC... DEST');
      if (keyword === 'ADD') {
        const sources = raw.split(/\s+/).filter(Boolean).slice(0, -1);
        if (sources.some((source) => /^[a-z][a-z0-9+.-]*:\/\/|^git@|\.git(#|$)/i.test(source)))
          return problem('ADD of a URL or a git repository is not supported; fetch it in a RUN step');
        if (sources.some((source) => /\.(tar|tgz|tar\.(gz|bz2|xz|zst)|txz|tbz2?)$/i.test(source)))
          return problem('ADD of a local archive (extracted by Docker) is not supported yet; use RUN tar after COPY');
      }
      if (raw.split(/\s+/).filter(Boolean).length < 2) return problem(`expected ${keyword} SRC... DEST`);
      const chmod = flags.get('chmod') ?? null;
      if (chmod !== null && !/^[0-7]{3,4}$/.test(chmod)) return problem(`--chmod=${chmod}: expected an octal mode like 0755`);
      return { kind: 'COPY', ...at, keyword, args: raw, from: keyword === 'COPY' ? (flags.get('from') ?? null) : null, chmod, chown: null };
    }
    case 'WORKDIR':
      if (raw.trim() === '') return problem('expected WORKDIR PATH');
      return { kind: 'WORKDIR', ...at, path: raw.trim() };
    case 'USER':
      if (raw.trim() === '') return problem('expected USER NAME[:GROUP]');
      return { kind: 'USER', ...at, user: raw.trim() };
    case 'SHELL': {
      const command = execOrShell(raw);
      if (!('exec' in command) || command.exec.length === 0) return problem('expected the JSON form: SHELL ["/bin/sh", "-c"]');
      return { kind: 'SHELL', ...at, argv: command.exec };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      return { kind: keyword, ...at, command: execOrShell(raw) };
    default:
      if (RECORDED.has(keyword)) return { kind: 'RECORDED', ...at, keyword };
      if (keyword === 'ONBUILD') return problem('ONBUILD is not supported (it runs in images built FROM this one)');
      return problem('this instruction is not supported');
  }
}

/** The exec (JSON) form when the arguments are a JSON array of strings, as Docker decides. */
function execOrShell(raw: string): ExecOrShell {
  const trimmed = raw.trim();
  if (trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return { exec: value };
    } catch {
      // not JSON: Docker runs it as a shell command
    }
  }
  return { shell: trimmed };
}

/** Docker's continuation rule: escapeChar + newline joins lines; comment lines inside are dropped. */
function joinContinuations(raw: string, escapeChar: string): string {
  const lines = raw.split('\n');
  const kept = lines.filter((line, index) => index === 0 || !/^\s*#/.test(line));
  let joined = '';
  for (const line of kept) {
    const trimmedEnd = line.replace(/\r$/, '');
    const continued = trimmedEnd.replace(/\s*$/, '').endsWith(escapeChar);
    joined += continued ? trimmedEnd.replace(/\s*$/, '').slice(0, -1) : trimmedEnd;
  }
  return joined.trim();
}

/** `ENV A=1 B="x y"` or the old `ENV A x y`: values stay raw (quoted), substituted by the build. */
function readPairs(raw: string): { name: string; value: string }[] | null {
  const first = /^([A-Za-z_][A-Za-z0-9_.-]*)(=|\s+)/.exec(raw);
  if (!first) return null;
  if (first[2] !== '=') return [{ name: first[1]!, value: raw.slice(first[0].length) }];
  const pairs: { name: string; value: string }[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const name = /^([A-Za-z_][A-Za-z0-9_.-]*)=/.exec(rest);
    if (!name) return null;
    rest = rest.slice(name[0].length);
    const value = /^(?:"(?:[^"\\]|\\.)*"|'[^']*'|\\.|[^\s"'\\])*/.exec(rest)![0];
    pairs.push({ name: name[1]!, value });
    rest = rest.slice(value.length).trimStart();
  }
  return pairs;
}
