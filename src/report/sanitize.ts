// A line of job output as cubicle prints it (a terminal, a CI log, a file someone cats later):
// colours (SGR) stay, every other escape goes. A job must not write the user's clipboard (OSC 52),
// plant links (OSC 8), clear the screen and draw a fake summary (CSI cursor moves, erases),
// talk to the terminal's own channels (DCS, APC, PM, SOS), hide text (SGR 8, conceal), nor
// overwrite cubicle's `[job]` prefix with \r or backspaces.

// Anything that needs a look: C0 controls but tab, DEL and the C1 block (8-bit CSI, OSC, ...).
// Tested first: V8's compiled character class scans plain text faster than a loop in JS.
const NEEDS_WORK = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
const ESCAPE_SEQUENCES = new RegExp(
  [
    String.raw`\x1b\[([0-?]*)([ -/]*)([@-~])`, // CSI: params, intermediates, final
    String.raw`\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)`, // OSC, to BEL or ST (or the line's end: never left open)
    String.raw`\x1b[PX^_][^\x1b]*(?:\x1b\\|$)`, // DCS, SOS, PM, APC, to ST
    String.raw`\x1b[ -/]*[0-~]?`, // any other escape (charsets, reset, save/restore cursor) or a lone ESC
  ].join('|'),
  'g',
);
// ESC is not among them: every ESC left is the start of a colour kept above
const CONTROLS = /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f]/g;
const BREAKS = /[\n\v\f]/g;

/** `line` with only SGR colour sequences left; text a terminal would have drawn over (\r) is dropped. */
export function sanitizeOutputLine(line: string): string {
  if (!NEEDS_WORK.test(line) || isPlainOrColoured(line)) return line;
  let text = line.replace(/\r+$/, '');
  const lastReturn = text.lastIndexOf('\r');
  if (lastReturn >= 0) text = text.slice(lastReturn + 1);
  return text
    .replace(ESCAPE_SEQUENCES, (_sequence, params: string | undefined, intermediates: string | undefined, final: string | undefined) =>
      final === 'm' && !intermediates && params !== undefined ? colourOnly(params) : '',
    )
    .replace(BREAKS, ' ')
    .replace(CONTROLS, '');
}

/**
 * The common case, in one pass without allocating (a job may print 100 MB): text with no
 * control but tab, or with plain SGR sequences (`ESC [ digits;... m`) without an 8 among them.
 */
function isPlainOrColoured(line: string): boolean {
  for (let index = 0; index < line.length; index++) {
    const code = line.charCodeAt(index);
    if (code >= 0x20 && code < 0x7f) continue;
    if (code === 0x09 || code > 0x9f) continue;
    if (code !== 0x1b || line.charCodeAt(index + 1) !== 0x5b) return false;
    // ESC [ params m, each param digits; a param of 8 alone (conceal, or an argument of 38/48/58) goes the long way
    let param = '';
    for (index += 2; ; index++) {
      const char = line[index];
      if (char === undefined) return false;
      if (char >= '0' && char <= '9') param += char;
      else if (char === ';' || char === 'm') {
        if (param === '8' || param === '08') return false;
        param = '';
        if (char === 'm') break;
      } else return false;
    }
  }
  return true;
}

/** An SGR sequence without conceal (8), or nothing when nothing else is left of it. */
function colourOnly(params: string): string {
  if (!/^[0-9;:]*$/.test(params)) return ''; // private SGR forms (`<`, `=`, `>`, `?`) are not colours
  const kept: string[] = [];
  const parts = params.split(';');
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    // 38/48/58;5;N and 38/48/58;2;R;G;B carry their arguments as params of their own (an 8 among them is a colour)
    if ((part === '38' || part === '48' || part === '58') && (parts[index + 1] === '5' || parts[index + 1] === '2')) {
      const count = parts[index + 1] === '5' ? 2 : 4;
      kept.push(...parts.slice(index, index + 1 + count));
      index += count;
    } else if (part !== '8' && part !== '08') {
      kept.push(part);
    }
  }
  if (kept.length === 0 && parts.length > 0 && params !== '') return '';
  return `\x1b[${kept.join(';')}m`;
}

/** The text of a sanitized line without its colours: what the live line shows. */
export function withoutColours(line: string): string {
  return line.includes('\x1b') ? line.replace(/\x1b\[[0-9;:]*m/g, '') : line;
}
