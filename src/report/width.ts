// How many terminal columns text takes, for the live view: a live line that is one column wider
// than counted wraps, and every redraw then leaves a stale line behind. Terminals disagree on
// emoji sequences (tmux 3.3 draws ❤️ in 1 column and 👍🏽 in 4, kitty both in 2, VTE draws a ZWJ family
// as its 3 parts), so a grapheme counts the widest any of them draws it: never less than drawn.
import { eastAsianWidth } from 'get-east-asian-width';

/** CSI (colours, cursor moves) and OSC (titles, links) sequences: drawn as nothing. */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]?/g;
/** Code points a terminal draws in no column of their own: combining marks, joiners, variation selectors, controls. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cc}\p{Default_Ignorable_Code_Point}]$/u;
const EMOJI_PRESENTATION = '\uFE0F';
/**
 * Grapheme clusters; a Node built without Intl has no Segmenter: code points, marks still counted as nothing.
 * Made on first use: the first Segmenter loads ICU's break data (~20 ms), and ASCII text never needs it.
 */
let segmenter: Intl.Segmenter | undefined;
function graphemes(text: string): Iterable<string> {
  if (typeof Intl.Segmenter !== 'function') return text;
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return Array.from(segmenter.segment(text), (entry) => entry.segment);
}

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

/** Columns of one code point: 0, 1 or 2 (East Asian Wide and Fullwidth; ambiguous ones as narrow, as UAX #11 says without context). */
function codePointWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  return eastAsianWidth(char.codePointAt(0)!);
}

/** Columns of one grapheme cluster: the sum of its code points', at least 2 for an emoji presentation (VS16). */
export function graphemeWidth(grapheme: string): number {
  let columns = 0;
  for (const char of grapheme) columns += codePointWidth(char);
  return grapheme.includes(EMOJI_PRESENTATION) && columns > 0 ? Math.max(columns, 2) : columns;
}

/** Terminal columns `text` takes, escape sequences stripped. */
export function textWidth(text: string): number {
  const plain = stripAnsi(text);
  // Printable ASCII, the common case: one column each.
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  let columns = 0;
  for (const grapheme of graphemes(plain)) columns += graphemeWidth(grapheme);
  return columns;
}

/** Plain `text` cut to at most `width` columns, whole graphemes only, with … where it was cut. */
export function fitWidth(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (width <= 0) return '';
  let kept = '';
  let used = 0;
  for (const grapheme of graphemes(stripAnsi(text))) {
    const columns = graphemeWidth(grapheme);
    if (used + columns > width - 1) break;
    kept += grapheme;
    used += columns;
  }
  return `${kept}…`;
}
