// A stand-in for GitHub's cache service (the v1 API @actions/cache speaks when ACTIONS_CACHE_URL
// is set): entries by key and version, restore by exact key then newest prefix, reserve, chunked
// upload, commit. Enough to run the action's restore and save for real, on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Entry {
  key: string;
  version: string;
  chunks: { start: number; data: Buffer }[];
  data?: Buffer;
  created: number;
}

export interface FakeCache {
  /** For ACTIONS_CACHE_URL. */
  readonly url: string;
  /** Committed entries' keys, oldest first. */
  keys(): string[];
  /** What the requests carried as bearer tokens (the runtime token, never anything else). */
  readonly tokens: Set<string>;
  /** Answer every request with this status from now on (a broken service). */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

export async function startFakeCache(): Promise<FakeCache> {
  const entries: Entry[] = [];
  const tokens = new Set<string>();
  let failure: number | undefined;
  let clock = 0;
  const server = http.createServer((request, response) => {
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      tokens.add(request.headers.authorization ?? '');
      const url = new URL(request.url ?? '/', 'http://localhost');
      const json = (status: number, value?: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(value === undefined ? undefined : JSON.stringify(value));
      };
      if (failure) return json(failure, { message: 'the fake cache service is down' });
      const resource = url.pathname.replace(/^\/_apis\/artifactcache\//, '');
      if (request.method === 'GET' && resource === 'cache') {
        const keys = (url.searchParams.get('keys') ?? '').split(',');
        const version = url.searchParams.get('version');
        const committed = entries.filter((entry) => entry.data && entry.version === version).sort((a, b) => b.created - a.created);
        const hit = committed.find((entry) => entry.key === keys[0]) ?? keys.map((key) => committed.find((entry) => entry.key.startsWith(key))).find(Boolean);
        if (!hit) return json(204);
        return json(200, { cacheKey: hit.key, archiveLocation: `${address()}/download/${entries.indexOf(hit)}` });
      }
      if (request.method === 'GET' && url.pathname.startsWith('/download/')) {
        const entry = entries[Number(url.pathname.slice('/download/'.length))];
        if (!entry?.data) return json(404);
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.data.length });
        return response.end(entry.data);
      }
      if (request.method === 'POST' && resource === 'caches') {
        const { key, version } = JSON.parse(Buffer.concat(body).toString('utf8')) as { key: string; version: string };
        if (entries.some((entry) => entry.key === key && entry.version === version)) return json(409, { message: `Cache already exists: ${key}` });
        entries.push({ key, version, chunks: [], created: clock++ });
        return json(201, { cacheId: entries.length });
      }
      const id = /^caches\/(\d+)$/.exec(resource);
      const entry = id ? entries[Number(id[1]) - 1] : undefined;
      if (entry && request.method === 'PATCH') {
        const start = Number(/^bytes (\d+)-/.exec(request.headers['content-range'] ?? '')?.[1] ?? 0);
        entry.chunks.push({ start, data: Buffer.concat(body) });
        return json(204);
      }
      if (entry && request.method === 'POST') {
        entry.data = Buffer.concat(entry.chunks.sort((a, b) => a.start - b.start).map((chunk) => chunk.data));
        entry.created = clock++;
        return json(204);
      }
      return json(404, { message: `no such resource: ${request.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${address()}/`,
    keys: () =>
      entries
        .filter((entry) => entry.data)
        .sort((a, b) => a.created - b.created)
        .map((entry) => entry.key),
    tokens,
    failWith: (status) => void (failure = status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
