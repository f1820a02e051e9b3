// Reads a JUnit report as test frameworks write it (vitest, pytest, Surefire, Jest, Go's
// converters, and cubicle's own) into JunitSuite data: nested <testsuites>/<testsuite> are
// flattened, counts in the file are ignored (they are recomputed from the test cases), and
// what is not JUnit is refused with the reason. A report is the job's, so it is read under caps
// (bytes, elements, depth, attributes, test cases), and only the elements read here are kept.
import fs from 'node:fs';
import { CubicleError, type CubicleErrorOptions } from '../core/errors.js';
import { GoTestJsonError, parseGoTestJson } from './gotest.js';
import type { JunitCase, JunitOutcome, JunitProperty, JunitRerun, JunitSuite } from './model.js';
import { childNamed, DEFAULT_XML_LIMITS, parseXml, XmlLimitError, XmlSyntaxError, type XmlElement, type XmlLimits } from './xml.js';

/** More than this is not a test report: read, it would be a string of the same size and a tree of more. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;
/** Test cases one report may hold; a job's reports together hold no more either (report/junit-job.ts). */
export const MAX_TEST_CASES = 50_000;

/** The elements this reader looks at; any other (and what is inside it) is read but not kept. */
const READ_ELEMENTS = new Set([
  'testsuites',
  'testsuite',
  'testcase',
  'failure',
  'error',
  'skipped',
  'flakyFailure',
  'flakyError',
  'rerunFailure',
  'rerunError',
  'stackTrace',
  'system-out',
  'system-err',
  'properties',
  'property',
]);

export interface JunitReadOptions {
  /** At most this many test cases (default MAX_TEST_CASES); more is a JunitReadError naming the cap. */
  readonly maxCases?: number;
}

/** A JUnit file that is missing, unreadable, not XML, or not JUnit. */
export class JunitReadError extends CubicleError<'JUNIT_UNREADABLE'> {
  readonly code = 'JUNIT_UNREADABLE';

  constructor(
    readonly file: string,
    readonly reason: string,
    options: CubicleErrorOptions = {},
  ) {
    super(`${file}: ${reason}`, options);
  }
}

class CaseLimitError extends Error {}

/** The suites of one JUnit file; `label` names it in errors. */
export function readJunitFile(file: string, label = file, options: JunitReadOptions = {}): JunitSuite[] {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_REPORT_BYTES) {
      const cap = `${MAX_REPORT_BYTES / 1024 / 1024} MiB`;
      throw new JunitReadError(label, `${Math.round(size / 1024 / 1024)} MiB, more than the ${cap} a JUnit report may have: not read`);
    }
    bytes = fs.readFileSync(file);
  } catch (error) {
    if (error instanceof JunitReadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : `cannot be read (${(error as Error).message})`;
    throw new JunitReadError(label, reason, { cause: error });
  }
  // A `junit:` file ending in .json is a `go test -json` stream, converted (gotest.ts).
  if (file.endsWith('.json')) {
    try {
      return parseGoTestJson(bytes.toString('utf8'));
    } catch (error) {
      if (error instanceof GoTestJsonError) throw new JunitReadError(label, error.message, { cause: error });
      throw error;
    }
  }
  return parseJunit(decodeXmlBytes(bytes), label, options);
}

/** The suites of one JUnit document. */
export function parseJunit(text: string, label: string, options: JunitReadOptions = {}): JunitSuite[] {
  const maxCases = options.maxCases ?? MAX_TEST_CASES;
  let cases = 0;
  const limits: XmlLimits = {
    ...DEFAULT_XML_LIMITS,
    keep: (name) => {
      if (name === 'testcase' && ++cases > maxCases) throw new CaseLimitError();
      return READ_ELEMENTS.has(name);
    },
  };
  let root: XmlElement;
  try {
    root = parseXml(text, limits);
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new JunitReadError(label, `not valid XML: ${error.message}`, { cause: error });
    if (error instanceof XmlLimitError) throw new JunitReadError(label, `${error.message} (a cap of cubicle's JUnit reader): not read`, { cause: error });
    if (error instanceof CaseLimitError) {
      const cap = MAX_TEST_CASES.toLocaleString('en-US');
      const left = maxCases === MAX_TEST_CASES ? '' : ` (${maxCases.toLocaleString('en-US')} were left after the job's other reports)`;
      throw new JunitReadError(label, `more than the ${cap} test cases cubicle reads from one job's reports${left}: not read`);
    }
    throw error;
  }
  const lines = lineBaseOf(root, 'by-suite-name');
  if (root.name === 'testsuite') return readSuite(root, label, lines);
  if (root.name !== 'testsuites') throw new JunitReadError(label, `not a JUnit report: its root element is <${root.name}>, not <testsuites> or <testsuite>`);
  const suites: JunitSuite[] = [];
  const looseCases = root.children.filter((child) => child.name === 'testcase');
  // A few writers put test cases straight under <testsuites>; they get a suite of their own.
  if (looseCases.length) suites.push(...readSuite({ ...root, children: looseCases }, root.attributes.name || label, lines));
  for (const child of root.children) {
    if (child.name === 'testsuite' || child.name === 'testsuites') suites.push(...readSuite(child, root.attributes.name || label, lines));
  }
  return suites;
}

