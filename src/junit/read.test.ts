// Reading JUnit as the many writers write it; what is not JUnit is refused with the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JunitReadError, parseJunit, readJunitFile, secondsOf } from './read.js';

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-junit-read-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('parseJunit', () => {
  it('a lone <testsuite>; test cases straight under <testsuites>; nesting flattened, counts in the file ignored', () => {
    expect(parseJunit('<testsuite name="s" tests="9"><testcase name="a"/></testsuite>', 'f.xml').map((suite) => [suite.name, suite.cases.length])).toEqual([
      ['s', 1],
    ]);
    expect(
      parseJunit('<testsuites name="root"><testcase name="a"/><testcase name="b"/></testsuites>', 'f.xml').map((suite) => [suite.name, suite.cases.length]),
    ).toEqual([['root', 2]]);
    const nested = parseJunit(
      '<testsuites><testsuite name="outer"><testcase name="o"/><testsuite name="inner"><testcase name="i"/></testsuite><testsuite><testcase name="x"/></testsuite></testsuite></testsuites>',
      'f.xml',
    );
    expect(nested.map((suite) => [suite.name, suite.cases.map((testCase) => `${testCase.classname}/${testCase.name}`)])).toEqual([
      ['outer', ['outer/o']],
      ['inner', ['inner/i']],
      ['outer', ['outer/x']], // an unnamed suite takes its parent's name
    ]);
  });

  it('fills what readers need: a classname from the suite, a name, a time', () => {
    const [suite] = parseJunit('<testsuite name="s"><testcase/><testcase name="b" time="bogus"/></testsuite>', 'f.xml');
    expect(suite!.cases.map((testCase) => [testCase.classname, testCase.name, testCase.time])).toEqual([
      ['s', '(unnamed)', 0],
      ['s', 'b', 0],
    ]);
    expect(suite!.time).toBe(0);
  });

  it("keeps Surefire's reruns and test case properties (pytest's record_property)", () => {
    const [suite] = parseJunit(
      `<testsuite name="s"><testcase name="t" classname="C">
        <properties><property name="ticket" value="ABC-1"/><property name="note">multi
line</property></properties>
        <flakyFailure message="m" type="java.lang.AssertionError"><stackTrace>at C.t</stackTrace><system-out>out</system-out></flakyFailure>
        <rerunError type="E">trace as text</rerunError>
      </testcase></testsuite>`,
      'f.xml',
    );
    const testCase = suite!.cases[0]!;
    expect(testCase.properties).toEqual([
      { name: 'ticket', value: 'ABC-1' },
      { name: 'note', value: 'multi\nline' },
    ]);
    expect(testCase.reruns).toEqual([
      { kind: 'flakyFailure', message: 'm', type: 'java.lang.AssertionError', stackTrace: 'at C.t', systemOut: 'out', systemErr: undefined },
      { kind: 'rerunError', message: undefined, type: 'E', stackTrace: 'trace as text', systemOut: undefined, systemErr: undefined },
    ]);
  });

  it('keeps ISO 8601 timestamps and drops what is not one', () => {
    const suites = parseJunit(
      '<testsuites><testsuite name="a" timestamp="2025-01-02T03:04:05.123456+00:00"/><testsuite name="b" timestamp="yesterday"/></testsuites>',
      'f.xml',
    );
    expect(suites.map((suite) => suite.timestamp)).toEqual(['2025-01-02T03:04:05.123456+00:00', undefined]);
  });

  it('refuses what is not JUnit, naming the file', () => {
    expect(() => parseJunit('<checkstyle/>', 'lint.xml')).toThrow(
      new JunitReadError('lint.xml', 'not a JUnit report: its root element is <checkstyle>, not <testsuites> or <testsuite>'),
    );
    expect(() => parseJunit('{"tests": []}', 'r.json')).toThrow('r.json: not valid XML: line 1, column 1: text before the root element');
  });
});

