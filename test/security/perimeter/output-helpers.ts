// GitHub's runner's rules for workflow commands, as actions/runner applies them to what a step
// prints (src/Runner.Worker/ActionCommandManager.cs, ActionCommand.cs), so that a test can see
// every command a log would have run:
//  - lines are read with .NET's StreamReader.ReadLine: split on \r\n, \n and a lone \r;
//  - `::name props::data` after leading whitespace (TrimStart), then `##[name props]data`
//    anywhere in the line; a name counts only when registered (case ignored);
//  - `::stop-commands::TOKEN` stops every command until a line whose command name is TOKEN
//    (`::TOKEN::` or `##[TOKEN]`, case ignored), which is registered while stopped;
//  - the log viewer draws `##[group]`, `##[command]`, `##[error]` ... at a line's start as
//    formatting, commands or not: counted here as `render` directives.

export const REGISTERED = [
  'add-mask',
  'add-path',
  'debug',
  'error',
  'warning',
  'notice',
  'group',
  'endgroup',
  'echo',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'add-matcher',
  'remove-matcher',
];
const RENDERED = /^[\s\x85]*##\[(group|endgroup|command|section|error|warning|notice|debug)\]/i;

export interface WorkflowCommand {
  readonly name: string;
  readonly properties: Record<string, string>;
  readonly data: string;
  readonly syntax: 'v2' | 'v1' | 'render';
  readonly line: string;
}

export interface Parsed {
  /** Every command the runner would have run (stop-commands and its resume among them), and every line the viewer would draw as one. */
  readonly commands: WorkflowCommand[];
  /** The token still waited for at the end, if commands were left stopped. */
  readonly stoppedWith: string | undefined;
}

/** Lines as the runner reads them from a step's stdout or stderr. */
export function runnerLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/** The commands one stream of a step's output yields. */
export function parseWorkflowCommands(text: string): Parsed {
  const commands: WorkflowCommand[] = [];
  let stopToken: string | undefined;
  for (const line of runnerLines(text)) {
    const registered = new Set([...REGISTERED, ...(stopToken ? [stopToken.toLowerCase()] : [])]);
    const command = parseV2(line, registered) ?? parseV1(line, registered);
    if (command && stopToken !== undefined) {
      if (command.name.toLowerCase() === stopToken.toLowerCase()) {
        commands.push(command);
        stopToken = undefined;
        continue;
      }
    } else if (command) {
      commands.push(command);
      if (command.name.toLowerCase() === 'stop-commands') stopToken = command.data;
      continue;
    }
    if (RENDERED.test(line)) commands.push({ name: RENDERED.exec(line)![1]!.toLowerCase(), properties: {}, data: line, syntax: 'render', line });
  }
  return { commands, stoppedWith: stopToken };
}

/** ActionCommand.TryParseV2. */
function parseV2(raw: string, registered: Set<string>): WorkflowCommand | undefined {
  const line = raw.replace(/^[\s\x85\ufeff]+/, '');
  if (!line.startsWith('::')) return undefined;
  const end = line.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = line.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at > 0 && at < pair.length - 1) properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1));
    }
  }
  return { name, properties, data: unescapeData(line.slice(end + 2)), syntax: 'v2', line: raw };
}

/** ActionCommand.TryParse: the older `##[name key=value;...]data`, anywhere in the line. */
function parseV1(line: string, registered: Set<string>): WorkflowCommand | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const bracket = line.indexOf(']', prefix);
  if (bracket < 0) return undefined;
  const info = line.slice(prefix + 3, bracket);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at > 0) properties[pair.slice(0, at).trim()] = pair.slice(at + 1);
    }
  }
  return { name, properties, data: line.slice(bracket + 1), syntax: 'v1', line };
}

function unescapeData(text: string): string {
  return text.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%25', '%');
}

function unescapeProperty(text: string): string {
  return text.replaceAll('%0D', '\r').replaceAll('%0A', '\n').replaceAll('%3A', ':').replaceAll('%2C', ',').replaceAll('%25', '%');
}

/** A fence of cubicle's own: `::stop-commands::` with 32 hex digits, or the resume on that token. */
function isFence(command: WorkflowCommand, tokens: Set<string>): boolean {
  if (command.syntax !== 'v2') return false;
  if (command.name === 'stop-commands' && /^[0-9a-f]{32}$/.test(command.data)) {
    tokens.add(command.data);
    return true;
  }
  return tokens.has(command.name) && command.data === '';
}

/**
 * The commands of a stream that cubicle did not mean: everything but its log groups (named
 * after a job of `jobNames`) and its own fences. Also fails when a stream ends stopped.
 */
export function unexpectedCommands(text: string, jobNames: readonly string[]): WorkflowCommand[] {
  const { commands, stoppedWith } = parseWorkflowCommands(text);
  const tokens = new Set<string>();
  const unexpected = commands.filter((command) => {
    if (isFence(command, tokens)) return false;
    if (command.syntax === 'v2' && command.name === 'group' && jobNames.includes(command.data)) return false;
    if (command.syntax === 'v2' && command.name === 'endgroup' && command.data === '') return false;
    return true;
  });
  if (stoppedWith !== undefined) unexpected.push({ name: 'left-stopped', properties: {}, data: stoppedWith, syntax: 'v2', line: '' });
  return unexpected;
}

/** The names of the commands a stream yields (the positive controls' check). */
export function commandNames(text: string): string[] {
  return parseWorkflowCommands(text).commands.map((command) => `${command.syntax}:${command.name}`);
}

/** Escape sequences that do more than colour text, as they would reach a terminal. */
export function terminalHazards(text: string): string[] {
  const hazards: string[] = [];
  if (/\x1b\]/.test(text) || text.includes('\x9d')) hazards.push('OSC');
  if (/\x1b[P^_X]/.test(text) || /[\x90\x98\x9e\x9f]/.test(text)) hazards.push('DCS/SOS/PM/APC');
  for (const match of text.matchAll(/\x1b\[([0-?]*)([ -/]*)([@-~])/g)) {
    const [, params, , final] = match;
    // the live view's own: cursor up and down, erase line, hide/show cursor
    if (final === 'A' || final === 'B' || (final === 'K' && params === '2') || ((final === 'l' || final === 'h') && params === '?25')) continue;
    if (final !== 'm') hazards.push(`CSI ${params}${final}`);
    else if (params!.split(';').includes('8')) hazards.push('SGR 8 (conceal)');
  }
  if (text.includes('\x9b')) hazards.push('8-bit CSI');
  return hazards;
}
