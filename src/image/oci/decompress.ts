// gzip through node:zlib; zstd through node:zlib where this Node has it (22.15+), else `zstd -dc`.
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ZstdUnavailableError } from './image-errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** By the first bytes, not the media type: registries and archives mislabel layers. */
export function sniffCompression(head: Buffer): Compression {
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip';
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

type ZstdZlib = { createZstdDecompress?: () => NodeJS.ReadWriteStream };

/** `input`, decompressed; an error in `input` or the decompressor comes out of the returned stream. */
export function decompressStream(input: Readable, compression: Compression): Readable {
  if (compression === 'none') return input;
  const createZstd = (zlib as unknown as ZstdZlib).createZstdDecompress;
  if (compression === 'zstd' && !createZstd) return spawnZstd(input);
  const decompressor = (compression === 'gzip' ? zlib.createGunzip() : (createZstd as () => NodeJS.ReadWriteStream)()) as unknown as Readable &
    NodeJS.WritableStream;
  input.on('error', (error) => decompressor.destroy(error));
  decompressor.on('close', () => input.destroy());
  return input.pipe(decompressor);
}

function spawnZstd(input: Readable): Readable {
  const output = new PassThrough();
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdoutEnded = false;
  let exitCode: number | null | undefined;
  const finish = () => {
    if (!stdoutEnded || exitCode === undefined) return;
    if (exitCode === 0) output.end();
    else output.destroy(new Error(`zstd -dc failed (exit ${exitCode}): ${stderr.trim() || 'no message'}`));
  };
  child.on('error', (error: NodeJS.ErrnoException) => {
    output.destroy(
      error.code === 'ENOENT'
        ? new ZstdUnavailableError(
            `this layer is zstd-compressed, and this Node (${process.version}) has no zstd in node:zlib and no \`zstd\` program was found`,
            {
              hint: 'install the zstd package (apt-get install zstd, dnf install zstd, apk add zstd), or use Node 22.15 or later',
              cause: error,
            },
          )
        : error,
    );
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('end', () => {
    stdoutEnded = true;
    finish();
  });
  child.on('exit', (code, signal) => {
    exitCode = code ?? (signal ? 128 : 1);
    finish();
  });
  child.stdout.pipe(output, { end: false });
  // zstd gone early (bad data): its stdin breaks; the exit code tells why.
  child.stdin.on('error', () => {});
  input.on('error', (error) => {
    output.destroy(error);
  });
  input.pipe(child.stdin);
  output.on('close', () => {
    input.destroy();
    if (exitCode === undefined) child.kill('SIGKILL');
  });
  return output;
}
