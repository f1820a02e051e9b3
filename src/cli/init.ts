// `cubicle init`: a starter cubicle.config.yaml from what the current dir holds (package.json and
// its lockfile, requirements.txt or pyproject.toml, go.mod, a Makefile, a Compose file). It writes commands a
// person would type, with comments; it never overwrites a config unless told to.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { safeMessage } from '../core/message.js';
import { CONFIG_FILES } from '../core/vendor.js';
import { SCHEMA_COMMENT } from '../config/json-schema.js';
import { readPyproject, TEST_SETS } from './pyproject.js';
import { defineCommand } from './command.js';
import { proposeCompose } from './init-compose.js';

export const command = defineCommand({
  examples: [
    ['$0 init && $0 run', 'a config, then a first run'],
    ['$0 init --force', 'start over: replace the existing cubicle.config.yaml'],
  ],
  options: { force: { type: 'boolean', describe: 'replace an existing config' } },
  configure: (parser) => parser.demandCommand(0, 0, '', 'init takes no arguments'),
  run: (args) => initCommand({ force: args.force === true }),
});

export interface InitCommandArgs {
  force: boolean;
}

/** One job init proposes, and what it was found from. */
export interface ProposedJob {
  readonly name: string;
  /** What was found, in words: "package.json and package-lock.json (npm)". */
  readonly found: string;
  readonly setup?: { readonly run: string; readonly inputs: readonly string[] } | undefined;
  readonly run: string;
  readonly caches?: readonly string[] | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly junit?: string | undefined;
  /** Something the person should check or edit. */
  readonly note?: string | undefined;
  /** The project's Compose file, whose services start beside this job; `services` when only some can. */
  readonly compose?: { readonly file: string; readonly services?: readonly string[]; readonly leftOut: readonly string[] } | undefined;
}

const CONFIG_NAME = 'cubicle.config.yaml';
/** Node's test runner: its spec output in the log, and JUnit in reports/ (the dir must exist). */
const NODE_TEST_JUNIT = '--test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=reports/junit.xml';

