// `cubicle merge A.xml B.xml -o OUT.xml`: one JUnit report from the reports of several shards
// or machines. Nothing is written unless every input is a readable JUnit report.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { mergeJunitFiles, reportCounts, serializeJunit } from '../junit/index.js';
import { writeAtomically } from '../confine/write-atomic.js';
import { defineCommand, positionals } from './command.js';

export const command = defineCommand({
  examples: [['$0 merge shard-1/cubicle-junit.xml shard-2/cubicle-junit.xml -o cubicle-junit.xml', 'one report for every shard']],
  options: { output: { alias: 'o', type: 'string', demandOption: true, describe: 'the merged report to write' } },
  configure: (parser) => parser.demandCommand(1, 'Name the reports to merge.'),
  run: (args) => mergeCommand({ reports: positionals(args), output: args.output }),
});

export interface MergeCommandArgs {
  readonly reports: readonly string[];
  readonly output: string;
}

export async function mergeCommand(args: MergeCommandArgs): Promise<number> {
  if (args.reports.length === 0)
    throw new UsageError('no reports to merge; nothing was written', { hint: 'Name them: `cubicle merge shard-1.xml shard-2.xml -o merged.xml`.' });
  const output = path.resolve(args.output);
  if (fs.statSync(output, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`-o ${args.output} is a directory; nothing was written`, { hint: `Name a file: -o ${path.join(args.output, 'junit.xml')}.` });
  }
  const report = mergeJunitFiles(args.reports);
  writeAtomically(output, serializeJunit(report));
  const counts = reportCounts(report);
  const reports = args.reports.length === 1 ? '1 report' : `${args.reports.length} reports`;
  process.stdout.write(
    `merged ${reports} into ${args.output}: ${report.suites.length} suites, ${counts.tests} tests, ${counts.failures} failures, ${counts.errors} errors, ${counts.skipped} skipped\n`,
  );
  return 0;
}
