// Writes JunitReport data as the Jenkins/Surefire JUnit format that GitLab, Jenkins,
// dorny/test-reporter, mikepenz/action-junit-report and EnricoMi/publish-unit-test-result-action
// read: <testsuites> > <testsuite> > <testcase>, counts computed here from the test cases.
// Every string goes through xmlSafe (in the escapes), so the output is always well-formed.
import {
  reportCounts,
  suiteCounts,
  type JunitCase,
  type JunitOutcome,
  type JunitProperty,
  type JunitReport,
  type JunitRerun,
  type JunitSuite,
} from './model.js';
import { escapeAttribute, escapeText, xmlSafe } from './xml.js';

type AttributeValue = string | number | undefined;

export function serializeJunit(report: JunitReport): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  const total = reportCounts(report);
  const totalMs = report.suites.reduce((sum, suite) => sum + milliseconds(suite.time), 0);
  out.push(
    `<testsuites${attributes([
      ['name', report.name],
      ['tests', total.tests],
      ['failures', total.failures],
      ['errors', total.errors],
      ['skipped', total.skipped],
      ['time', seconds(totalMs)],
    ])}>\n`,
  );
  for (const suite of report.suites) writeSuite(out, suite);
  out.push('</testsuites>\n');
  return out.join('');
}

function writeSuite(out: string[], suite: JunitSuite): void {
  const counts = suiteCounts(suite);
  out.push(
    `  <testsuite${attributes([
      ['name', suite.name],
      ['tests', counts.tests],
      ['failures', counts.failures],
      ['errors', counts.errors],
      ['skipped', counts.skipped],
      ['time', seconds(milliseconds(counts.time))],
      ['timestamp', suite.timestamp],
      ['hostname', suite.hostname],
    ])}>\n`,
  );
  writeProperties(out, suite.properties, '    ');
  for (const testCase of suite.cases) writeCase(out, testCase);
  writeText(out, 'system-out', suite.systemOut, '    ');
  writeText(out, 'system-err', suite.systemErr, '    ');
  out.push('  </testsuite>\n');
}

function writeCase(out: string[], testCase: JunitCase): void {
  const open = `    <testcase${attributes([
    ['name', testCase.name],
    ['classname', testCase.classname],
    ['time', seconds(milliseconds(testCase.time))],
    ['file', testCase.file],
    ['line', testCase.line],
  ])}`;
  const empty =
    !testCase.properties.length && !testCase.outcomes.length && !testCase.reruns.length && testCase.systemOut === undefined && testCase.systemErr === undefined;
  if (empty) {
    out.push(`${open}/>\n`);
    return;
  }
  out.push(`${open}>\n`);
  writeProperties(out, testCase.properties, '      ');
  for (const outcome of testCase.outcomes) writeOutcome(out, outcome);
  for (const rerun of testCase.reruns) writeRerun(out, rerun);
  writeText(out, 'system-out', testCase.systemOut, '      ');
  writeText(out, 'system-err', testCase.systemErr, '      ');
  out.push('    </testcase>\n');
}

function writeOutcome(out: string[], outcome: JunitOutcome): void {
  const open = `      <${outcome.kind}${attributes([
    ['message', outcome.message],
    ['type', outcome.type],
  ])}`;
  out.push(outcome.body === undefined ? `${open}/>\n` : `${open}>${textContent(outcome.body)}</${outcome.kind}>\n`);
}

function writeRerun(out: string[], rerun: JunitRerun): void {
  out.push(
    `      <${rerun.kind}${attributes([
      ['message', rerun.message],
      ['type', rerun.type],
    ])}>\n`,
  );
  writeText(out, 'stackTrace', rerun.stackTrace, '        ');
  writeText(out, 'system-out', rerun.systemOut, '        ');
  writeText(out, 'system-err', rerun.systemErr, '        ');
  out.push(`      </${rerun.kind}>\n`);
}

function writeProperties(out: string[], properties: readonly JunitProperty[], indent: string): void {
  if (!properties.length) return;
  out.push(`${indent}<properties>\n`);
  for (const property of properties)
    out.push(
      `${indent}  <property${attributes([
        ['name', property.name],
        ['value', property.value],
      ])}/>\n`,
    );
  out.push(`${indent}</properties>\n`);
}

function writeText(out: string[], element: string, text: string | undefined, indent: string): void {
  if (text !== undefined) out.push(`${indent}<${element}>${textContent(text)}</${element}>\n`);
}

/** Output and stack traces as CDATA when they hold markup, so that escaping does not multiply their size. */
function textContent(text: string): string {
  if (!/[&<]/.test(text)) return escapeText(text);
  return `<![CDATA[${xmlSafe(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function attributes(pairs: readonly (readonly [string, AttributeValue])[]): string {
  let text = '';
  for (const [name, value] of pairs) if (value !== undefined) text += ` ${name}="${typeof value === 'number' ? value : escapeAttribute(value)}"`;
  return text;
}

/** Whole milliseconds, never negative, so that the totals are exactly the sums written. */
function milliseconds(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}

/** Seconds with millisecond precision: an xs:decimal every reader parses. */
function seconds(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}
