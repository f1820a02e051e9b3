// The command table: each command's name and the lines `cubicle --help` shows for it. Its options,
// examples and handler live in its own file, loaded only when it runs (or for completion and did-you-mean).
import type { Command } from './command.js';

export interface CommandEntry {
  readonly name: string;
  readonly usage: string;
  readonly describe: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    usage: 'run [jobs..]',
    describe: "Run the config's jobs (all, or the ones named and what they need), each in its own sandbox.",
    load: async () => (await import('./run.js')).command,
  },
  {
    name: 'exec',
    usage: 'exec [options] -- COMMAND [ARGS..]',
    describe: 'Run one command in a sandbox of the current directory, no config needed; its exit code is yours.',
    load: async () => (await import('./exec.js')).command,
  },
  {
    name: 'shell',
    usage: 'shell JOB [--command CMD]',
    describe:
      "A shell in JOB's sandbox, to debug it: its image and setup layers, env, limits, mounts and network, the checkout below a throwaway layer. " +
      "bash if the job's filesystem has it, else sh; exits with the shell's code.",
    load: async () => (await import('./shell.js')).command,
  },
  {
    name: 'init',
    usage: 'init [--force]',
    describe:
      'Write a starter cubicle.config.yaml from what the current dir holds: package.json and its lockfile (npm, pnpm, yarn), ' +
      'requirements.txt or pyproject.toml (pytest), go.mod, a Makefile. Never replaces a config without --force.',
    load: async () => (await import('./init.js')).command,
  },
  {
    name: 'completion',
    usage: 'completion [bash|zsh]',
    describe: "Print the shell completion script (commands, options, and the config's job names for run and shell). Default: for your $SHELL.",
    load: async () => (await import('./completion.js')).command,
  },
  {
    name: 'setup',
    usage: 'setup --user USER [--undo]',
    describe:
      'As root, once: delegate cgroups to USER for memory, cpus and pids limits and, where Ubuntu restricts user namespaces, ' +
      'allow them for the helper alone. --undo removes exactly what setup made.',
    load: async () => (await import('./setup.js')).command,
  },
  {
    name: 'cache',
    usage: 'cache <ls|prune|verify|export|import> [FILE]',
    describe: 'The layer store: list layers, prune them (least recently used first), verify their digests, export or import them as tar + zstd for CI caches.',
    load: async () => (await import('./cache.js')).command,
  },
  {
    name: 'doctor',
    usage: 'doctor [--json] [--dir DIR | --config FILE]',
    describe:
      'What this host supports for sandboxes, every tool cubicle may run, and the exact fix for what it lacks; in a checkout, files whose owners ' +
      'a sandbox cannot map. Exit 3 when jobs cannot run here.',
    load: async () => (await import('./doctor.js')).command,
  },
  {
    name: 'merge',
    usage: 'merge REPORT.xml.. -o OUT.xml',
    describe:
      'Merge JUnit reports (of shards or machines) into one: every suite kept, totals recomputed. ' + 'Nothing is written if an input is missing or not JUnit.',
    load: async () => (await import('./merge.js')).command,
  },
];