export async function initCommand(args: InitCommandArgs): Promise<number> {
  const dir = process.cwd();
  const existing = existingConfigs(dir);
  if (existing.length > 0 && !args.force) {
    throw new UsageError(
      `${existing.join(' and ')} already ${existing.length > 1 ? 'exist' : 'exists'} in ${dir}: a cubicle config is there; nothing was written`,
      {
        hint: `Edit it, or run \`cubicle init --force\` to replace it with a new ${CONFIG_NAME}.`,
      },
    );
  }
  const jobs = proposeJobs(dir);
  fs.writeFileSync(path.join(dir, CONFIG_NAME), renderConfig(jobs));
  const out = process.stdout;
  if (jobs.length === 0) {
    out.write(`found no package.json, requirements.txt, pyproject.toml, go.mod or Makefile in ${dir}\n`);
    out.write(`wrote ${CONFIG_NAME} with one placeholder job, "test": put your test command in its run:\n`);
  } else {
    for (const job of jobs) out.write(`found ${job.found}\n`);
    out.write(`wrote ${CONFIG_NAME}: ${jobs.map((job) => `job ${job.name} (${[job.setup?.run, job.run].filter(Boolean).join(', then ')})`).join('; ')}\n`);
    for (const job of jobs) if (job.note) out.write(`note: ${job.name}: ${job.note}\n`);
    for (const job of jobs) {
      if (!job.compose) continue;
      out.write(`found ${job.compose.file}: its services start beside job ${job.name}${job.compose.services ? ` (${job.compose.services.join(', ')})` : ''}\n`);
      for (const why of job.compose.leftOut) out.write(`note: ${job.name}: left out of ${job.compose.file}: ${safeMessage(why)}\n`);
    }
  }
  const shadowing = existing.filter((name) => name !== CONFIG_NAME && CONFIG_FILES.indexOf(name.replace(/ \(.*/, '')) < CONFIG_FILES.indexOf(CONFIG_NAME));
  if (shadowing.length > 0) out.write(`note: ${shadowing.join(' and ')} is read before ${CONFIG_NAME}: remove it, or the new file is ignored\n`);
  const first = jobs.length === 0 ? 'put your test command in it, then run ' : '';
  out.write(`next: ${first}\`npx cubicle run\` (and \`npx cubicle doctor\` if this host has not run cubicle yet)\n`);
  return 0;
}

/** Config files cosmiconfig would find in `dir` itself (DESIGN.md: cubicle.config.*, .cubiclerc*, "cubicle" in package.json). */
export function existingConfigs(dir: string): string[] {
  const found = CONFIG_FILES.filter((name) => name !== 'package.json' && fs.existsSync(path.join(dir, name)));
  const manifest = readJson(path.join(dir, 'package.json'));
  if (manifest && typeof manifest === 'object' && 'cubicle' in manifest) found.unshift('package.json ("cubicle" key)');
  return found;
}

export function proposeJobs(dir: string): ProposedJob[] {
  const has = (name: string) => fs.existsSync(path.join(dir, name));
  const jobs: ProposedJob[] = [];
  if (has('package.json')) jobs.push(nodeJob(dir, has));
  if (has('requirements.txt') || has('pyproject.toml')) jobs.push(pythonJob(dir, has));
  if (has('go.mod')) jobs.push(goJob(has));
  const makefile = ['GNUmakefile', 'makefile', 'Makefile'].find(has);
  if (makefile) jobs.push(makeJob(dir, makefile));
  // The first job is the project's main test job: the one that gets the Compose services (a database).
  const compose = jobs.length > 0 ? proposeCompose(dir) : null;
  if (compose && compose.services.length > 0) {
    jobs[0] = { ...jobs[0]!, compose: { file: compose.file, ...(compose.partial ? { services: compose.services } : {}), leftOut: compose.leftOut } };
  }
  return jobs;
}

function nodeJob(dir: string, has: (name: string) => boolean): ProposedJob {
  const manifest = (readJson(path.join(dir, 'package.json')) ?? {}) as { scripts?: Record<string, string>; packageManager?: string; workspaces?: unknown };
  const npmrc = has('.npmrc') ? ['.npmrc'] : [];
  let job: Omit<ProposedJob, 'name'>;
  if (has('pnpm-lock.yaml') || (!has('package-lock.json') && manifest.packageManager?.startsWith('pnpm'))) {
    job = {
      found: 'package.json and pnpm-lock.yaml (pnpm)',
      setup: {
        run: viaCorepack('pnpm', 'pnpm install --frozen-lockfile'),
        inputs: ['package.json', ...['pnpm-lock.yaml', 'pnpm-workspace.yaml'].filter(has), ...npmrc],
      },
      run: 'pnpm test',
      caches: ['~/.local/share/pnpm/store'],
    };
  } else if (has('yarn.lock')) {
    const berry = has('.yarnrc.yml');
    job = {
      found: `package.json and yarn.lock (yarn ${berry ? '2+' : '1'})`,
      setup: berry
        ? { run: viaCorepack('yarn', 'yarn install --immutable'), inputs: ['package.json', 'yarn.lock', '.yarnrc.yml', ...(has('.yarn') ? ['.yarn'] : [])] }
        : { run: viaCorepack('yarn', 'yarn install --frozen-lockfile'), inputs: ['package.json', 'yarn.lock', ...['.yarnrc'].filter(has), ...npmrc] },
      run: 'yarn test',
      caches: berry ? [] : ['~/.cache/yarn'],
    };
  } else if (has('package-lock.json') || has('npm-shrinkwrap.json')) {
    const lockfile = has('package-lock.json') ? 'package-lock.json' : 'npm-shrinkwrap.json';
    job = {
      found: `package.json and ${lockfile} (npm)`,
      setup: { run: 'npm ci --no-audit --no-fund', inputs: ['package.json', lockfile, ...npmrc] },
      run: 'npm test',
      caches: ['~/.npm'],
    };
  } else {
    job = {
      found: 'package.json without a lockfile (npm)',
      setup: { run: 'npm install --no-audit --no-fund', inputs: ['package.json', ...npmrc] },
      run: 'npm test',
      caches: ['~/.npm'],
      note: 'no lockfile: `npm install` resolves versions anew whenever package.json changes; commit a package-lock.json and use `npm ci`',
    };
  }
  const test = manifest.scripts?.test;
  // `node --test` writes JUnit when asked (Node >= 18.19 / 20.8); NODE_OPTIONS asks without editing the script.
  if (test?.includes('node --test') && !test.includes('--test-reporter')) {
    job = { ...job, run: `mkdir -p reports && ${job.run}`, env: { NODE_OPTIONS: NODE_TEST_JUNIT }, junit: 'reports/*.xml' };
  }
  const notes = [job.note];
  if (!test || test.includes('no test specified')) notes.push('package.json has no test script: add one, or change run:');
  if (manifest.workspaces) notes.push("workspaces: add each workspace's package.json to the setup step's inputs");
  return { name: 'node', ...job, note: notes.filter(Boolean).join('; ') || undefined };
}

/**
 * `install` with `tool` from the step's PATH, or from Node's corepack: its shims go to ~/.local/bin,
 * which leads the PATH of the job after it (plan/step-env.ts), so `pnpm test` finds pnpm offline.
 */
function viaCorepack(tool: 'pnpm' | 'yarn', install: string): string {
  return `mkdir -p ~/.local/bin && { command -v ${tool} >/dev/null || corepack enable --install-directory ~/.local/bin ${tool}; } && ${install}`;
}

function pythonJob(dir: string, has: (name: string) => boolean): ProposedJob {
  const requirements = ['requirements.txt', 'requirements-dev.txt', 'requirements-test.txt', 'dev-requirements.txt', 'test-requirements.txt'].filter(has);
  const listsPytest = requirements.some((file) => /^\s*pytest\b/im.test(fs.readFileSync(path.join(dir, file), 'utf8')));
  const job = {
    name: 'python',
    run: '.venv/bin/python -m pytest --junitxml=reports/junit.xml',
    caches: ['~/.cache/pip'],
    junit: 'reports/*.xml',
  };
  // A venv in the checkout (/usr is the host's, read-only) that sees the system's packages, as the python preset's: a distribution's pytest serves.
  const venv = 'python3 -m venv --system-site-packages .venv';
  if (requirements.length > 0) {
    const install = [...requirements.flatMap((file) => ['-r', file]), ...(listsPytest ? [] : ['pytest'])].join(' ');
    const setup = { run: `${venv} && .venv/bin/pip install ${install}`, inputs: requirements };
    return { ...job, found: `${requirements.join(' and ')} (pip, pytest)`, setup };
  }
  return { ...job, ...pyprojectInstall(dir, venv), env: { PYTHONPATH: has('src') ? 'src' : '.' } };
}

/**
 * pyproject.toml: its dependencies and test extras/groups, installed by name. The step sees only
 * its inputs, and the sources among them would rebuild the layer on every edit: the project
 * itself is on PYTHONPATH instead. Dependency groups are expanded here: Debian 12's pip (23.0) has
 * no --group (pip 25.1 has).
 */
function pyprojectInstall(dir: string, venv: string): Pick<ProposedJob, 'found' | 'setup' | 'note'> {
  const pyproject = readPyproject(fs.readFileSync(path.join(dir, 'pyproject.toml'), 'utf8'));
  const extras = TEST_SETS.filter((name) => pyproject.extras[name]);
  const groups = TEST_SETS.filter((name) => pyproject.groups[name]);
  const wanted = [...pyproject.dependencies, ...extras.flatMap((name) => pyproject.extras[name]!), ...groups.flatMap((name) => pyproject.groups[name]!)];
  const requirements = [...new Set(wanted)];
  if (!requirements.some((requirement) => /^pytest\b/i.test(requirement))) requirements.push('pytest');
  const from = [
    pyproject.dependencies.length > 0 ? '[project] dependencies' : '',
    ...extras.map((name) => `extra "${name}"`),
    ...groups.map((name) => `dependency group "${name}"`),
  ].filter(Boolean);
  const notes = [
    'the project itself is on PYTHONPATH, not pip-installed (a step sees only its inputs; the sources would rebuild it on every edit): ' +
      'add `.venv/bin/pip install --no-deps -e . &&` before run: if it needs entry points or a build',
    `when pyproject.toml's dependencies change, change the pip install (or run \`cubicle init --force\`)`,
  ];
  return {
    found: `pyproject.toml (pytest${from.length ? `; installs ${from.join(', ')}` : ''})`,
    setup: { run: `${venv} && .venv/bin/pip install ${requirements.map(shellWord).join(' ')}`, inputs: [] },
    note: notes.join('; '),
  };
}

/** One word for sh: as it is where that is safe, else single-quoted. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function goJob(has: (name: string) => boolean): ProposedJob {
  return {
    name: 'go',
    found: `go.mod${has('go.sum') ? ' and go.sum' : ''} (go)`,
    // Modules go into the setup layer (the job has no network); the build cache persists.
    setup: { run: 'go mod download', inputs: ['go.mod', ...(has('go.sum') ? ['go.sum'] : [])] },
    run: 'go test ./...',
    caches: ['~/.cache/go-build'],
  };
}

function makeJob(dir: string, makefile: string): ProposedJob {
  const targets = new Set([...fs.readFileSync(path.join(dir, makefile), 'utf8').matchAll(/^([A-Za-z0-9_.-]+)\s*:(?![:=])/gm)].map((match) => match[1]));
  const target = ['check', 'test'].find((name) => targets.has(name));
  return {
    name: 'make',
    found: `${makefile}${target ? ` with a ${target} target` : ''} (make)`,
    run: `make ${target ?? 'check'}`,
    note: target ? undefined : `${makefile} has no check or test target: change run: to the target that runs the tests`,
  };
}

export function renderConfig(jobs: readonly ProposedJob[]): string {
  const lines = [
    SCHEMA_COMMENT,
    `# cubicle config, written by \`cubicle init\` from what it found here. Each job runs in its own`,
    '# rootless sandbox: the checkout read-only below a throwaway upper layer, no network (setup',
    '# steps have it), and only the env listed here plus PATH, HOME, TERM, LANG and CI.',
    '# Run it: npx cubicle run    Debug a job in its sandbox: npx cubicle shell JOB',
    '',
    'defaults:',
    '  timeout: 15m',
    '  # Memory, CPU and process limits need cgroups delegated to you: `cubicle doctor` says whether',
    '  # this host has them (`sudo npx cubicle setup --user "$USER"` once, if not). Then:',
    '  # memory: 2g',
    '  # cpus: 2',
    '  # pids: 1024',
    '',
    'jobs:',
  ];
  if (jobs.length === 0) {
    lines.push('  test:', `    run: ${scalar("echo 'put the command that runs your tests in cubicle.config.yaml' >&2; exit 1")}`);
  }
  for (const job of jobs) {
    lines.push(`  ${job.name}:`, `    # from ${job.found}`);
    if (job.note) lines.push(`    # note: ${job.note}`);
    if (job.setup) {
      lines.push('    setup:', '      # a cached layer: runs again only when its inputs change', `      - run: ${scalar(job.setup.run)}`);
      if (job.setup.inputs.length > 0) lines.push(`        inputs: ${list(job.setup.inputs)}`);
    }
    if (job.caches && job.caches.length > 0) lines.push(`    caches: ${list(job.caches)}`);
    if (job.env) lines.push('    env:', ...Object.entries(job.env).map(([key, value]) => `      ${key}: ${scalar(value)}`));
    if (job.compose) {
      const services = job.compose.services;
      lines.push(`    # the services of ${job.compose.file} start beside the job, reachable at their names (postgres://db:5432)`);
      for (const why of job.compose.leftOut) lines.push(`    # left out: ${why.replace(/[\r\n]+/g, ' ')}`);
      lines.push(`    compose: ${services ? `{ file: ${scalar(job.compose.file)}, services: ${list(services)} }` : scalar(job.compose.file)}`);
    }
    lines.push(`    run: ${scalar(job.run)}`);
    if (job.junit) lines.push(`    junit: ${scalar(job.junit)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A YAML scalar: plain where that reads back as the same string, else double-quoted (JSON is YAML). */
function scalar(text: string): string {
  const plain =
    /^[A-Za-z0-9_./~][A-Za-z0-9_./~ &|=+@%*-]*$/.test(text) && !/^(true|false|yes|no|on|off|null|~|[-+.\d][\d.e+-]*)$/i.test(text) && !text.endsWith(' ');
  return plain ? text : JSON.stringify(text);
}

function list(items: readonly string[]): string {
  return `[${items.map(scalar).join(', ')}]`;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
