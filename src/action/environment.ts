// The environment the CLI runs with. The CLI itself passes jobs only PATH, HOME, TERM, LANG, CI
// and their `env:` (src/plan/sandbox-spec.ts); as defense in depth the runner's tokens, the action's
// inputs and its file commands never reach the CLI process at all. Variables named in the
// `env` input are kept and named in CUBICLE_PASS_ENV, which the CLI passes on into jobs. A
// secret the action holds (registry-token) is withheld by value too: under any other name the
// workflow gave it (`env: { GH_TOKEN: ... }`), it reaches neither the CLI nor a job.

/** What the runner hands an action that a job must never see, or could misuse. */
const WITHHELD = [
  /^GITHUB_TOKEN$/,
  /^ACTIONS_/, // ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, the cache service's URLs
  /^INPUT_/, // the action's inputs (a token may be one)
  /^STATE_/, // what main saved for post
  /^GITHUB_(ENV|OUTPUT|PATH|STATE|STEP_SUMMARY)$/, // file commands: writing them changes later steps
];

export function isWithheld(name: string): boolean {
  return WITHHELD.some((pattern) => pattern.test(name));
}

/**
 * The runner's environment without what is withheld, nor any variable whose value holds one of
 * `secrets`, plus the variables named in `passEnv` (an explicit request wins), which
 * CUBICLE_PASS_ENV names for the CLI.
 */
export function cliEnvironment(
  runnerEnv: Readonly<Record<string, string | undefined>>,
  passEnv: readonly string[],
  secrets: readonly (string | undefined)[] = [],
): Record<string, string> {
  const held = secrets.filter((secret): secret is string => Boolean(secret));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(runnerEnv)) {
    if (value !== undefined && !isWithheld(name) && !held.some((secret) => value.includes(secret))) env[name] = value;
  }
  delete env.CUBICLE_PASS_ENV;
  const passed = passEnv.filter((name) => runnerEnv[name] !== undefined);
  for (const name of passed) env[name] = runnerEnv[name]!;
  if (passed.length) env.CUBICLE_PASS_ENV = passed.join(',');
  return env;
}
