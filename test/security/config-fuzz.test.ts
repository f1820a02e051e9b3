// Config fuzzing with fast-check: random and malformed configs never crash cubicle. In process,
// resolveConfig() either returns a config the sandbox can run or throws one ConfigError whose
// every problem names its path; through the real CLI (`cubicle run --config F`), a bad config
// exits 2 with a message naming the problem, never a stack trace, never 70 (internal error).
// Reproducible: a fixed seed, unless CUBICLE_FUZZ_SEED is set; CUBICLE_FUZZ_RUNS scales the runs.
import { execa } from 'execa';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig, type ResolvedConfig } from '../../src/config/resolve.js';
import { DEFAULTS_KEYS, JOB_KEYS } from '../../src/config/schema.js';
import { ConfigError } from '../../src/core/errors.js';
import { CLI } from '../helpers/paths.js';
import { makeProject, removeProjects, type Project } from '../helpers/project.js';

afterAll(removeProjects);

const SEED = Number(process.env.CUBICLE_FUZZ_SEED ?? 20_251_122);
const SCALE = Number(process.env.CUBICLE_FUZZ_RUNS ?? 1);
const runs = (count: number) => Math.max(1, Math.round(count * SCALE));
const SOURCE = '/project/cubicle.config.yaml';

/** What native/cubicle-sandbox accepts (native/args.c): a resolved job outside these cannot start. */
const HELPER_RANGES = { pids: [1, 4_194_304], cpus: [0.01, 100_000], timeoutMs: [1, 1000 * 86_400 * 365] } as const;

// ---- generators ----------------------------------------------------------------------------

const nastyNumber = fc.constantFrom(0, -0, -1, 0.5, 1e-320, 1e-9, 0.004, 1e21, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 4_194_305, 100_001, 1e300);
const nastyString = fc.constantFrom(
  '',
  ' ',
  '\0',
  '\u202e',
  '\u200b',
  '💣',
  'a'.repeat(10_000),
  '../../etc/passwd',
  '~',
  '~/',
  '/',
  '$(reboot)',
  '1e400',
  'NaN',
  'Infinity',
  '-1',
  '0x10',
  '1_000',
  '１２３',
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [[]], [{}], { run: 'true' }) },
);
const sizeText = fc.stringMatching(/^ ?\d{1,22}(\.\d{1,6})? ?(b|k|kb|Ki|KiB|m|M|MB|mi|mib|g|G|gb|gi|GiB|t|tb|x|)?$/);
const durationText = fc.stringMatching(/^(\d{1,20}(\.\d{1,6})?(ms|s|m|h|d|y)?){1,3}$/);
/** A value for a job key that could be right: the values users write, near and past the edges. */
const plausibleFor = (key: string): fc.Arbitrary<unknown> => {
  const plausible: Record<string, fc.Arbitrary<unknown>> = {
    memory: fc.oneof(sizeText, fc.double(), fc.integer()),
    disk: fc.oneof(sizeText, fc.double(), fc.integer()),
    cpus: fc.oneof(fc.double({ min: -1, max: 200_000 }), fc.double(), fc.stringMatching(/^-?\d{0,6}(\.\d{0,6})?(e-?\d{1,3})?$/)),
    pids: fc.oneof(fc.integer({ min: -10, max: 2 ** 31 }), fc.double()),
    timeout: fc.oneof(durationText, fc.double(), fc.integer()),
    retries: fc.integer({ min: -2, max: 12 }),
    network: fc.constantFrom('none', 'host', 'bridge', 'NONE', ''),
    seccomp: fc.constantFrom('default', 'unconfined', 'off', ''),
    run: fc.constantFrom('true', 'exit 3', ['true'], [], ''),
    needs: fc.array(fc.constantFrom('a', 'b', 'ghost', ''), { maxLength: 3 }),
    env: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null))),
    caches: fc.array(fc.constantFrom('~/.npm', '/cache', 'relative', '~', '/', '~/../..'), { maxLength: 3 }),
    junit: fc.oneof(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    artifacts: fc.oneof(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
    setup: fc.constantFrom([], [{ run: 'true' }], [{ run: '' }], [{}], 'npm ci', [{ run: 'true', extra: 1 }], [{ run: 'true', network: 'mesh' }]),
    preset: fc.constantFrom('node', 'nod', '', 'make'),
    // No registry reference that could be valid: the CLI part must not reach for the network.
    image: fc.constantFrom('host', '', 'UPPER/case', 'debian:', 'oci:', 'a b'),
  };
  return plausible[key] ?? anyValue;
};
/** A value for a job key: plausible for it, or anything at all. */
const valueFor = (key: string): fc.Arbitrary<unknown> => fc.oneof({ weight: 3, arbitrary: plausibleFor(key) }, { weight: 1, arbitrary: anyValue });
/** Configs that are often valid: one to three well-named jobs that run `true`, with plausible limits. */
const plausibleConfigArb = fc
  .uniqueArray(fc.constantFrom('a', 'b', 'unit', 'lint'), { minLength: 1, maxLength: 3 })
  .chain((names) =>
    fc
      .tuple(
        ...names.map(() =>
          fc
            .subarray(['memory', 'disk', 'cpus', 'pids', 'timeout', 'retries', 'network', 'env', 'seccomp', 'needs'], { maxLength: 3 })
            .chain((keys) =>
              fc
                .tuple(...keys.map((key) => plausibleFor(key)))
                .map((values) => ({ run: 'true', ...Object.fromEntries(keys.map((key, index) => [key, values[index]])) })),
            ),
        ),
      )
      .map((jobs) => ({ jobs: Object.fromEntries(names.map((name, index) => [name, jobs[index]])) })),
  );
