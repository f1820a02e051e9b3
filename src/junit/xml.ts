// A small XML reader for test reports: elements, attributes, text, CDATA, the five named
// entities and character references. Comments, processing instructions and the DOCTYPE are
// skipped; entity declarations are never expanded, so a report cannot make cubicle read a
// file or build a billion laughs. Mixed content is kept as one text per element, which is
// all JUnit has. One pass over the string with indexOf, no regex per character.
// A report is written by the job, so its shape is hostile: elements, depth and attributes are
// counted against caps while parsing, and a caller keeps only the elements it reads (a tree of
// every element cost ~85x the file: 4 MB of `<a/>` made the runner 400 MB).

export interface XmlElement {
  readonly name: string;
  /** A null-prototype object: an attribute named `__proto__` is only an attribute. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text and CDATA, concatenated; its children's text is theirs. */
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'XmlSyntaxError';
  }
}

/** A document over one of the caps in XmlLimits; `limit` names it. */
export class XmlLimitError extends Error {
  constructor(
    readonly limit: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: more than ${limit}`);
    this.name = 'XmlLimitError';
  }
}

export interface XmlLimits {
  /** Elements in the document, kept or not. */
  readonly maxElements: number;
  /** Elements open at once. */
  readonly maxDepth: number;
  readonly maxAttributes: number;
  /**
   * Whether an element (and so its text and children) goes into the tree; one not kept is read
   * and checked but costs nothing. It may throw to stop the parse (a cap of the caller's own).
   */
  readonly keep?: (name: string, parent: string | undefined) => boolean;
}

/** Caps for a document nothing bounds but its size. */
export const DEFAULT_XML_LIMITS: XmlLimits = { maxElements: 1_000_000, maxDepth: 64, maxAttributes: 256 };

interface OpenElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  start: number;
  kept: boolean;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses a whole document; throws XmlSyntaxError naming the line and column of the first problem. */
export function parseXml(source: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  // XML's end-of-line handling: the parser sees \n only.
  const text = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  const fail: Fail = (reason, at) => {
    const before = text.slice(0, at);
    throw new XmlSyntaxError(reason, before.split('\n').length, at - before.lastIndexOf('\n'));
  };
  const overLimit = (limit: string, at: number): never => {
    const before = text.slice(0, at);
    throw new XmlLimitError(limit, before.split('\n').length, at - before.lastIndexOf('\n'));
  };
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  let elements = 0;
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (position < text.length) {
    const open = text.indexOf('<', position);
    const textEnd = open === -1 ? text.length : open;
    if (textEnd > position) {
      const chunk = text.slice(position, textEnd);
      const current = stack[stack.length - 1];
      if (current) {
        const decoded = decodeEntities(chunk, position, fail);
        if (current.kept) current.text += decoded;
      } else if (chunk.trim() !== '') fail(root ? 'text after the root element' : 'text before the root element', position);
    }
    if (open === -1) break;
    position = open;
    if (text.startsWith('<!--', position)) {
      position = skipPast(text, '-->', position, 'a comment that never ends (no -->)', fail);
    } else if (text.startsWith('<![CDATA[', position)) {
      const end = text.indexOf(']]>', position);
      if (end === -1) fail('a CDATA section that never ends (no ]]>)', position);
      const current = stack[stack.length - 1];
      if (!current) fail('CDATA outside the root element', position);
      if (current.kept) current.text += text.slice(position + 9, end);
      position = end + 3;
    } else if (text.startsWith('<?', position)) {
      position = skipPast(text, '?>', position, 'a processing instruction that never ends (no ?>)', fail);
    } else if (text.startsWith('<!DOCTYPE', position)) {
      if (root || stack.length) fail('a DOCTYPE after the root element began', position);
      position = skipDoctype(text, position, fail);
    } else if (text.charCodeAt(position + 1) === 0x2f /* / */) {
      const end = text.indexOf('>', position);
      if (end === -1) fail('a closing tag that never ends (no >)', position);
      const name = text.slice(position + 2, end).trimEnd();
      const element = stack.pop();
      if (!element) fail(`</${name}> closes nothing`, position);
      if (element.name !== name) fail(`</${name}> closes <${element.name}> (opened at ${where(text, element.start)})`, position);
      const done: XmlElement = { name: element.name, attributes: element.attributes, children: element.children, text: element.text };
      const parent = stack[stack.length - 1];
      if (parent) {
        if (element.kept) parent.children.push(done);
      } else root = done;
      position = end + 1;
    } else {
      if (root) fail('a second root element', position);
      if (++elements > limits.maxElements) overLimit(`${limits.maxElements.toLocaleString('en-US')} elements`, position);
      const tag = readStartTag(text, position, limits.maxAttributes, fail, overLimit);
      if (stack.length >= limits.maxDepth) overLimit(`${limits.maxDepth} levels of nested elements`, position);
      const parent = stack[stack.length - 1];
      // The root is always kept; below an element not kept, nothing is.
      const kept = !parent || (parent.kept && (limits.keep?.(tag.name, parent.name) ?? true));
      const element: OpenElement = { name: tag.name, attributes: kept ? tag.attributes : EMPTY, children: [], text: '', start: position, kept };
      position = tag.end;
      if (tag.selfClosing) {
        const done: XmlElement = { name: element.name, attributes: element.attributes, children: element.children, text: '' };
        if (parent) {
          if (kept) parent.children.push(done);
        } else root = done;
      } else {
        stack.push(element);
      }
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) fail(`<${unclosed.name}> (opened at ${where(text, unclosed.start)}) is never closed`, text.length);
  if (!root) fail('no root element: the document is empty', text.length);
  return root;
}

type Fail = (reason: string, at: number) => never;

function where(text: string, at: number): string {
  const before = text.slice(0, at);
  return `line ${before.split('\n').length}, column ${at - before.lastIndexOf('\n')}`;
}

function skipPast(text: string, terminator: string, from: number, reason: string, fail: Fail): number {
  const end = text.indexOf(terminator, from);
  if (end === -1) fail(reason, from);
  return end + terminator.length;
}

/** Skips `<!DOCTYPE ...>`, including an internal subset in brackets (quotes and comments in it too); its declarations are ignored. */
function skipDoctype(text: string, from: number, fail: Fail): number {
  let depth = 0;
  for (let position = from + 9; position < text.length; position++) {
    const char = text[position];
    if (char === '<' && text.startsWith('<!--', position)) {
      const end = text.indexOf('-->', position + 4);
      if (end === -1) break;
      position = end + 2;
    } else if (char === '[') depth++;
    else if (char === ']') depth--;
    else if (char === '>' && depth <= 0) return position + 1;
    else if (char === '"' || char === "'") {
      const end = text.indexOf(char, position + 1);
      if (end === -1) break;
      position = end;
    }
  }
  return fail('a DOCTYPE that never ends (no >)', from);
}

function isNameChar(code: number): boolean {
  // Letters, digits, - . _ : and everything beyond ASCII (XML allows most of it in names).
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2d ||
    code === 0x2e ||
    code === 0x5f ||
    code === 0x3a ||
    code > 0x7f
  );
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

function readName(text: string, from: number): number {
  let position = from;
  while (position < text.length && isNameChar(text.charCodeAt(position))) position++;
  return position;
}

const EMPTY: Record<string, string> = Object.freeze(Object.create(null));

function readStartTag(
  text: string,
  from: number,
  maxAttributes: number,
  fail: Fail,
  overLimit: Fail,
): { name: string; attributes: Record<string, string>; selfClosing: boolean; end: number } {
  const nameEnd = readName(text, from + 1);
  if (nameEnd === from + 1) fail(`"<" not followed by an element name`, from);
  const name = text.slice(from + 1, nameEnd);
  const attributes: Record<string, string> = Object.create(null);
  let position = nameEnd;
  let count = 0;
  for (;;) {
    const beforeSpace = position;
    while (position < text.length && isSpace(text.charCodeAt(position))) position++;
    const code = text.charCodeAt(position);
    if (code === 0x3e /* > */) return { name, attributes, selfClosing: false, end: position + 1 };
    if (code === 0x2f /* / */ && text.charCodeAt(position + 1) === 0x3e) return { name, attributes, selfClosing: true, end: position + 2 };
    if (position >= text.length) fail(`<${name}> never ends (no >)`, from);
    if (position === beforeSpace) fail(`unexpected "${text[position]}" in <${name}>`, position);
    const attributeEnd = readName(text, position);
    if (attributeEnd === position) fail(`unexpected "${text[position]}" in <${name}>`, position);
    const attribute = text.slice(position, attributeEnd);
    position = attributeEnd;
    while (isSpace(text.charCodeAt(position))) position++;
    if (text[position] !== '=') fail(`attribute ${attribute} of <${name}> has no value`, position);
    position++;
    while (isSpace(text.charCodeAt(position))) position++;
    const quote = text[position];
    if (quote !== '"' && quote !== "'") fail(`the value of ${attribute} in <${name}> is not quoted`, position);
    const valueEnd = text.indexOf(quote!, position + 1);
    if (valueEnd === -1) fail(`the value of ${attribute} in <${name}> never ends`, position);
    const raw = text.slice(position + 1, valueEnd);
    if (raw.includes('<')) fail(`"<" in the value of ${attribute} in <${name}>`, position + 1 + raw.indexOf('<'));
    if (Object.hasOwn(attributes, attribute)) fail(`attribute ${attribute} given twice in <${name}>`, position);
    if (++count > maxAttributes) overLimit(`${maxAttributes} attributes in one element (<${name.slice(0, 64)}>)`, from);
    // Attribute-value normalisation: literal tabs and newlines read as spaces, references do not.
    attributes[attribute] = decodeEntities(raw.replace(/[\t\n]/g, ' '), position + 1, fail);
    position = valueEnd + 1;
  }
}

function decodeEntities(raw: string, offset: number, fail: Fail): string {
  if (!raw.includes('&')) return raw;
  let decoded = '';
  let position = 0;
  for (;;) {
    const amp = raw.indexOf('&', position);
    if (amp === -1) return decoded + raw.slice(position);
    decoded += raw.slice(position, amp);
    const semicolon = raw.indexOf(';', amp);
    const entity = semicolon === -1 || semicolon - amp > 12 ? '' : raw.slice(amp + 1, semicolon);
    decoded += entityValue(entity) ?? fail(entity ? `unknown entity &${entity};` : 'a bare "&" (write &amp;)', offset + amp);
    position = semicolon + 1;
  }
}

function entityValue(entity: string): string | undefined {
  if (entity.charCodeAt(0) !== 0x23 /* # */) return NAMED_ENTITIES[entity];
  const hex = entity[1] === 'x';
  const digits = entity.slice(hex ? 2 : 1);
  if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return undefined;
  const code = Number.parseInt(digits, hex ? 16 : 10);
  return code > 0x10ffff ? undefined : String.fromCodePoint(code);
}

/** The first child element with this name. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\t': '&#9;',
  '\r': '&#13;',
};

/** Text content, made safe for XML 1.0 first. */
export function escapeText(text: string): string {
  const safe = xmlSafe(text);
  return /[&<>]/.test(safe) ? safe.replace(/[&<>]/g, (char) => TEXT_ESCAPES[char]!) : safe;
}

/** An attribute value; newlines and tabs as references, so a reader gets them back. */
export function escapeAttribute(text: string): string {
  const safe = xmlSafe(text);
  return /[&<>"\n\t\r]/.test(safe) ? safe.replace(/[&<>"\n\t\r]/g, (char) => ATTRIBUTE_ESCAPES[char]!) : safe;
}

// Terminal colour codes, then every character XML 1.0 forbids (most C0 controls, lone surrogates).
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;
const NOT_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** XML 1.0 forbids most control characters; terminal colours are noise in a report. */
export function xmlSafe(text: string): string {
  return text.replace(ANSI_ESCAPE, '').replace(NOT_XML_CHAR, '\uFFFD');
}
