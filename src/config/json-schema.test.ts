// The shipped JSON Schema: the committed file is what the zod schema generates (it cannot go
// stale), and a real consumer (ajv, draft 2020-12, what editors implement) accepts every example
// and every config `cubicle init` writes, and refuses a typo'd key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { proposeJobs, renderConfig } from '../cli/init.js';
import { configJsonSchema, configJsonSchemaText, SCHEMA_COMMENT, SCHEMA_FILE } from './json-schema.js';

const repo = path.resolve(import.meta.dirname, '../..');
const roots: string[] = [];
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-schema-'));
  roots.push(dir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
  JSON.parse(fs.readFileSync(path.join(repo, SCHEMA_FILE), 'utf8')),
);
const errorsOf = (config: unknown) =>
  validate(config) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);

describe('the config JSON Schema', () => {
  it(`${SCHEMA_FILE} is what the zod schema generates (rebuild with \`npm run build:ts\` and commit it)`, () => {
    expect(fs.readFileSync(path.join(repo, SCHEMA_FILE), 'utf8')).toBe(configJsonSchemaText());
    expect(configJsonSchema().$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('is shipped, and `cubicle init` points at it as its first line, relative to the config beside node_modules', () => {
    expect(packageJson.files).toContain('schema/');
    expect(SCHEMA_COMMENT).toBe(`# yaml-language-server: $schema=node_modules/cubicle/${SCHEMA_FILE}`);
    expect(renderConfig(proposeJobs(dirWith({ 'package.json': '{"scripts":{"test":"vitest run"}}' }))).split('\n')[0]).toBe(SCHEMA_COMMENT);
  });

  it('accepts every example config and every config init writes', () => {
    const examples = fs.readdirSync(path.join(repo, 'examples'), { recursive: true, encoding: 'utf8' }).filter((file) => /cubicle\.config\.ya?ml$/.test(file));
    expect(examples.length).toBeGreaterThan(0);
    for (const file of examples) expect(errorsOf(load(fs.readFileSync(path.join(repo, 'examples', file), 'utf8'))), file).toEqual([]);
    const projects: Record<string, string>[] = [
      { 'package.json': '{"scripts":{"test":"vitest run"}}', 'package-lock.json': '{}' },
      { 'package.json': '{"scripts":{"test":"jest"}}', 'pnpm-lock.yaml': '' },
      { 'pyproject.toml': '[project]\nname = "x"\n', 'requirements.txt': 'pytest\n' },
      { 'go.mod': 'module x\n' },
      { Makefile: 'check:\n\ttrue\n' },
      { 'Cargo.toml': '[package]\nname = "x"\n' },
      {},
    ];
    let validated = 0;
    for (const files of projects) {
      const text = renderConfig(proposeJobs(dirWith(files)));
      // init writes a config with no job when it finds nothing: commented out, not for the schema to judge.
      const config = load(text) as { jobs?: unknown } | undefined;
      if (config?.jobs === undefined || config.jobs === null) continue;
      expect(errorsOf(config), text).toEqual([]);
      validated++;
    }
    expect(validated).toBeGreaterThanOrEqual(5);
  });

  it("refuses a typo'd key at every level, and a value of the wrong kind", () => {
    expect(errorsOf({ jobs: { unit: { run: 'npm test' } } })).toEqual([]);
    expect(errorsOf({ jobs: { unit: { run: 'npm test', memroy: '1g' } } }).join('\n')).toMatch(/must NOT have additional properties.*memroy/);
    expect(errorsOf({ jobs: { unit: { run: 'x', setup: [{ run: 'npm ci', input: ['package.json'] }] } } }).join('\n')).toMatch(/setup\/0 .*"input"/);
    expect(errorsOf({ jobs: { unit: { run: 'x', services: { db: { run: 'x', helth: {} } } } } }).join('\n')).toMatch(/services\/db .*"helth"/);
    expect(errorsOf({ jobs: { unit: { run: 'x', network: 'internet' } } }).join('\n')).toMatch(/network must be equal to one of the allowed values/);
    expect(errorsOf({ defaults: { pids: 0 }, jobs: {} }).join('\n')).toMatch(/pids must be > 0/);
  });
});
