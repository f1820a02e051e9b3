// Docker's word processing of an instruction's arguments (moby/buildkit frontend/dockerfile/shell/lex.go):
// quotes, backslash escapes and $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:+x}, ${VAR+x}, ${VAR:?msg}
// substituted from the build's ARG and ENV values. RUN is not processed here: its shell does it.

export type Variables = ReadonlyMap<string, string>;

export class SubstitutionError extends Error {}

/** One word, quotes removed, variables substituted (ENV and ARG values, WORKDIR, USER). */
export function expandWord(text: string, vars: Variables, escapeChar = '\\'): string {
  return new Lexer(text, vars, escapeChar).run(false).join('');
}

/** Whitespace-separated words (COPY sources, FROM), each processed like expandWord; empty unquoted words dropped. */
export function expandWords(text: string, vars: Variables, escapeChar = '\\'): string[] {
  return new Lexer(text, vars, escapeChar).run(true);
}

class Lexer {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly vars: Variables,
    private readonly escapeChar: string,
  ) {}

  run(split: boolean): string[] {
    const words: string[] = [];
    let word = '';
    let quoted = false;
    while (this.position < this.text.length) {
      const char = this.text[this.position]!;
      if (split && /\s/.test(char)) {
        this.position += 1;
        if (word !== '' || quoted) words.push(word);
        word = '';
        quoted = false;
      } else if (char === "'") {
        quoted = true;
        word += this.singleQuoted();
      } else if (char === '"') {
        quoted = true;
        word += this.doubleQuoted();
      } else if (char === '$') {
        word += this.variable();
      } else if (char === this.escapeChar) {
        this.position += 1;
        if (this.position < this.text.length) word += this.text[this.position++];
      } else {
        word += char;
        this.position += 1;
      }
    }
    if (word !== '' || quoted || !split) words.push(word);
    return words;
  }

  private singleQuoted(): string {
    const end = this.text.indexOf("'", this.position + 1);
    if (end < 0) throw new SubstitutionError(`unmatched ' in ${this.text}`);
    const value = this.text.slice(this.position + 1, end);
    this.position = end + 1;
    return value;
  }

  private doubleQuoted(): string {
    this.position += 1;
    let value = '';
    while (this.position < this.text.length) {
      const char = this.text[this.position]!;
      if (char === '"') {
        this.position += 1;
        return value;
      }
      if (char === '$') value += this.variable();
      else if (char === this.escapeChar && /["$`\\]/.test(this.text[this.position + 1] ?? '')) {
        value += this.text[this.position + 1];
        this.position += 2;
      } else {
        value += char;
        this.position += 1;
      }
    }
    throw new SubstitutionError(`unmatched " in ${this.text}`);
  }

  private variable(): string {
    this.position += 1;
    const rest = this.text.slice(this.position);
    const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (plain) {
      this.position += plain[0].length;
      return this.vars.get(plain[0]) ?? '';
    }
    if (!rest.startsWith('{')) return '$';
    const name = /^\{([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (!name) throw new SubstitutionError(`bad substitution in ${this.text}`);
    this.position += name[0].length;
    const value = this.vars.get(name[1]!);
    if (this.text[this.position] === '}') {
      this.position += 1;
      return value ?? '';
    }
    const modifier = /^(:?[-+?])/.exec(this.text.slice(this.position));
    if (!modifier) throw new SubstitutionError(`unsupported modifier in \${${name[1]}...} of ${this.text}`);
    this.position += modifier[0].length;
    const word = this.nestedWord();
    const unset = modifier[0].startsWith(':') ? value === undefined || value === '' : value === undefined;
    switch (modifier[0].replace(':', '')) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      default:
        if (unset) throw new SubstitutionError(`${name[1]}: ${word || 'is not set'}`);
        return value!;
    }
  }

  /** The word of ${VAR:-word}, itself processed, up to the matching }. */
  private nestedWord(): string {
    let value = '';
    while (this.position < this.text.length) {
      const char = this.text[this.position]!;
      if (char === '}') {
        this.position += 1;
        return value;
      }
      if (char === '$') value += this.variable();
      else if (char === "'") value += this.singleQuoted();
      else if (char === '"') value += this.doubleQuoted();
      else if (char === this.escapeChar) {
        value += this.text[this.position + 1] ?? '';
        this.position += 2;
      } else {
        value += char;
        this.position += 1;
      }
    }
    throw new SubstitutionError(`missing } in ${this.text}`);
  }
}
