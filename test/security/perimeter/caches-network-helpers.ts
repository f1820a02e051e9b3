// Helpers for the class 5 and 8 attempts (caches-network.test.ts): a secret served on the host's
// loopback and on an abstract unix socket, a look through every file of the layer store, and an
// exported layer archive unpacked, tampered with and packed again as its writer would have.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { IS_ROOT } from '../../helpers/host.js';

export function token(): string {
  return randomBytes(6).toString('hex');
}

/** A server that hands `secret` to whoever connects; `connections` counts them. */
export interface SecretServer {
  readonly address: string;
  connections: number;
  close(): Promise<void>;
}

async function serve(listen: (server: net.Server) => Promise<string>, secret: string): Promise<SecretServer> {
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections += 1;
    socket.end(`${secret}\n`);
  });
  const address = await listen(server);
  return {
    address,
    get connections() {
      return state.connections;
    },
    set connections(value: number) {
      state.connections = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** TCP on the host's 127.0.0.1; `address` is the port. */
export function loopbackServer(secret: string): Promise<SecretServer> {
  return serve((server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(String((server.address() as net.AddressInfo).port)))), secret);
}

/** An abstract unix socket (no file: only the network namespace scopes it); `address` is its name without the NUL. */
export function abstractServer(secret: string): Promise<SecretServer> {
  const name = `cubicle-perimeter-${token()}`;
  return serve((server) => new Promise((resolve) => server.listen(`\0${name}`, () => resolve(name))), secret);
}

/** A shell line that prints what the abstract socket NAME says (python3 of the host, as a job's tool); node binds the whole 108-byte sun_path. */
export function readAbstractSocket(name: string): string {
  return `/usr/bin/python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(b'\\\\0${name}'.ljust(108, b'\\\\0')); print(s.recv(200).decode())"`;
}

/** Files under `dir` (not following symlinks) whose bytes contain `needle`, relative to it. */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  if (!fs.existsSync(dir)) return found;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile() && fs.statSync(full).size < 1 << 20 && fs.readFileSync(full).includes(needle)) found.push(path.relative(dir, full));
    }
  }
  return found;
}

/** Every entry under `dir` with its type and size: two listings are equal when nothing was added, removed or changed in size. */
export function treeListing(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const lines: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const stat = fs.lstatSync(full);
      lines.push(`${path.relative(dir, full)} ${entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : 'f'} ${entry.isDirectory() ? '' : stat.size}`);
      if (entry.isDirectory()) stack.push(full);
    }
  }
  return lines.sort();
}

/**
 * `archive` unpacked, changed by `tamper` (given the unpacked dir and the one layer's id), and packed
 * to a new file with the same owners (as root of a user namespace when we are not root, like export).
 */
export async function tamperedArchive(archive: string, tamper: (dir: string, id: string) => void): Promise<string> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cubicle-tamper-'));
  const dir = path.join(work, 'x');
  fs.mkdirSync(dir);
  const wrap = (script: string) => (IS_ROOT ? ['sh', '-c', script] : ['unshare', '-r', 'sh', '-c', script]);
  const extract = wrap(`zstd -q -dc "$0" | tar --extract --file=- --directory="$1" --numeric-owner --same-owner --xattrs`);
  const unpacked = await execa(extract[0]!, [...extract.slice(1), archive, dir], { reject: false });
  if (unpacked.exitCode !== 0) throw new Error(`unpacking ${archive}: ${unpacked.stderr}`);
  const [id] = fs.readdirSync(path.join(dir, 'layers'));
  tamper(dir, id!);
  const out = path.join(work, 'tampered.tar.zst');
  const pack = wrap(`tar --create --file=- --directory="$0" --numeric-owner --xattrs $(ls "$0") | zstd -q -o "$1"`);
  const packed = await execa(pack[0]!, [...pack.slice(1), dir, out], { reject: false });
  if (packed.exitCode !== 0) throw new Error(`packing ${out}: ${packed.stderr}`);
  return out;
}

/** Rewrites a layer's meta.json through `change` (as its owner: in a user namespace when not root). */
export function editMeta(dir: string, id: string, change: (meta: Record<string, unknown>) => void): void {
  const file = path.join(dir, 'layers', id, 'meta.json');
  const meta = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(meta);
  fs.writeFileSync(file, JSON.stringify(meta, null, 2));
}
