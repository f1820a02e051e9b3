// Compose's own variable interpolation, applied as Compose applies it: to every string value of
// the file (never to keys), before the schema sees it. Values come from the job's `env:` over the
// `.env` file beside the compose file, never from the runner's environment (where CI keeps its secrets).
// Supported: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message},
// ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.

export interface Interpolation {
  readonly value: unknown;
  /** Variables used but not set: Compose warns and uses an empty string. */
  readonly unset: readonly string[];
  readonly problems: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(document: unknown, variables: Readonly<Record<string, string>>): Interpolation {
  const unset = new Set<string>();
  const problems: string[] = [];
  const walk = (value: unknown, at: string): unknown => {
    if (typeof value === 'string') return interpolateString(value, variables, at, unset, problems);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, `${at}.${index}`));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, at ? `${at}.${key}` : key)]));
    return value;
  };
  const value = walk(document, '');
  return { value, unset: [...unset], problems };
}

export function interpolateString(text: string, variables: Readonly<Record<string, string>>, at: string, unset: Set<string>, problems: string[]): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar < 0) return out + text.slice(index);
    out += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      index = dollar + 2;
    } else if (next === '{') {
      const close = matchingBrace(text, dollar + 2);
      if (close < 0) {
        problems.push(`${at}: an unclosed \${ in ${JSON.stringify(text)}`);
        return out + text.slice(dollar);
      }
      out += expand(text.slice(dollar + 2, close), variables, at, unset, problems);
      index = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (!name) {
        problems.push(`${at}: a lone $ in ${JSON.stringify(text)}; write $$ for a literal $`);
        return out + text.slice(dollar);
      }
      out += lookUp(name, variables, unset);
      index = dollar + 1 + name.length;
    }
  }
  return out;
}

/** The } closing a ${ at `start`, nested ${...} in a default counted. */
function matchingBrace(text: string, start: number): number {
  let depth = 1;
  for (let index = start; index < text.length; index++) {
    if (text[index] === '{' && text[index - 1] === '$') depth++;
    else if (text[index] === '}' && --depth === 0) return index;
  }
  return -1;
}

function lookUp(name: string, variables: Readonly<Record<string, string>>, unset: Set<string>): string {
  const value = variables[name];
  if (value === undefined) unset.add(name);
  return value ?? '';
}

function expand(body: string, variables: Readonly<Record<string, string>>, at: string, unset: Set<string>, problems: string[]): string {
  const name = NAME.exec(body)?.[0];
  if (!name) {
    problems.push(`\${${body}} at ${at}: expected a variable name`);
    return '';
  }
  const rest = body.slice(name.length);
  if (rest === '') return lookUp(name, variables, unset);
  const operator = /^(:?[-?+])/.exec(rest)?.[1];
  if (!operator) {
    problems.push(`${at}: \${${body}} is not a form Compose supports (\${VAR}, \${VAR:-default}, \${VAR:?message}, \${VAR:+alt})`);
    return '';
  }
  const word = interpolateString(rest.slice(operator.length), variables, at, unset, problems);
  const value = variables[name];
  const missing = operator.startsWith(':') ? !value : value === undefined;
  switch (operator.replace(':', '')) {
    case '-':
      return missing ? word : value!;
    case '+':
      return missing ? '' : word;
    default:
      if (missing)
        problems.push(`${at}: required variable ${name} is ${value === undefined ? 'not set' : 'empty'}: ${word || '(no message)'}; set it in the job's env:`);
      return value ?? '';
  }
}
