// Looking into a blobs dir from the tests.
import fs from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { tempDirs } from '../helpers/temp.js';

const dirs = tempDirs('cubicle-blobs');
export const makeBlobsDir = dirs.make;
export const removeBlobsDirs = dirs.removeAll;

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((name) => fs.statSync(path.join(dir, name)).isFile()).sort();
}

/** Anything that is not a finished blob (sha256/<64 hex>). */
export function leftovers(dir: string): string[] {
  return listFiles(dir).filter((name) => !/^sha256\/[a-f0-9]{64}$/.test(name));
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; hint?: string };
  }
  throw new Error('expected a failure, but it succeeded');
}

export { text };
