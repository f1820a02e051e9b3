// Text the checkout controls (a job's failure message, a test's name) quoted in the step summary's
// Markdown: it must stay text. HTML is entity-escaped (no <img> beacons, no <details> or comments
// that hide the rest), every ASCII punctuation mark Markdown could read is backslash-escaped (no
// links, images, emphasis, headings, code spans that swallow the table), and it stays one line of
// bounded length (a | or a line break would end the table's row).
import { safeMessage } from '../core/message.js';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '@': '&#64;' };
// `-`, `+`, `.` and `#` only mean something at a line's start, where quoted text never is. A bare
// URL still becomes a link (GitHub's autolinks read the text after escapes): text, never an image.
const MARKDOWN = /[\\`*_{}[\]()!|~]/g;

/** `text` as inert Markdown text on one line, at most `maxChars` characters of it (then …). */
export function markdownText(text: string, maxChars = 300): string {
  const line = safeMessage(text);
  const kept = line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
  return kept.replace(/[&<>"'@]/g, (char) => HTML[char]!).replace(MARKDOWN, '\\$&');
}

/** `text` in a code span: one line, no backtick of its own to end the span early. */
export function markdownCode(text: string): string {
  return `\`${safeMessage(text).replaceAll('`', "'")}\``;
}
