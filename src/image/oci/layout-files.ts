// The files of an OCI layout or a docker-archive, wherever they are: a directory, or a tar read
// in place (a compressed tar is decompressed once into a scratch file first).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openFileBeneath, readFileBeneath } from '../../confine/index.js';
import { ImageNotFoundError, NOTHING_STORED } from './image-errors.js';
import { decompressStream, sniffCompression } from './decompress.js';
import { indexTar, normalizeTarName } from './tar-index.js';

export interface LayoutFiles {
  /** `oci:/srv/layout`, `oci-archive:/tmp/x.tar`: for messages. */
  readonly where: string;
  /** The file's bytes, or undefined when there is no such file. */
  read(name: string): Promise<Buffer | undefined>;
  size(name: string): Promise<number | undefined>;
  /** The file from byte `start` on. */
  open(name: string, start: number): Readable;
  names(): Promise<string[]>;
  close(): Promise<void>;
}

function notFound(where: string, what: string, cause?: unknown): ImageNotFoundError {
  return new ImageNotFoundError(`image not found: ${where}: ${what}; ${NOTHING_STORED}`, {
    hint: 'check the path and the transport (oci:DIR, oci-archive:FILE, docker-archive:FILE)',
    cause,
  });
}

export async function openDirFiles(dir: string, where: string): Promise<LayoutFiles> {
  const stat = await fsp.stat(dir).catch((error: unknown) => {
    throw notFound(where, `${dir} does not exist`, error);
  });
  if (!stat.isDirectory()) throw notFound(where, `${dir} is not a directory (for a tar, use oci-archive:${dir})`);
  // A layout may come with the checkout: its files are opened beneath it, following no symlink
  // (a blob or index.json linked to ~/.ssh/id_rsa is "no such file", never read).
  const openFile = (name: string) => openFileBeneath(dir, normalizeTarName(name), 'nothing was read');
  const sizeOf = (name: string) => {
    const fd = openFile(name);
    try {
      return fs.fstatSync(fd).size;
    } finally {
      fs.closeSync(fd);
    }
  };
  return {
    where,
    read: async (name) => {
      try {
        return readFileBeneath(dir, normalizeTarName(name));
      } catch {
        return undefined;
      }
    },
    size: async (name) => {
      try {
        return sizeOf(name);
      } catch {
        return undefined;
      }
    },
    open: (name, start) => {
      try {
        return fs.createReadStream('', { fd: openFile(name), start });
      } catch (error) {
        return new Readable({ read() {}, construct: (callback) => callback(error as Error) });
      }
    },
    names: async () => (await fsp.readdir(dir, { recursive: true })).map(String),
    close: async () => {},
  };
}

/** Blobs are read straight out of the tar; `scratchDir` holds the one decompressed copy of a compressed tar. */
export async function openTarFiles(file: string, where: string, scratchDir: string): Promise<LayoutFiles> {
  const head = Buffer.alloc(4);
  const handle = await fsp.open(file, 'r').catch((error: unknown) => {
    throw notFound(where, `${file} does not exist or cannot be read`, error);
  });
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const compression = sniffCompression(head);
  let tarPath = file;
  if (compression !== 'none') {
    await fsp.mkdir(scratchDir, { recursive: true });
    tarPath = path.join(scratchDir, `.tmp-archive-${randomBytes(8).toString('hex')}.tar`);
    try {
      await pipeline(decompressStream(fs.createReadStream(file), compression), fs.createWriteStream(tarPath));
    } catch (error) {
      await fsp.rm(tarPath, { force: true });
      throw error;
    }
  }
  const removeScratch = async () => {
    if (tarPath !== file) await fsp.rm(tarPath, { force: true });
  };
  const entries = await indexTar(tarPath).catch(async (error: unknown) => {
    await removeScratch();
    throw error;
  });
  return {
    where,
    async read(name) {
      const entry = entries.get(normalizeTarName(name));
      if (!entry) return undefined;
      const data = Buffer.alloc(entry.size);
      const reader = await fsp.open(tarPath, 'r');
      try {
        await reader.read(data, 0, entry.size, entry.offset);
      } finally {
        await reader.close();
      }
      return data;
    },
    size: async (name) => entries.get(normalizeTarName(name))?.size,
    open(name, start) {
      const entry = entries.get(normalizeTarName(name));
      if (!entry) throw notFound(where, `${name} is missing from the archive`);
      if (start >= entry.size) return Readable.from([]);
      return fs.createReadStream(tarPath, { start: entry.offset + start, end: entry.offset + entry.size - 1 });
    },
    names: async () => [...entries.keys()],
    close: removeScratch,
  };
}
