// A line of job output as cubicle prints it (a terminal, a CI log, a file someone cats later):
// colours (SGR) stay, every other escape goes. A job must not write the user's clipboard (OSC 52),
// plant links (OSC 8), clear the screen and draw a fake summary (CSI cursor moves, erases),
// talk to the terminal's own channels (DCS, APC, PM, SOS), hide text (SGR 8, conceal), nor
// overwrite cubicle's `[job]` prefix with \r or backspaces.

// Anything that needs a look: C0 controls but tab, DEL and the C1 block (8-bit CSI, OSC, ...).
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

// The common case of coloured output (test runners, compilers): plain SGR and nothing else.
const PLAIN_SGR = /\x1b\[[0-9;]*m/g;
const MAYBE_CONCEAL = /[[;]0*8[;m]/;

/** `line` with only SGR colour sequences left; text a terminal would have drawn over (\r) is dropped. */
export function sanitizeOutputLine(line: string): string {
  if (!NEEDS_WORK.test(line)) return line;
  if (!MAYBE_CONCEAL.test(line) && !NEEDS_WORK.test(line.replace(PLAIN_SGR, ''))) return line;
  let text = line.replace(/\r+$/, '');
  const lastReturn = text.lastIndexOf('\r');
  if (lastReturn >= 0) text = text.slice(lastReturn + 1);
  return text
    .replace(ESCAPE_SEQUENCES, (sequence, params: string | undefined, intermediates: string | undefined, final: string | undefined) =>
      final === 'm' && !intermediates && params !== undefined ? colourOnly(params) : '',
    )
    .replace(BREAKS, ' ')
    .replace(CONTROLS, '');
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