describe('secondsOf', () => {
  it.each([
    ['1.5', 1.5],
    ['0', 0],
    ['.25', 0.25],
    ['1e-3', 0.001],
    ['1,234.5', 1234.5],
    ['1,5', 1.5],
    [' 2 ', 2],
    ['-1', undefined],
    ['NaN', undefined],
    ['', undefined],
  ] as const)('%j -> %j', (text, seconds) => {
    expect(secondsOf(text)).toBe(seconds);
  });
});

describe('readJunitFile', () => {
  it('reads UTF-8, UTF-16 with a byte-order mark, and ISO-8859-1 when the declaration says so', () => {
    const dir = tempDir();
    const xml = '<testsuite name="Prüfung"><testcase name="größer €"/></testsuite>';
    fs.writeFileSync(path.join(dir, 'utf8.xml'), xml);
    fs.writeFileSync(
      path.join(dir, 'utf16.xml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${xml}`, 'utf16le')]),
    );
    fs.writeFileSync(path.join(dir, 'latin1.xml'), Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${xml.replace(' €', '')}`, 'latin1'));
    expect(readJunitFile(path.join(dir, 'utf8.xml'))[0]!.cases[0]!.name).toBe('größer €');
    expect(readJunitFile(path.join(dir, 'utf16.xml'))[0]!.cases[0]!.name).toBe('größer €');
    expect(readJunitFile(path.join(dir, 'latin1.xml'))[0]!.name).toBe('Prüfung');
  });

  it('a missing file or a directory is a JunitReadError with the label given', () => {
    const dir = tempDir();
    expect(() => readJunitFile(path.join(dir, 'nope.xml'), 'reports/nope.xml')).toThrow('reports/nope.xml: no such file');
    expect(() => readJunitFile(dir, 'reports')).toThrow('reports: a directory, not a file');
  });
});

describe("caps of the JUnit reader (a report is the job's, its shape hostile)", () => {
  it('a million tiny elements of no JUnit meaning are read, not kept; over a million is an error naming the cap', () => {
    const filler = '<x/>'.repeat(999_990);
    expect(parseJunit(`<testsuite name="s"><testcase name="a"/>${filler}</testsuite>`, 'f.xml')[0]!.cases).toHaveLength(1);
    const over = `<testsuite>${filler}${'<x/>'.repeat(20)}</testsuite>`;
    expect(() => parseJunit(over, 'f.xml')).toThrow(/^f\.xml: line 1, column \d+: more than 1,000,000 elements/);
  });

  it('test cases: the cap is read in full, one more is an error naming the cap; a caller may lower it', () => {
    expect(parseJunit(`<testsuite>${'<testcase name="t"/>'.repeat(50_000)}</testsuite>`, 'f.xml')[0]!.cases).toHaveLength(50_000);
    expect(() => parseJunit(`<testsuite>${'<testcase name="t"/>'.repeat(50_001)}</testsuite>`, 'f.xml')).toThrow(/more than the 50,000 test cases/);
    expect(() => parseJunit('<testsuite><testcase/><testcase/></testsuite>', 'f.xml', { maxCases: 1 })).toThrow(JunitReadError);
  });

  it('depth and attributes', () => {
    expect(() => parseJunit(`${'<testsuite>'.repeat(65)}${'</testsuite>'.repeat(65)}`, 'f.xml')).toThrow(/more than 64 levels of nested elements/);
    const attributes = Array.from({ length: 257 }, (_, i) => `a${i}="v"`).join(' ');
    expect(() => parseJunit(`<testsuite><testcase ${attributes}/></testsuite>`, 'f.xml')).toThrow(/more than 256 attributes in one element \(<testcase>\)/);
  });

  it('a file over 64 MiB is not read', () => {
    const file = path.join(tempDir(), 'big.xml');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 64 * 1024 * 1024 + 1);
    expect(() => readJunitFile(file, 'big.xml')).toThrow(/^big\.xml: 64 MiB, more than the 64 MiB a JUnit report may have: not read$/);
  });
});
