import { describe, expect, it } from 'vitest';
import { DEFAULT_XML_LIMITS, escapeAttribute, escapeText, parseXml, XmlLimitError, XmlSyntaxError } from './xml.js';

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA and entities', () => {
    const root = parseXml(`\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE testsuites [ <!ENTITY lol "lol"> <!-- ] --> ]>
<!-- a comment with <tags> -->
<testsuites name='a &amp; b'>
  <testsuite name="s&#x41;&#66;" empty="">
    <testcase name="x" classname="c"/>
    <system-out>1 &lt; 2 &gt; 0 &quot;q&quot; &apos;a&apos; <![CDATA[<raw> & ]]> done</system-out>
  </testsuite>
</testsuites>
<!-- trailing comment -->
`);
    expect(root.name).toBe('testsuites');
    expect(root.attributes.name).toBe('a & b');
    const suite = root.children[0]!;
    expect(suite.attributes).toEqual({ name: 'sAB', empty: '' });
    expect(suite.children.map((child) => child.name)).toEqual(['testcase', 'system-out']);
    expect(suite.children[0]!.attributes).toEqual({ name: 'x', classname: 'c' });
    expect(suite.children[1]!.text).toBe(`1 < 2 > 0 "q" 'a' <raw> &  done`);
  });

  it('normalises line ends, and whitespace in attribute values but not in character references', () => {
    const root = parseXml('<a b="x\r\ny\tz" c="1&#10;2">line1\r\nline2\rline3</a>');
    expect(root.attributes.b).toBe('x y z');
    expect(root.attributes.c).toBe('1\n2');
    expect(root.text).toBe('line1\nline2\nline3');
  });

  it('keeps __proto__ an ordinary attribute', () => {
    const root = parseXml('<a __proto__="x" constructor="y"/>');
    // biome-ignore lint/suspicious/noProto: the test is that __proto__ is read as a plain attribute
    expect(root.attributes.__proto__).toBe('x');
    expect(Object.keys(root.attributes)).toEqual(['__proto__', 'constructor']);
  });

  it('reads names beyond ASCII and namespaced names as written', () => {
    const root = parseXml('<ns:prüfung xmlns:ns="u" ns:ä="1"><ns:kind/></ns:prüfung>');
    expect(root.name).toBe('ns:prüfung');
    expect(root.attributes['ns:ä']).toBe('1');
    expect(root.children[0]!.name).toBe('ns:kind');
  });

  const broken: [string, string, string][] = [
    ['an unclosed element', '<a>\n  <b>\n</a>', 'line 3, column 1: </a> closes <b> (opened at line 2, column 3)'],
    ['an element never closed', '<a><b></b>', '<a> (opened at line 1, column 1) is never closed'],
    ['an unknown entity', '<a>&nbsp;</a>', 'line 1, column 4: unknown entity &nbsp;'],
    ['a bare ampersand', '<a>fish & chips</a>', 'a bare "&" (write &amp;)'],
    ['an unquoted attribute', '<a b=1/>', 'the value of b in <a> is not quoted'],
    ['a duplicated attribute', '<a b="1" b="2"/>', 'attribute b given twice in <a>'],
    ['a < in an attribute', '<a b="<"/>', '"<" in the value of b in <a>'],
    ['two roots', '<a/><b/>', 'a second root element'],
    ['text after the root', '<a/>oops', 'text after the root element'],
    ['an empty document', '  \n', 'no root element: the document is empty'],
    ['HTML', '<!DOCTYPE html><html><body><br></body></html>', '</body> closes <br>'],
    ['an unterminated comment', '<a><!-- </a>', 'a comment that never ends'],
    ['an unterminated CDATA', '<a><![CDATA[ </a>', 'a CDATA section that never ends'],
    ['a truncated file', '<testsuite name="x"><testcase name="a" time="0.1"', '<testcase> never ends (no >)'],
    ['a character reference beyond Unicode', '<a>&#x110000;</a>', 'unknown entity &#x110000;'],
  ];
  it.each(broken)('refuses %s, saying where', (_name, xml, reason) => {
    let caught: unknown;
    try {
      parseXml(xml);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(XmlSyntaxError);
    expect((caught as Error).message).toContain(reason);
  });

  it('does not expand declared entities (no billion laughs, no external files)', () => {
    const xml = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
    expect(() => parseXml(xml)).toThrow('unknown entity &x;');
  });
});

describe('escaping', () => {
  it('round-trips any text through a document, minus what XML 1.0 cannot hold', () => {
    const samples = [
      'plain',
      'a & b < c > d "e" \'f\'',
      ']]> inside',
      'tab\tnew\nline\rcr',
      'emoji 🎉 and ü',
      '\x1b[31mred\x1b[0m',
      'nul\x00 and \x07 bell',
      'lone \uD800 surrogate',
    ];
    for (const sample of samples) {
      const root = parseXml(`<a v="${escapeAttribute(sample)}">${escapeText(sample)}</a>`);
      const expected = sample.replace(/\x1b\[[0-9;]*m/g, '').replace(/[\x00\x07]|\uD800/g, '\uFFFD');
      expect(root.attributes.v).toBe(expected);
      expect(root.text).toBe(expected.replace(/\r/g, '\n'));
    }
  });
});

describe('parseXml caps (a report is written by the job)', () => {
  const limits = { ...DEFAULT_XML_LIMITS, maxElements: 10, maxDepth: 4, maxAttributes: 3 };

  it('counts every element, nesting depth and attributes per element; at the cap is read, over it names the cap', () => {
    expect(parseXml(`<r>${'<a/>'.repeat(9)}</r>`, limits).children).toHaveLength(9);
    expect(() => parseXml(`<r>${'<a/>'.repeat(10)}</r>`, limits)).toThrow(new XmlLimitError('10 elements', 1, 40));
    expect(parseXml('<a><b><c><d/></c></b></a>', limits).name).toBe('a');
    expect(() => parseXml('<a><b><c><d><e/></d></c></b></a>', limits)).toThrow(/more than 4 levels of nested elements/);
    expect(Object.keys(parseXml('<a x="1" y="2" z="3"/>', limits).attributes)).toHaveLength(3);
    expect(() => parseXml('<a x="1" y="2" z="3" w="4"/>', limits)).toThrow(/more than 3 attributes in one element \(<a>\)/);
  });

  it('keeps only what `keep` accepts: elements not kept, their text and their children cost nothing', () => {
    const keep = (name: string) => name !== 'junk';
    const root = parseXml('<r><junk a="1">text<b>inner</b></junk><b x="y">kept</b></r>', { ...DEFAULT_XML_LIMITS, keep });
    expect(root.children.map((child) => [child.name, child.attributes.x, child.text])).toEqual([['b', 'y', 'kept']]);
    // Not kept, still checked: a mismatched tag inside junk is a syntax error.
    expect(() => parseXml('<r><junk><b></junk></r>', { ...DEFAULT_XML_LIMITS, keep })).toThrow(XmlSyntaxError);
  });
});
