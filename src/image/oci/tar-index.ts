// Where each file of a tar starts and how long it is, read from the headers alone, so an
// archive's blobs can be streamed straight out of it (no extraction). ustar, pax and GNU long names.
import fs from 'node:fs/promises';
import { InvalidImageError, NOTHING_STORED } from './image-errors.js';

export interface TarEntry {
  readonly name: string;
  /** Byte offset of the file's data in the tar. */
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;

function readString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Octal, or base-256 with the high bit set (GNU, for files over 8 GiB). */
function readSize(block: Buffer): number {
  const field = block.subarray(124, 136);
  if ((field[0] ?? 0) & 0x80) return field.subarray(1).reduce((sum, byte) => sum * 256 + byte, (field[0] ?? 0) & 0x7f);
  return parseInt(readString(block, 124, 12).trim() || '0', 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    const length = parseInt(data.subarray(position, space).toString('utf8'), 10);
    if (space === -1 || !(length > 0)) break;
    const record = data.subarray(space + 1, position + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    records[record.slice(0, equals)] = record.slice(equals + 1);
    position += length;
  }
  return records;
}

export function normalizeTarName(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

/** Regular files (and hard links to them) by normalized name. */
export async function indexTar(file: string): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const handle = await fs.open(file, 'r');
  const fail = (why: string) =>
    new InvalidImageError(`${file} is not a readable tar archive: ${why}; ${NOTHING_STORED}`, {
      hint: 'write the archive again (skopeo copy ... oci-archive:FILE, docker save -o FILE)',
    });
  try {
    const { size: fileSize } = await handle.stat();
    const block = Buffer.alloc(BLOCK);
    let position = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    const readData = async (offset: number, size: number) => {
      const data = Buffer.alloc(size);
      await handle.read(data, 0, size, offset);
      return data;
    };
    while (position + BLOCK <= fileSize) {
      await handle.read(block, 0, BLOCK, position);
      if (block.every((byte) => byte === 0)) break;
      if (!block.subarray(257, 262).toString('latin1').startsWith('ustar') && !/^[0-7 \0]+$/.test(block.subarray(124, 136).toString('latin1')))
        throw fail(`bad header at byte ${position}`);
      const type = String.fromCharCode(block[156] ?? 0);
      const size = pax.size ? Number(pax.size) : readSize(block);
      const dataOffset = position + BLOCK;
      if (dataOffset + size > fileSize) throw fail(`it ends inside a file (truncated at byte ${fileSize})`);
      position = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L') {
        longName = readString(await readData(dataOffset, size), 0, size);
        continue;
      }
      if (type === 'x') {
        pax = parsePax(await readData(dataOffset, size));
        continue;
      }
      if (type === 'g' || type === 'K') continue;
      const prefix = block.subarray(257, 262).toString('latin1') === 'ustar' ? readString(block, 345, 155) : '';
      const name = normalizeTarName(pax.path ?? longName ?? (prefix ? `${prefix}/${readString(block, 0, 100)}` : readString(block, 0, 100)));
      longName = undefined;
      pax = {};
      if (type === '0' || type === '\0' || type === '7') entries.set(name, { name, offset: dataOffset, size });
      else if (type === '1') {
        const target = entries.get(normalizeTarName(readString(block, 157, 100)));
        if (target) entries.set(name, { ...target, name });
      }
    }
    return entries;
  } finally {
    await handle.close();
  }
}
