// `cubicle init` and a Compose file: the file Compose itself would pick (compose.yaml first), and
// which of its services cubicle can run today, found by translating each as `cubicle run` would.
import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '../config/compose/index.js';
import { readComposeFile } from '../config/compose/read.js';

/** Compose's own lookup order (the Compose specification, "Compose file"). */
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

export interface ComposeProposal {
  readonly file: string;
  /** Services cubicle can start; all of the file's (default selection) when `partial` is false. */
  readonly services: readonly string[];
  readonly partial: boolean;
  /** Why each other service was left out: its first problem. */
  readonly leftOut: readonly string[];
}

export function proposeCompose(dir: string): ComposeProposal | null {
  const file = COMPOSE_FILES.find((name) => fs.existsSync(path.join(dir, name)));
  if (!file) return null;
  const all = composeServices('compose', { file }, dir, {}, [], []);
  if (all) return { file, services: all.services.map((service) => service.name), partial: false, leftOut: [] };
  // One service at a time (with what it depends on): those that translate are proposed, the others named with why.
  const document = readComposeFile(dir, file, {}, 'compose');
  if ('problems' in document) return { file, services: [], partial: true, leftOut: [document.problems[0]!.replace(/^compose: /, '')] };
  const services: string[] = [];
  const leftOut: string[] = [];
  for (const name of Object.keys(document.services)) {
    const own: string[] = [];
    if (composeServices('compose', { file, services: [name] }, dir, {}, own, [])) services.push(name);
    else leftOut.push(own[0]!.replace(/^compose \([^)]*\) /, ''));
  }
  return { file, services, partial: true, leftOut };
}
