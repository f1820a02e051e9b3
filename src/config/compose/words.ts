// Compose's string forms, read as Compose reads them: a `command:` or `entrypoint:` string is
// split into words like a shell would (quotes, backslashes), but never run by a shell; an
// `env_file` is KEY=VALUE lines.

/** Shell-like word splitting (no expansion, no globbing); null when a quote is left open. */
export function splitWords(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && index + 1 < text.length && '"\\$`'.includes(text[index + 1]!)) word += text[++index];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\' && index + 1 < text.length) {
      word += text[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) return null;
  if (inWord) words.push(word);
  return words;
}

/** An env_file's variables: KEY=VALUE lines, `#` comments, blank lines, values optionally quoted. */
export function parseEnvFile(text: string): { variables: Record<string, string>; problems: string[] } {
  const variables: Record<string, string> = {};
  const problems: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      problems.push(`line ${index + 1}: expected KEY=VALUE`);
      continue;
    }
    let value = match[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : quoted[2]!;
    else value = value.replace(/\s+#.*$/, '');
    variables[match[1]!] = value;
  }
  return { variables, problems };
}
