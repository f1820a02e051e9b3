// services: a real PostgreSQL and a real Redis (Debian's binaries) next to a job, in its
// network namespace; an unhealthy service; network: outbound through slirp4netns.
import { execaSync } from 'execa';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { nonLoopbackAddress } from '../image/registry.js';
import { processesWith } from '../helpers/processes.js';
import { jobOf, makeProject, outputOf, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

/** Starts `server` on a free port of `host`; the port. */
async function listen(server: net.Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as net.AddressInfo).port;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';
const have = (tool: string) => execaSync('sh', ['-c', `command -v ${tool}`], { reject: false }).exitCode === 0;
const hasServices = fs.existsSync(`${PG_BIN}/postgres`) && have('redis-server') && have('psql');
const ci = process.env.CI === 'true';
if (!hasServices && !ci) console.log('skipped: services (needs postgresql and redis-server: apt-get install postgresql redis-server)');
const tunUsable = (() => {
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
})();
const outboundReady = have('slirp4netns') && tunUsable;
if (!outboundReady)
  console.log(
    `skipped: network: outbound (${!have('slirp4netns') ? 'needs slirp4netns: apt-get install slirp4netns' : '/dev/net/tun is not open to this user here (mode 0600)'})`,
  );

describe.runIf(hasServices || ci)('services', () => {
  it('starts PostgreSQL and Redis, healthy, on the job loopback; leaves nothing behind', async () => {
    const project = makeProject(`
jobs:
  db:
    services:
      pg:
        user: "1000:1000"
        setup:
          - run: mkdir -m 1777 -p /srv/pg
            network: none
        run: ${PG_BIN}/initdb -D /srv/pg/data -U postgres --auth=trust >/dev/null && exec ${PG_BIN}/postgres -D /srv/pg/data -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c cubicle.marker=svc-marker-pg
        # The socket in the service's own /tmp: the check runs inside the service (docker exec).
        health: { command: "${PG_BIN}/pg_isready -h /tmp", interval: 300ms, retries: 100 }
      cache:
        run: exec redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no
        health: { command: "redis-cli -h 127.0.0.1 ping | grep -q PONG", interval: 200ms, retries: 100 }
        needs: [pg]
    run: psql -h 127.0.0.1 -U postgres -tAc 'select 40 + 2' && redis-cli -h 127.0.0.1 set k redis-ok >/dev/null && redis-cli -h 127.0.0.1 get k
`);
    const result = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const out = outputOf(result.stdout, 'db');
    expect(out).toContain('42');
    expect(out).toContain('redis-ok');
    expect(out.indexOf('[service pg] healthy')).toBeLessThan(out.indexOf('[service cache] started'));
    expect(fs.readFileSync(project.file('cubicle-artifacts/db/services/pg.log'), 'utf8')).toContain('database system is ready to accept connections');
    expect(processesWith('svc-marker-pg')).toEqual([]);
    expect(processesWith('redis-server --port 6379')).toEqual([]);
  }, 150_000);

  it('runs a health check inside the service, as docker exec does: its /tmp, its user, its processes, no capabilities', async () => {
    const project = makeProject(`
jobs:
  inside:
    services:
      app:
        user: "1000:1000"
        run: sleep 0.5; echo up > /tmp/ready; exec sleep 1000 # svc-marker-inside
        health:
          command: test -f /tmp/ready && test "$(id -u)" = 1000 && grep -q svc-marker-inside /proc/*/cmdline && grep -q 'CapEff:.0000000000000000' /proc/self/status
          interval: 100ms
          retries: 100
    run: test ! -e /tmp/ready && echo job-has-its-own-tmp
`);
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const out = outputOf(result.stdout, 'inside');
    expect(out).toContain('[service app] healthy');
    expect(out).toContain('job-has-its-own-tmp');
    expect(processesWith('svc-marker-inside')).toEqual([]);
  }, 60_000);

  it('fails the job, naming the service, when its health check never passes', async () => {
    const project = makeProject(`
jobs:
  sick:
    services:
      broken:
        run: sleep 1000 # svc-marker-broken
        health: { command: "exit 1", interval: 100ms, retries: 5 }
    run: echo never
`);
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    const job = jobOf(project, 'sick');
    expect(job.status).toBe('error');
    expect(job.message).toContain('service "broken" is unhealthy: its health check `exit 1` failed 5 times');
    expect(outputOf(result.stdout, 'sick')).not.toContain('never');
    expect(processesWith('svc-marker-broken')).toEqual([]);
  }, 60_000);

  it('keeps a service off the host loopback: network none jobs see only their own', async () => {
    const server = net.createServer((socket) => socket.end('host\n'));
    const port = await listen(server, '127.0.0.1');
    try {
      const project = makeProject(`
jobs:
  isolated:
    services:
      echo:
        run: exec busybox nc -ll -p 7000 -e /bin/echo service
        health: { command: "busybox netstat -ltn | grep -q ':7000 '", interval: 100ms, retries: 50 }
    run: busybox nc 127.0.0.1 7000 </dev/null; busybox nc -w 1 127.0.0.1 ${port} </dev/null || echo host-unreachable
`);
      const result = await project.cubicle(['run']);
      const out = outputOf(result.stdout, 'isolated');
      expect(out).toContain('service');
      expect(out).toContain('host-unreachable');
    } finally {
      server.close();
    }
  }, 60_000);
});

describe.runIf(outboundReady || (ci && process.getuid?.() === 0))('network: outbound', () => {
  it('reaches a server on a non-loopback host address, which network: none cannot', async () => {
    const address = nonLoopbackAddress();
    expect(address, 'a non-loopback IPv4 address').toBeDefined();
    const server = net.createServer((socket) => socket.end('reached\n'));
    const port = await listen(server, address!);
    try {
      const project = makeProject(`
jobs:
  out:
    network: outbound
    run: busybox nc -w 3 ${address} ${port} </dev/null; grep nameserver /etc/resolv.conf
  none:
    run: busybox nc -w 1 ${address} ${port} </dev/null || echo unreachable
`);
      const result = await project.cubicle(['run']);
      expect(outputOf(result.stdout, 'out')).toEqual(expect.arrayContaining(['reached', 'nameserver 10.0.2.3']));
      expect(outputOf(result.stdout, 'none')).toContain('unreachable');
      expect(processesWith('slirp4netns')).toEqual([]);
    } finally {
      server.close();
    }
  }, 60_000);

  it('gives a setup step the same way out: it downloads into its layer, and the next run reuses the layer', async () => {
    const address = nonLoopbackAddress();
    expect(address, 'a non-loopback IPv4 address').toBeDefined();
    let served = 0;
    const server = net.createServer((socket) => {
      served += 1;
      socket.end('downloaded\n');
    });
    const port = await listen(server, address!);
    // The host's loopback, which `network: host` (a step's default) would reach and outbound must not.
    const loopback = net.createServer((socket) => socket.end('host loopback\n'));
    const loopbackPort = await listen(loopback, '127.0.0.1');
    try {
      const project = makeProject(`
jobs:
  fetched:
    setup:
      - run: busybox nc -w 3 ${address} ${port} </dev/null > "$HOME/fetched.txt" && grep -q 'nameserver 10.0.2.3' /etc/resolv.conf && ! busybox nc -w 1 127.0.0.1 ${loopbackPort} </dev/null
        network: outbound
    run: cat "$HOME/fetched.txt"
`);
      for (const round of [1, 2]) {
        const result = await project.cubicle(['run', '--json', 'results.json']);
        expect(result.exitCode, `round ${round}: ${result.stdout}${result.stderr}`).toBe(0);
        expect(outputOf(result.stdout, 'fetched')).toContain('downloaded');
      }
      expect(served, 'the second run used the layer, not the network').toBe(1);
      expect(processesWith('slirp4netns')).toEqual([]);
    } finally {
      server.close();
      loopback.close();
    }
  }, 60_000);
});

describe.runIf(!tunUsable)('network: outbound where /dev/net/tun is closed to the user', () => {
  it('refuses with exit 3 and says how to fix the host', async () => {
    const project = makeProject('jobs:\n  out:\n    network: outbound\n    run: echo never\n');
    const result = await project.cubicle(['run']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('needs /dev/net/tun');
    expect(result.stderr).toContain('chmod 0666 /dev/net/tun');
  }, 30_000);
});
