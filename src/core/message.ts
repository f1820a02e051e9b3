// Untrusted text (a step's `run`, a file or test name, a health check's output) embedded in
// cubicle's own messages. GitHub's runner reads every line a step prints as a possible workflow
// command: `::name::` at the start of a line (after whitespace), `##[name]` anywhere in it, and
// it splits lines on \r as well as \n. So untrusted text is kept on one line, its controls and
// invisible characters shown as escapes, and anything that could start a command defused.

// C0 (but tab), DEL, C1 (U+0085 NEL among them), the line and paragraph separators, bidi
// embeddings, overrides and isolates, zero-width characters and the BOM: none may reach a line
// as itself (they break it, or make it read other than it runs).
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\x0b': '\\v', '\x0c': '\\f', '\x1b': '\\e' };

/** `text` as one inert line: controls and invisible characters escaped, workflow commands defused. */
export function safeMessage(text: string): string {
  return defuseCommands(text.replace(UNSAFE, (char) => NAMED[char] ?? `\\u{${char.codePointAt(0)!.toString(16)}}`));
}

/** A multi-line message of cubicle's own (an error with its hint): each line made inert, untrusted line breaks included. */
export function safeLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => safeMessage(line))
    .join('\n');
}

// `##[` anywhere starts a command (the runner's older syntax); `::` after leading whitespace does.
const LEGACY_COMMAND = /##\[/g;
const COMMAND_START = /^([\s\x85]*)::/; // .NET trims U+0085 too

/** One line that the runner will not take as a workflow command: `##[` becomes `##\[`, a leading `::` becomes `\::`. */
export function defuseCommands(line: string): string {
  const defused = line.includes('##[') ? line.replace(LEGACY_COMMAND, '##\\[') : line;
  return defused.replace(COMMAND_START, '$1\\::');
}