/**
 * How a report's `line` attributes count. pytest's junitxml (junit_family=xunit1 writes file and
 * line) takes `line` from its test item's location, which counts from 0; every other writer,
 * unittest-xml-reporting included (same classname-from-path shape, but 1-based), counts from 1.
 * pytest is told by its names: the <testsuite> "pytest" (junit_suite_name's default) or, from
 * pytest 8 on, the root <testsuites name="pytest tests"> whatever the suite is called. cubicle's
 * own reports are <testsuites name="cubicle"> with suites named after jobs (a job may be called
 * "pytest"): their lines were made 1-based when they were written, and are read as written.
 */
type LineBase = 'as-written' | 'zero-based' | 'by-suite-name';

/** A <testsuites> element's own say on its lines; `inherited` otherwise. */
function lineBaseOf(element: XmlElement, inherited: LineBase): LineBase {
  if (element.name !== 'testsuites') return inherited;
  if (element.attributes.name === 'cubicle') return 'as-written';
  if (element.attributes.name === 'pytest tests') return 'zero-based';
  return inherited;
}

/** A suite, then its nested suites, each with its own test cases. */
function readSuite(element: XmlElement, parentName: string, lines: LineBase): JunitSuite[] {
  const name = element.attributes.name || parentName;
  const base = lineBaseOf(element, lines);
  const zeroBased = base === 'zero-based' || (base === 'by-suite-name' && element.name === 'testsuite' && element.attributes.name === 'pytest');
  const cases = element.children.filter((child) => child.name === 'testcase').map((child) => readCase(child, name, zeroBased));
  const nested = element.children.filter((child) => child.name === 'testsuite' || child.name === 'testsuites').flatMap((child) => readSuite(child, name, base));
  const systemOut = textOf(element, 'system-out');
  const systemErr = textOf(element, 'system-err');
  // A suite that only groups others is not a suite of its own in the flat list.
  if (nested.length && !cases.length && !systemOut && !systemErr) return nested;
  const suite: JunitSuite = {
    name,
    timestamp: timestampOf(element.attributes.timestamp),
    hostname: element.attributes.hostname || undefined,
    time: secondsOf(element.attributes.time) ?? cases.reduce((sum, testCase) => sum + testCase.time, 0),
    properties: propertiesOf(element),
    cases,
    systemOut,
    systemErr,
  };
  return [suite, ...nested];
}

function readCase(element: XmlElement, suiteName: string, zeroBasedLine: boolean): JunitCase {
  const attributes = element.attributes;
  const outcomes: JunitOutcome[] = [];
  const reruns: JunitRerun[] = [];
  for (const child of element.children) {
    const kind = child.name;
    if (kind === 'failure' || kind === 'error' || kind === 'skipped') {
      outcomes.push({ kind, message: child.attributes.message, type: child.attributes.type, body: child.text.trim() ? child.text : undefined });
    } else if (kind === 'flakyFailure' || kind === 'flakyError' || kind === 'rerunFailure' || kind === 'rerunError') {
      reruns.push({
        kind,
        message: child.attributes.message,
        type: child.attributes.type ?? '',
        stackTrace: textOf(child, 'stackTrace') ?? (child.text.trim() ? child.text : undefined),
        systemOut: textOf(child, 'system-out'),
        systemErr: textOf(child, 'system-err'),
      });
    }
  }
  const written = attributes.line && /^\d+$/.test(attributes.line) ? Number(attributes.line) : undefined;
  const line = written !== undefined && zeroBasedLine ? written + 1 : written;
  return {
    name: attributes.name || '(unnamed)',
    classname: attributes.classname || suiteName,
    time: secondsOf(attributes.time) ?? 0,
    file: attributes.file || undefined,
    line,
    properties: propertiesOf(element),
    outcomes,
    reruns,
    systemOut: textOf(element, 'system-out'),
    systemErr: textOf(element, 'system-err'),
  };
}

/** The text of every child with this name, joined; undefined when there is none or it is empty. */
function textOf(element: XmlElement, name: string): string | undefined {
  let text = '';
  for (const child of element.children) if (child.name === name) text += child.text;
  return text === '' ? undefined : text;
}

function propertiesOf(element: XmlElement): JunitProperty[] {
  const properties = childNamed(element, 'properties');
  if (!properties) return [];
  return properties.children
    .filter((child) => child.name === 'property' && child.attributes.name)
    .map((child) => ({ name: child.attributes.name!, value: child.attributes.value ?? child.text }));
}

/** Seconds from "1.5", "1,234.5" (Surefire under some locales) or "1,5"; undefined if none of those. */
export function secondsOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let number = Number.NaN;
  if (/^\d*\.?\d+(e[+-]?\d+)?$/i.test(trimmed)) number = Number(trimmed);
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(trimmed)) number = Number(trimmed.replace(/,/g, ''));
  else if (/^\d+,\d+$/.test(trimmed)) number = Number(trimmed.replace(',', '.'));
  return Number.isFinite(number) ? number : undefined;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** ISO 8601 timestamps are kept as written; anything else is dropped rather than passed on. */
function timestampOf(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && ISO_TIMESTAMP.test(trimmed) ? trimmed : undefined;
}

/** UTF-8 unless a byte-order mark or the XML declaration says otherwise. */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)))
      .swap16()
      .toString('utf16le');
  const declaration = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(bytes.subarray(0, 200).toString('latin1'));
  if (declaration && /^(iso-8859-1|latin-?1|us-ascii|ascii|windows-1252|cp1252)$/i.test(declaration[1]!)) return bytes.toString('latin1');
  return bytes.toString('utf8');
}
