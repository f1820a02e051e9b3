// What `cubicle init` needs of a pyproject.toml: the project's dependencies, its test extras and
// its PEP 735 dependency groups, as requirement strings. Only that subset of TOML is read (string
// arrays under [project], [project.optional-dependencies] and [dependency-groups]); cubicle ships
// no TOML parser, and a file it cannot read this way gives an empty answer, said by init.

export interface PyprojectDependencies {
  readonly dependencies: readonly string[];
  /** Extras of [project.optional-dependencies] that hold test tools, by name. */
  readonly extras: Readonly<Record<string, readonly string[]>>;
  /** [dependency-groups], include-group entries expanded. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
}

/** The extras and groups that carry a project's test tools, in the order they are looked for. */
export const TEST_SETS = ['test', 'tests', 'testing', 'dev'] as const;

type Entry = string | { includeGroup: string };

export function readPyproject(text: string): PyprojectDependencies {
  const tables = new Map<string, Map<string, Entry[]>>();
  let table = '';
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = stripComment(lines[index]!).trim();
    const header = /^\[([^[\]]+)\]$/.exec(line);
    if (header) {
      table = header[1]!
        .trim()
        .replace(/\s*\.\s*/g, '.')
        .replace(/"/g, '');
      continue;
    }
    const assignment = /^("?[\w.-]+"?)\s*=\s*\[(.*)$/.exec(line);
    if (!assignment) continue;
    // A multi-line array: read on to its closing bracket (strings hold no brackets here in practice).
    let body = assignment[2]!;
    while (!closes(body) && index + 1 < lines.length) body += `\n${stripComment(lines[++index]!)}`;
    const entries: Entry[] = [];
    for (const match of body.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|\{\s*include-group\s*=\s*"([^"]+)"\s*\}/g)) {
      if (match[3] !== undefined) entries.push({ includeGroup: match[3] });
      else entries.push(match[1] ?? match[2] ?? '');
    }
    if (!tables.has(table)) tables.set(table, new Map());
    tables.get(table)!.set(assignment[1]!.replace(/"/g, ''), entries);
  }
  const strings = (entries: readonly Entry[] | undefined) => (entries ?? []).filter((entry): entry is string => typeof entry === 'string');
  const optional = tables.get('project.optional-dependencies') ?? new Map<string, Entry[]>();
  const extras = Object.fromEntries([...optional].map(([name, entries]) => [name, strings(entries)]));
  const rawGroups = tables.get('dependency-groups') ?? new Map<string, Entry[]>();
  // include-group entries expand in place; a group that includes itself, directly or not, stops there.
  const expand = (name: string, seen: Set<string>): string[] =>
    (rawGroups.get(name) ?? []).flatMap((entry) => {
      if (typeof entry === 'string') return [entry];
      return seen.has(entry.includeGroup) ? [] : expand(entry.includeGroup, new Set([...seen, entry.includeGroup]));
    });
  const groups = Object.fromEntries([...rawGroups.keys()].map((name) => [name, expand(name, new Set([name]))]));
  return { dependencies: strings(tables.get('project')?.get('dependencies')), extras, groups };
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote) {
      if (char === '\\' && quote === '"') index++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#') return line.slice(0, index);
  }
  return line;
}

function closes(body: string): boolean {
  let depth = 1;
  for (const char of body.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '')) {
    if (char === '[') depth++;
    else if (char === ']' && --depth === 0) return true;
  }
  return false;
}
