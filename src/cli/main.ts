// The CLI entry: parses argv with yargs, runs a command, and is the only place that turns
// errors into exit codes (0 passed, 1 a job failed, 2 usage/config, 3 the host cannot sandbox).
import { CubicleError, describeError, UsageError } from '../errors.js';
import { loadYargs } from '../vendor.js';

export async function main(argv: readonly string[]): Promise<number> {
  // `cubicle run | head`: a reader that went away is no reason for a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const { yargs } = await loadYargs();
  let exitCode = 0;
  const parser = yargs([...argv])
    .scriptName('cubicle')
    .usage('$0 <command> [options]\n\nRun each test job in its own rootless container, with hard limits and a JUnit report.')
    .command(
      'run [jobs..]',
      'Run the config\'s jobs (all, or the ones named), each in its own sandbox',
      (y) =>
        y
          .positional('jobs', { type: 'string', array: true, describe: 'job names (default: all)' })
          .option('config', { type: 'string', describe: 'config file (default: found by cosmiconfig from the current dir)' })
          .option('parallel', { type: 'number', describe: 'jobs at once (default: the number of cores)' })
          .option('junit', { type: 'string', default: 'cubicle-junit.xml', describe: 'JUnit report to write' })
          .option('json', { type: 'string', describe: 'also write per-job results as JSON' })
          .option('artifacts-dir', { type: 'string', describe: 'where junit/artifacts files are copied (default: cubicle-artifacts/ next to the config)' })
          .option('memory', { type: 'string', describe: 'default memory limit, e.g. 512m (overrides `defaults:`)' })
          .option('cpus', { type: 'string', describe: 'default CPU limit, e.g. 1.5' })
          .option('pids', { type: 'string', describe: 'default process limit' })
          .option('timeout', { type: 'string', describe: 'default wall-clock limit, e.g. 10m' })
          .option('limits', { type: 'boolean', default: true, describe: 'enforce memory, cpus and pids limits; --no-limits runs without them when they cannot be' })
          .example('$0 run', 'run every job in cubicle.config.yaml')
          .example('$0 run unit lint --junit reports/junit.xml', 'run two jobs, JUnit to a chosen path'),
      async (args) => {
        const { runCommand } = await import('./run.js');
        exitCode = await runCommand({
          jobs: args.jobs ?? [],
          config: args.config,
          parallel: args.parallel,
          junit: args.junit,
          json: args.json,
          artifactsDir: args['artifacts-dir'],
          noLimits: args.limits === false,
          flags: { memory: args.memory, cpus: args.cpus, pids: args.pids, timeout: args.timeout },
        });
      },
    )
    .command(
      'exec [command..]',
      'Run one command in a sandbox on the current directory, no config needed',
      (y) =>
        y
          .positional('command', { type: 'string', array: true, describe: 'the command and its arguments (after --)' })
          .option('image', { type: 'string', default: 'host', describe: 'base image' })
          .option('network', { choices: ['none', 'host'] as const, default: 'none' as const, describe: 'none: loopback only' })
          .option('memory', { type: 'string', describe: 'memory limit, e.g. 512m' })
          .option('cpus', { type: 'string', describe: 'CPU limit, e.g. 0.5' })
          .option('pids', { type: 'string', describe: 'process limit' })
          .option('timeout', { type: 'string', describe: 'wall-clock limit, e.g. 30s' })
          .option('limits', { type: 'boolean', default: true, describe: 'enforce memory, cpus and pids limits; --no-limits runs without them when they cannot be' })
          .example('$0 exec -- npm test', 'npm test in a throwaway sandbox of this directory')
          .example('$0 exec --timeout 10s -- ./flaky.sh', 'bounded by a wall-clock limit'),
      async (args) => {
        const { execCommand } = await import('./exec.js');
        exitCode = await execCommand({
          command: [...(args.command ?? []), ...((args['--'] as unknown[] | undefined) ?? [])].map(String),
          image: args.image,
          network: args.network,
          noLimits: args.limits === false,
          flags: { memory: args.memory, cpus: args.cpus, pids: args.pids, timeout: args.timeout },
        });
      },
    )
    .command(
      'doctor',
      'What this host supports for sandboxes, and the exact fix for what it lacks',
      (y) => y.option('json', { type: 'boolean', describe: 'print the checks as JSON' }).example('$0 doctor', 'check this machine'),
      async (args) => {
        const { doctorCommand } = await import('./doctor.js');
        exitCode = await doctorCommand({ json: args.json === true });
      },
    )
    .demandCommand(1, 'Name a command: run, exec or doctor.')
    .strict()
    .parserConfiguration({ 'populate--': true })
    .help()
    .alias('help', 'h')
    .version()
    .wrap(process.stdout.isTTY ? Math.min(110, process.stdout.columns || 100) : null)
    .fail((message, error) => {
      throw error ?? new UsageError(message, { hint: 'Run `cubicle --help` for the commands and options.' });
    });
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    process.stderr.write(`cubicle: ${describeError(error)}\n`);
    if (error instanceof CubicleError) return error.exitCode;
    return 70;
  }
}
