// Environment values the runner also uses as host paths (HOME: the skeleton dir it makes for a
// layered job, `~/` cache destinations) are checked before the host sees them: absolute,
// normalized, no `..`. A value from the config is a config error; one from an image fails its job.
import path from 'node:path';

/** The variables whose values the runner turns into dirs on the host. */
export const HOST_PATH_VARIABLES = ['HOME'] as const;

/** Why `value` may not be used as a path the runner makes dirs for; null when it may. */
export function hostPathProblem(value: string): string | null {
  if (!path.posix.isAbsolute(value)) return `"${value}" is not an absolute path`;
  if (value.split('/').includes('..')) return `"${value}" has a ".." component`;
  const normal = path.posix.normalize(value);
  if (normal !== value && `${normal}/` !== value) return `"${value}" is not normalized (it means "${normal}")`;
  return null;
}

/** Problems of `env`'s host-path variables, each naming `where`.NAME. */
export function envPathProblems(env: Readonly<Record<string, unknown>> | undefined, where: string): string[] {
  const problems: string[] = [];
  for (const name of HOST_PATH_VARIABLES) {
    const value = env?.[name];
    if (value === undefined) continue;
    const problem = hostPathProblem(String(value));
    if (problem) problems.push(`${where}.${name}: ${problem}; cubicle makes it a dir of the sandbox, so it must be absolute and normalized, like /home/ci`);
  }
  return problems;
}
