// Error annotations for the failed test cases of the JUnit report, warnings for the flaky ones
// (passed after failed runs: <flakyFailure>/<flakyError>): each on its file and line
// where the report names them (a `file`/`line` attribute) or a stack trace in it points into
// the checkout, else on the step. Names and messages are the checkout's: the title is one inert
// line, the message keeps its lines but no escapes, both are bounded; @actions/core escapes what
// the command carries (%, \r, \n in the message; also : and , in properties).
import fs from 'node:fs';
import path from 'node:path';
import { safeMessage } from '../core/message.js';
import { sanitizeOutputLine } from '../report/sanitize.js';
import { readJunitFile, verdictOf } from '../junit/index.js';
import { isFlaky } from './tests.js';

export interface Annotation {
  readonly title: string;
  readonly message: string;
  /** Relative to the workspace (the repository root), as GitHub wants it. */
  readonly file?: string;
  readonly startLine?: number;
}

/** GitHub shows 10 error annotations per step and 50 per job; more would only be dropped. */
export const MAX_ANNOTATIONS = 50;
const MAX_MESSAGE_LINES = 30;
const MAX_MESSAGE_CHARS = 4096;
const MAX_TITLE_CHARS = 200;

export interface Where {
  /** GITHUB_WORKSPACE: annotation paths are relative to it. */
  readonly workspace: string;
  /** The config's dir, where jobs ran; relative paths in reports are relative to it. */
  readonly projectDir: string;
}

export function failedTestAnnotations(junitFile: string, where: Where): Annotation[] {
  const annotations: Annotation[] = [];
  for (const suite of readJunitFile(junitFile)) {
    for (const testCase of suite.cases) {
      const verdict = verdictOf(testCase);
      if (verdict !== 'failure' && verdict !== 'error') continue;
      const outcome = testCase.outcomes.find((candidate) => candidate.kind === verdict)!;
      const text = [outcome.message, outcome.body].filter(Boolean).join('\n');
      const location = locationOf(testCase.file, testCase.line, where) ?? findLocation(text, where);
      const name = testCase.classname && testCase.classname !== suite.name ? `${testCase.classname} › ${testCase.name}` : testCase.name;
      annotations.push({
        title: bounded(safeMessage(`${suite.name}: ${name}`), MAX_TITLE_CHARS),
        message: bounded(firstLines(plainText(text).trim() || `${verdict} (no message)`, MAX_MESSAGE_LINES), MAX_MESSAGE_CHARS),
        ...location,
      });
    }
  }
  return annotations;
}

/** A warning's worth for each test that passed after failing: how often it failed, and the first failure. */
export function flakyTestAnnotations(junitFile: string, where: Where): Annotation[] {
  const annotations: Annotation[] = [];
  for (const suite of readJunitFile(junitFile)) {
    for (const testCase of suite.cases) {
      if (verdictOf(testCase) !== 'passed' || !isFlaky(testCase)) continue;
      const runs = testCase.reruns.filter((rerun) => rerun.kind === 'flakyFailure' || rerun.kind === 'flakyError');
      const first = runs[0]!;
      const text = [first.message, first.stackTrace].filter(Boolean).join('\n');
      const location = locationOf(testCase.file, testCase.line, where) ?? findLocation(text, where);
      const name = testCase.classname && testCase.classname !== suite.name ? `${testCase.classname} › ${testCase.name}` : testCase.name;
      const failed = `passed after ${runs.length} failed ${runs.length === 1 ? 'run' : 'runs'}; the first failed with:`;
      annotations.push({
        title: bounded(safeMessage(`flaky: ${suite.name}: ${name}`), MAX_TITLE_CHARS),
        message: bounded(firstLines(`${failed}\n${plainText(text).trim() || `${first.type || 'failure'} (no message)`}`, MAX_MESSAGE_LINES), MAX_MESSAGE_CHARS),
        ...location,
      });
    }
  }
  return annotations;
}

/** A report's own file/line, when the file is in the workspace. */
function locationOf(file: string | undefined, line: number | undefined, where: Where): { file: string; startLine?: number } | undefined {
  if (!file) return undefined;
  const relative = inWorkspace(file, where);
  if (!relative) return undefined;
  return line === undefined ? { file: relative } : { file: relative, startLine: line };
}

// file:///abs/path.js:12:5, /abs/path.py:12, tests/test_x.py:12: (pytest), src/a.test.ts:12:5
const LOCATION = /(?:file:\/\/)?((?:\/|\.{0,2}\/?[\w@.-]+\/)[^\s:()'"<>]*\.[\w]+|[\w@.-]+\.[A-Za-z]\w*):(\d+)/g;

/** The first place in a stack trace or message that lies in the checkout, outside node_modules. */
export function findLocation(text: string, where: Where): { file: string; startLine: number } | undefined {
  for (const match of text.matchAll(LOCATION)) {
    const candidate = match[1]!;
    if (candidate.includes('node_modules/') || candidate.startsWith('node:')) continue;
    const relative = inWorkspace(candidate, where);
    if (relative) return { file: relative, startLine: Number(match[2]) };
  }
  return undefined;
}

/** The path relative to the workspace, if it names a file there. */
function inWorkspace(file: string, where: Where): string | undefined {
  const candidates = path.isAbsolute(file) ? [file] : [path.resolve(where.projectDir, file), path.resolve(where.workspace, file)];
  for (const absolute of candidates) {
    const relative = path.relative(where.workspace, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
    if (isFile(absolute)) return relative.split(path.sep).join('/');
  }
  return undefined;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function firstLines(text: string, count: number): string {
  const lines = text.split('\n');
  return lines.length <= count ? text : `${lines.slice(0, count).join('\n')}\n... (${lines.length - count} more lines in the JUnit report)`;
}

/** A message's lines without escapes or controls (colours too: an annotation shows them raw). */
function plainText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => safeMessage(sanitizeOutputLine(line).replace(/\x1b\[[0-9;:]*m/g, '')))
    .join('\n');
}

function bounded(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