const jobName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'unit', 'e2e-1', 'x.y_z') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 0, maxLength: 70 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '-x', '.x', 'a/b', '..', 'é', '作业', 'a'.repeat(64), '\u200b'),
  },
);
const jobArb = fc
  .dictionary(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...JOB_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), fc.constant(null), {
    maxKeys: 6,
  })
  .chain((shape) => {
    const keys = Object.keys(shape);
    // Half the jobs get a runnable command, so that some configs pass and really run.
    return fc
      .tuple(fc.boolean(), ...keys.map((key) => valueFor(key)))
      .map(([runnable, ...values]) => ({ ...(runnable ? { run: 'true' } : {}), ...Object.fromEntries(keys.map((key, index) => [key, values[index]])) }));
  });
const defaultsArb = fc.dictionary(fc.constantFrom(...DEFAULTS_KEYS, 'memroy', 'jobs'), anyValue, { maxKeys: 4 }).chain((shape) => {
  const keys = Object.keys(shape);
  return fc.tuple(...keys.map((key) => valueFor(key))).map((values) => Object.fromEntries(keys.map((key, index) => [key, values[index]])));
});
/** Config-shaped values: top-level keys right or wrong, jobs with random keys and values. */
const configArb: fc.Arbitrary<unknown> = fc.record(
  {
    defaults: fc.oneof({ weight: 4, arbitrary: defaultsArb }, { weight: 1, arbitrary: anyValue }),
    jobs: fc.oneof(
      { weight: 6, arbitrary: fc.dictionary(jobName, fc.oneof({ weight: 5, arbitrary: jobArb }, { weight: 1, arbitrary: anyValue }), { maxKeys: 4 }) },
      { weight: 1, arbitrary: anyValue },
    ),
    insecureRegistries: fc.oneof(fc.array(fc.string({ maxLength: 12 }), { maxLength: 2 }), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

/** A problem is `WHERE: WHAT` (`jobs.a.memory: expected ...`); WHERE may hold any key, even ':'. */
const PROBLEM = /^\S.*?: \S/su;

function outcomeOf(raw: unknown): { config: ResolvedConfig } | { problems: readonly string[] } {
  try {
    return { config: resolveConfig({ raw, source: SOURCE }) };
  } catch (error) {
    if (!(error instanceof ConfigError))
      throw new Error(`resolveConfig threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
    return { problems: error.problems };
  }
}

function problemLines(problems: readonly string[]): string[] {
  return problems.flatMap((problem) => problem.split('\n  - '));
}

/** What the helper would refuse in a resolved config, in words; empty when it can all start. */
function unrunnable(config: ResolvedConfig): string[] {
  return config.jobs.flatMap((job) => {
    const found: string[] = [];
    const { pids, cpus, timeoutMs, memoryBytes, diskBytes } = job.limits;
    if (pids !== undefined && (pids < HELPER_RANGES.pids[0] || pids > HELPER_RANGES.pids[1])) found.push(`${job.name}: pids ${pids}`);
    if (cpus !== undefined && !(cpus >= HELPER_RANGES.cpus[0] && cpus <= HELPER_RANGES.cpus[1])) found.push(`${job.name}: cpus ${cpus}`);
    if (timeoutMs !== undefined && !(timeoutMs >= HELPER_RANGES.timeoutMs[0] && timeoutMs <= HELPER_RANGES.timeoutMs[1]))
      found.push(`${job.name}: timeoutMs ${timeoutMs}`);
    for (const [key, bytes] of [
      ['memoryBytes', memoryBytes],
      ['diskBytes', diskBytes],
    ] as const)
      if (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes > 0)) found.push(`${job.name}: ${key} ${bytes}`);
    return found;
  });
}

// ---- in process ----------------------------------------------------------------------------

describe('resolveConfig() on random and malformed configs', () => {
  it('never throws anything but a ConfigError, whatever the value (fc.anything)', () => {
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 4,
          withNullPrototype: true,
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withBoxedValues: true,
        }),
        (raw) => void outcomeOf(raw),
      ),
      { seed: SEED, numRuns: runs(2000) },
    );
  });

  it('never throws anything but a ConfigError on config-shaped values, and every problem names its path', () => {
    fc.assert(
      fc.property(configArb, (raw) => {
        const outcome = outcomeOf(raw);
        if ('problems' in outcome) {
          expect(outcome.problems.length).toBeGreaterThan(0);
          for (const line of problemLines(outcome.problems)) expect(line).toMatch(PROBLEM);
        }
      }),
      { seed: SEED, numRuns: runs(3000) },
    );
  });

  it('names the key of every wrongly typed value, job by job and in defaults', () => {
    const wrong: Record<string, unknown[]> = {
      memory: [{}, [], true, 'lots', 0, -1, 1.5, '1e400'],
      disk: [{}, [], true, '8x', 0],
      cpus: [{}, [], true, 0, -1, 'many'],
      pids: ['64', 0, -1, 1.5, {}, true],
      timeout: [{}, [], true, 0, -5, 'soon', '-1s'],
      retries: [-1, 11, 1.5, '2', {}],
      network: ['internet', 5, {}, ''],
      seccomp: ['off', 5, true],
      run: [5, {}, [], '', [5], null],
      env: ['A=1', [1], 5, { 'BAD NAME': 'x' }, { A: {} }],
      junit: [5, {}, [5]],
      artifacts: [5, {}, [{}]],
      caches: ['~/.npm', ['relative'], [5], 5],
      needs: ['a', [5], {}, ['ghost']],
      setup: ['npm ci', [{}], [{ run: '' }], [{ run: 'x', extra: 1 }], 5],
      image: ['', 5, {}, 'a b'],
      preset: ['', 5, 'nod'],
    };
    const cases = Object.entries(wrong).flatMap(([key, values]) => values.map((value) => ({ key, value })));
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.boolean(), ({ key, value }, inDefaults) => {
        const atDefaults = inDefaults && DEFAULTS_KEYS.includes(key);
        const raw = atDefaults ? { defaults: { [key]: value }, jobs: { a: { run: 'true' } } } : { jobs: { a: { run: 'true', [key]: value } } };
        const outcome = outcomeOf(raw);
        expect('problems' in outcome, `${key}: ${JSON.stringify(value)} was accepted`).toBe(true);
        if ('problems' in outcome) {
          // defaults.image is checked job by job (its value is the job's image): jobs.a.image names it too.
          const paths = atDefaults ? [`defaults.${key}`, ...(key === 'image' ? ['jobs.a.image'] : [])] : [`jobs.a.${key}`];
          expect(
            outcome.problems.some((problem) => paths.some((path) => problem.startsWith(path))),
            `${JSON.stringify(outcome.problems)} names no ${paths.join(' or ')}`,
          ).toBe(true);
        }
      }),
      { seed: SEED, numRuns: runs(500) },
    );
  });

  it('refuses job names that are not 1-63 letters, digits, ., _ or - (unicode, __proto__, empty, 64 long)', () => {
    for (const name of ['', 'é', '作业', '\u200b', 'a'.repeat(64), '-x', '.x', 'a/b', '..', 'a b', '__proto__', 'constructor', 'toString']) {
      const raw = JSON.parse(JSON.stringify({ jobs: { ok: { run: 'true' } } }).replace('"ok"', JSON.stringify(name)));
      const outcome = outcomeOf(raw);
      const accepted = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name);
      expect('config' in outcome, `job name ${JSON.stringify(name)}`).toBe(accepted);
      if ('config' in outcome) expect(outcome.config.jobs.map((job) => job.name)).toEqual([name]);
    }
  });

  it('survives deep nesting (5000 levels) anywhere in the config', () => {
    let deep: unknown = 'x';
    for (let level = 0; level < 5000; level++) deep = level % 2 ? [deep] : { k: deep };
    for (const raw of [
      deep,
      { jobs: deep },
      { jobs: { a: { run: 'true', env: deep } } },
      { jobs: { a: { run: deep } } },
      { defaults: deep, jobs: { a: { run: 'true' } } },
    ]) {
      expect('problems' in outcomeOf(raw)).toBe(true);
    }
  });

  it('accepts only limits the sandbox helper can apply (pids 1-4194304, cpus 0.01-100000, timeout 1 ms-365 d)', () => {
    fc.assert(
      fc.property(
        fc.record(
          { pids: valueFor('pids'), cpus: valueFor('cpus'), timeout: valueFor('timeout'), memory: valueFor('memory'), disk: valueFor('disk') },
          { requiredKeys: [] },
        ),
        (limits) => {
          const outcome = outcomeOf({ jobs: { a: { run: 'true', ...limits } } });
          if ('config' in outcome) expect(unrunnable(outcome.config), `accepted ${JSON.stringify(limits)}`).toEqual([]);
        },
      ),
      {
        seed: SEED,
        numRuns: runs(2000),
        examples: [[{ pids: 1_000_000_000 }], [{ cpus: 0.0001 }], [{ cpus: 1e9 }], [{ timeout: 1e300 }], [{ timeout: 0.0001 }], [{ timeout: '0.4ms' }]],
      },
    );
  });
});

// ---- through the CLI -----------------------------------------------------------------------

interface CliCase {
  readonly name: string;
  readonly file: string;
  readonly content: string | Uint8Array;
}

/** Runs `cubicle run --config FILE` on one case; checks what must hold for every config. */
async function runCase(project: Project, testCase: CliCase): Promise<{ exitCode: number | undefined; stderr: string; stdout: string; vague: string[] }> {
  const file = project.file(testCase.file);
  fs.writeFileSync(file, testCase.content);
  fs.rmSync(project.file('results.json'), { force: true });
  const started = Date.now();
  const result = await execa(process.execPath, [CLI, 'run', '--config', file, '--json', 'results.json', '--timeout', '10s', '--parallel', '2'], {
    cwd: project.dir,
    env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir, NO_COLOR: '1' },
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
  });
  fs.rmSync(file, { force: true });
  const stderr = String(result.stderr);
  const stdout = String(result.stdout);
  const context = `${testCase.name} (${testCase.file}, ${Date.now() - started} ms):\n${typeof testCase.content === 'string' ? testCase.content.slice(0, 400) : `${testCase.content.length} bytes`}\nexit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}\nstderr: ${stderr.slice(0, 2000)}`;
  expect(result.timedOut, `hung: ${context}`).toBe(false);
  expect([0, 1, 2, 3], context).toContain(result.exitCode);
  expect(stderr, `a stack trace: ${context}`).not.toMatch(/^\s+at .*(\(|\s)(\/|node:)\S*:\d+:\d+\)?$/m);
  expect(stderr, context).not.toMatch(/\b(TypeError|RangeError|ReferenceError|SyntaxError: Unexpected)\b.*\n\s+at /);
  if (result.exitCode === 2) {
    expect(stderr, context).toMatch(/^cubicle: /);
    expect(stderr, context).toContain('nothing was run');
    const problems = stderr
      .split('\n')
      .filter((line) => line.startsWith('  - '))
      .map((line) => line.slice(4));
    expect(problems.length, context).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.trim(), context).not.toBe('');
  } else if (result.exitCode === 3) {
    expect(stderr, context).toMatch(/^cubicle: /);
  } else {
    expect(fs.existsSync(project.file('results.json')), `exit ${result.exitCode} without results: ${context}`).toBe(true);
  }
  // "cannot read the config: YAML Error in FILE:" alone says where, not what: collected, judged by the caller.
  const vague = stderr
    .split('\n')
    .filter((line) => line.startsWith('  - ') && /:\s*$/.test(line))
    .map((line) => `${testCase.name}: ${line.slice(4).replace(file, 'FILE')}`);
  return { exitCode: result.exitCode, stderr, stdout, vague };
}

const asYaml = (value: unknown) => dump(value, { noRefs: true, skipInvalid: true, lineWidth: -1 });
const cliCaseArb: fc.Arbitrary<CliCase> = fc.oneof(
  { weight: 3, arbitrary: plausibleConfigArb.map((value) => ({ name: 'plausible config as YAML', file: 'fuzz.yaml', content: asYaml(value) })) },
  { weight: 4, arbitrary: configArb.map((value) => ({ name: 'random config as YAML', file: 'fuzz.yaml', content: asYaml(value) })) },
  { weight: 3, arbitrary: configArb.map((value) => ({ name: 'random config as JSON', file: 'fuzz.json', content: JSON.stringify(value) ?? 'null' })) },
  { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ name: 'random JSON value', file: 'fuzz.json', content: JSON.stringify(value) ?? 'null' })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ name: 'random bytes', file: 'fuzz.yaml', content: bytes })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ name: 'random text', file: 'fuzz.yml', content: text })) },
  {
    weight: 1,
    arbitrary: fc.tuple(configArb.map(asYaml), fc.nat(), fc.string({ unit: 'binary', maxLength: 5 })).map(([yaml, at, junk]) => ({
      name: 'YAML with bytes spliced in',
      file: 'fuzz.yaml',
      content: yaml.slice(0, at % (yaml.length + 1)) + junk + yaml.slice(at % (yaml.length + 1)),
    })),
  },
);

/** Hand-written malformed files: each one case. */
const nastyCases: (CliCase & { readonly expectExit?: number; readonly names?: RegExp; readonly maxStderr?: number })[] = [
  { name: 'a YAML duplicate job', file: 'dup.yaml', content: 'jobs:\n  a: { run: "true" }\n  a: { run: "exit 1" }\n', expectExit: 2, names: /duplicat/i },
  {
    name: 'a YAML duplicate key in a job',
    file: 'dupkey.yaml',
    content: 'jobs:\n  a:\n    run: "true"\n    run: "exit 1"\n',
    expectExit: 2,
    names: /duplicat/i,
  },
  { name: 'a YAML syntax error', file: 'syntax.yaml', content: 'jobs:\n  a: { run: "true"\n', expectExit: 2, names: /(line|\d+:\d+|flow|expected)/i },
  { name: 'a tab-indented YAML', file: 'tabs.yaml', content: 'jobs:\n\ta:\n\t\trun: "true"\n', expectExit: 2, names: /(tab|indent|line|\d+:\d+)/i },
  { name: 'a JSON syntax error', file: 'syntax.json', content: '{"jobs": {"a": {"run": "true"}}', expectExit: 2, names: /(JSON|position|end|expected)/i },
  { name: 'a UTF-8 BOM and NUL bytes', file: 'bom.yaml', content: '\uFEFFjobs:\n  a: { run: "tr\0ue" }\n', expectExit: undefined },
  {
    name: 'a NUL byte in an env value and a run string (YAML "\\0"), which spawn cannot pass',
    file: 'nul.yaml',
    content: 'jobs:\n  a: { run: "true", env: { X: "a\\0b" } }\n  b: { run: "echo a\\0b" }\n',
    expectExit: 2,
    names: /jobs\.a\.env\.X: contains a NUL byte[\s\S]*jobs\.b\.run/,
  },
  {
    name: 'a YAML alias bomb (billion laughs) under insecureRegistries',
    file: 'laughs.yaml',
    content: `a: &a ["x","x","x","x","x","x","x","x","x","x"]\n${Array.from(
      { length: 8 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
    ).join('\n')}\njobs: { a: { run: "true" } }\ninsecureRegistries: *i\n`,
    expectExit: 2,
  },
  {
    name: '5000 levels of YAML flow nesting',
    file: 'deep.yaml',
    content: `jobs: { a: { run: "true", env: ${'['.repeat(5000)}${']'.repeat(5000)} } }\n`,
    expectExit: 2,
  },
  {
    name: "5000 levels of JSON arrays as a job's run",
    file: 'deeprun.json',
    content: `{"jobs": {"a": {"run": ${'['.repeat(5000)}${']'.repeat(5000)}}}}`,
    expectExit: 2,
    names: /jobs\.a\.run/,
  },
  {
    name: "a 1 MB object as a job's run (the message must not echo it all)",
    file: 'bigrun.json',
    content: JSON.stringify({ jobs: { a: { run: { x: 'y'.repeat(1_000_000) } } } }),
    expectExit: 2,
    names: /jobs\.a\.run/,
    maxStderr: 16_384,
  },
  {
    name: '5000 levels of JSON nesting',
    file: 'deep.json',
    content: `{"jobs": {"a": {"run": "true", "env": ${'{"k":'.repeat(5000)}1${'}'.repeat(5000)}}}}`,
    expectExit: 2,
  },
  { name: 'a 2 MB job name', file: 'long.yaml', content: `jobs:\n  ${'a'.repeat(2_000_000)}: { run: "true" }\n`, expectExit: 2, names: /job name/ },
  {
    name: 'unicode and control characters as job names',
    file: 'names.json',
    content: JSON.stringify({ jobs: { é: { run: 'true' }, '\u202e': { run: 'true' }, '\u001b[31m': { run: 'true' } } }),
    expectExit: 2,
    names: /job name/,
  },
  {
    name: 'a __proto__ job and a constructor key',
    file: 'proto.json',
    content: '{"jobs": {"__proto__": {"run": "true"}, "constructor": {"run": "true"}}, "__proto__": {"x": 1}}',
    expectExit: 2,
  },
  {
    name: 'numbers beyond double (1e400) and beyond safe integers',
    file: 'huge.yaml',
    content: 'jobs:\n  a: { run: "true", memory: 1e400, pids: 9007199254740993, cpus: 1e400, timeout: .inf }\n',
    expectExit: 2,
    names: /jobs\.a\.(memory|pids|cpus|timeout)/,
  },
  {
    name: 'pids beyond what the kernel allows (1e9)',
    file: 'pids.yaml',
    content: 'jobs:\n  a: { run: "true", pids: 1000000000 }\n',
    expectExit: 2,
    names: /jobs\.a\.pids/,
  },
  {
    name: 'cpus below a hundredth (0.0001) and above 100000',
    file: 'cpus.yaml',
    content: 'jobs:\n  a: { run: "true", cpus: 0.0001 }\n  b: { run: "true", cpus: 1000000000 }\n',
    expectExit: 2,
    names: /jobs\.(a|b)\.cpus/,
  },
  {
    name: 'a timeout of 1e300 seconds',
    file: 'timeout.yaml',
    content: 'jobs:\n  a: { run: "true", timeout: 1e300 }\n',
    expectExit: 2,
    names: /jobs\.a\.timeout/,
  },
  { name: 'a lone null', file: 'null.yaml', content: 'null\n', expectExit: 2 },
  { name: 'a config that is a YAML list', file: 'list.yaml', content: '- jobs\n- a\n', expectExit: 2, names: /\(top level\)|jobs/ },
  { name: 'an unknown extension', file: 'config.toml', content: 'jobs = 1\n', expectExit: 2 },
];

describe('`cubicle run --config F` on random and malformed configs', () => {
  it(`random configs (YAML, JSON, bytes): never a crash, exit 2 names the problem`, async () => {
    const project = makeProject('jobs: { placeholder: { run: "true" } }\n');
    const codes: Record<string, number> = {};
    const vague: string[] = [];
    await fc.assert(
      fc.asyncProperty(cliCaseArb, async (testCase) => {
        const outcome = await runCase(project, testCase);
        codes[String(outcome.exitCode)] = (codes[String(outcome.exitCode)] ?? 0) + 1;
        vague.push(...outcome.vague);
      }),
      { seed: SEED, numRuns: runs(70), endOnFailure: true },
    );
    console.log(`config fuzz: exit codes of ${runs(70)} random configs: ${JSON.stringify(codes)} (seed ${SEED})`);
    expect(vague, `${vague.length} problems say where but not what is wrong`).toEqual([]);
  }, 300_000);

  for (const testCase of nastyCases) {
    it(testCase.name, async () => {
      const project = makeProject('jobs: { placeholder: { run: "true" } }\n');
      const { exitCode, stderr, vague } = await runCase(project, testCase);
      if (testCase.expectExit !== undefined) expect(exitCode, stderr.slice(0, 2000)).toBe(testCase.expectExit);
      expect(vague, 'a problem that says where but not what is wrong').toEqual([]);
      if (testCase.names) expect(stderr).toMatch(testCase.names);
      if (testCase.maxStderr) expect(stderr.length, 'the message echoes the whole value').toBeLessThanOrEqual(testCase.maxStderr);
    });
  }
});
