// The program a code config is evaluated by, inside its sandbox: `node --input-type=module -e
// SOURCE`. It imports the config (TypeScript: Node's own type stripping where it has it, else
// the typescript package through a module hook), awaits its default export (a value, a
// promise, or a function returning either), and prints it as JSON between the two markers.
import type { Markers } from './output.js';

export interface ProgramInput {
  readonly file: string;
  readonly markers: Markers;
  readonly lineChars: number;
  /** The runner's own typescript package (its main file), visible in the sandbox; null if none. */
  readonly runnerTypescript: string | null;
}

/** Asks for the typescript package in the envelope instead of a config. */
export const TYPESCRIPT_UNAVAILABLE = 'typescriptUnavailable';

/** A module hook (module.register) that compiles .ts/.mts/.cts with the typescript package. */
const TYPESCRIPT_HOOKS = `
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
let ts;
export function initialize(data) { ts = createRequire(data.typescript)(data.typescript); }
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !/\\.[cm]?ts$/.test(new URL(url).pathname)) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  return { format: 'module', source: ts.transpileModule(source, { fileName, compilerOptions }).outputText, shortCircuit: true };
}
`;

export function evaluatorSource(input: ProgramInput): string {
  return `
import { createRequire, register } from 'node:module';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const input = ${JSON.stringify(input)};
const isTypeScript = /\\.[cm]?ts$/.test(input.file);
const url = pathToFileURL(input.file).href;

function report(envelope) {
  // ASCII only: the runner reads lines as chunks of UTF-8 and must not see a character split.
  const json = JSON.stringify(envelope).replace(/[\\u007f-\\uffff]/g, (c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  const lines = ['', input.markers.start];
  for (let at = 0; at < json.length; at += input.lineChars) lines.push(json.slice(at, at + input.lineChars));
  lines.push(input.markers.end, '');
  process.stdout.write(lines.join('\\n'), () => process.exit(0));
}

function findTypeScript() {
  try {
    return createRequire(input.file).resolve('typescript');
  } catch {
    return input.runnerTypescript && existsSync(input.runnerTypescript) ? input.runnerTypescript : null;
  }
}

async function importConfig() {
  if (!isTypeScript || process.features.typescript) {
    try {
      return { module: await import(url) };
    } catch (error) {
      if (!isTypeScript || error?.code !== 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') throw error;
    }
  }
  const typescript = findTypeScript();
  if (!typescript) return { typescriptUnavailable: true };
  register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(TYPESCRIPT_HOOKS)}), { data: { typescript } });
  return { module: await import(url + '?compiled') };
}

try {
  const imported = await importConfig();
  if (imported.typescriptUnavailable) {
    report({ ${TYPESCRIPT_UNAVAILABLE}: true });
  } else {
    const exported = imported.module.default;
    report({ config: await (typeof exported === 'function' ? exported() : exported) });
  }
} catch (error) {
  process.stderr.write(String(error?.stack ?? error) + '\\n', () => process.exit(1));
}
`;
}
