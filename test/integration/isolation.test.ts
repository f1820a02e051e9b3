// Each isolation property of a job, shown by an assertion that fails when the property breaks,
// with a positive control where "nothing happened" could also mean "the test did nothing".
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../helpers/host.js';
import { processesWith } from '../helpers/processes.js';
import { jobOf, makeProject, outputOf, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

const who = IS_ROOT ? 'as root' : 'rootless';

describe(`a job's sandbox (${who})`, () => {
  it('cannot modify the checkout or any host file, though it can write inside its sandbox', async () => {
    const project = makeProject(
      `jobs:
  writer:
    run: |
      echo changed > tracked.txt
      echo new > created.txt
      rm -f doomed.txt
      for f in /etc/cubicle-escape /usr/cubicle-escape /usr/bin/cubicle-escape /etc/passwd "$OUTSIDE"; do
        if (echo x >> "$f") 2>/dev/null; then echo "wrote $f"; fi
      done
      echo "tracked: $(cat tracked.txt)"
      test -e doomed.txt || echo "doomed: gone"
    env: { OUTSIDE: ${JSON.stringify('/tmp/outside-probe')} }
`,
      { 'tracked.txt': 'original\n', 'doomed.txt': 'keep me\n' },
    );
    const outside = path.join(path.dirname(project.dir), 'outside.txt');
    fs.writeFileSync(outside, 'host file\n');
    const passwd = fs.readFileSync('/etc/passwd', 'utf8');
    const result = await project.cubicle(['run', '--json', 'results.json']);
    const lines = outputOf(result.stdout, 'writer');
    // Inside, the writes worked (the test really wrote) ...
    expect(lines).toContain('tracked: changed');
    expect(lines).toContain('doomed: gone');
    expect(lines.filter((line) => line.startsWith('wrote /etc') || line.startsWith('wrote /usr'))).toEqual([]);
    // ... and on the host nothing changed.
    expect(project.read('tracked.txt')).toBe('original\n');
    expect(project.read('doomed.txt')).toBe('keep me\n');
    expect(fs.existsSync(project.file('created.txt'))).toBe(false);
    expect(fs.existsSync('/etc/cubicle-escape')).toBe(false);
    expect(fs.existsSync('/usr/bin/cubicle-escape')).toBe(false);
    expect(fs.existsSync('/tmp/outside-probe')).toBe(false);
    expect(fs.readFileSync(outside, 'utf8')).toBe('host file\n');
    expect(fs.readFileSync('/etc/passwd', 'utf8')).toBe(passwd);
    expect(jobOf(project, 'writer').status).toBe('passed');
  });

  it('sees only its own processes, with the helper as PID 1', async () => {
    const marker = `host-proc-${process.pid}-${Date.now()}`;
    const host = spawn('/bin/sh', ['-c', `sleep 120; : ${marker}`], { stdio: 'ignore' });
    try {
      const project = makeProject(`jobs:
  ps:
    run: |
      for p in /proc/[0-9]*; do echo "proc $(basename $p) $(tr '\\0' ' ' < $p/cmdline)"; done
      echo "pid1 $(cat /proc/1/comm)"
`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(processesWith(marker).length).toBeGreaterThan(0); // the host process is there to be seen
      const result = await project.cubicle(['run']);
      const lines = outputOf(result.stdout, 'ps');
      const processes = lines.filter((line) => line.startsWith('proc '));
      expect(lines.join('\n')).not.toContain(marker);
      expect(processes.length).toBeGreaterThan(0);
      expect(processes.length).toBeLessThanOrEqual(5);
      expect(lines).toContain('pid1 cubicle-sandbox');
    } finally {
      host.kill('SIGKILL');
    }
  });

  it("cannot connect to a port listening on the host's 127.0.0.1, unless given the host network", async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections += 1;
      socket.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const probe = `node -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log('REFUSED ' + e.code); process.exit(1) })"`;
    try {
      const project = makeProject(`jobs:
  isolated:
    run: |
      echo "interfaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
      ${probe}
  hostnet:
    network: host
    run: ${JSON.stringify(probe)}
`);
      const isolated = await project.cubicle(['run', 'isolated', '--json', 'results.json']);
      expect(outputOf(isolated.stdout, 'isolated')).toEqual(['interfaces: lo ', 'REFUSED ECONNREFUSED']);
      expect(jobOf(project, 'isolated').status).toBe('failed');
      expect(connections).toBe(0);
      const control = await project.cubicle(['run', 'hostnet']);
      expect(outputOf(control.stdout, 'hostnet')).toEqual(['CONNECTED']);
      expect(connections).toBe(1);
    } finally {
      server.close();
    }
  });

  it('gets only PATH, HOME, TERM, LANG, CI, its own env and CUBICLE_* from the host environment', async () => {
    const project = makeProject(`jobs:
  envjob:
    run: [/usr/bin/env]
    env: { FOO: bar, NUMBER: 7 }
`);
    const result = await project.cubicle(['run'], { env: { SECRET_TOKEN: 's3cr3t', GITHUB_TOKEN: 'ghs_secret', CI: 'true', LANG: 'C.UTF-8' } });
    const lines = outputOf(result.stdout, 'envjob');
    const names = lines.map((line) => line.split('=')[0]).sort();
    expect(result.stdout).not.toContain('s3cr3t');
    expect(result.stdout).not.toContain('ghs_secret');
    expect(lines).toContain('FOO=bar');
    expect(lines).toContain('NUMBER=7');
    expect(lines).toContain('CI=true');
    expect(lines).toContain('CUBICLE_JOB=envjob');
    expect(lines).toContain('CUBICLE_ATTEMPT=1');
    const allowed = new Set(['PATH', 'HOME', 'TERM', 'LANG', 'CI', 'FOO', 'NUMBER', 'CUBICLE_JOB', 'CUBICLE_ATTEMPT']);
    expect(names.filter((name) => !allowed.has(name!))).toEqual([]);
  });

  it('runs with no capabilities: privileged operations on host objects fail', async () => {
    const project = makeProject(`jobs:
  caps:
    run: |
      grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status
      mkdir -p /tmp/m
      mount -t tmpfs none /tmp/m 2>/dev/null && echo "mount: allowed" || echo "mount: refused"
      chown 1:1 cubicle.config.yaml 2>/dev/null && echo "chown: allowed" || echo "chown: refused"
      hostname other 2>/dev/null && echo "hostname: allowed" || echo "hostname: refused"
      (echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null && echo "sysctl: allowed" || echo "sysctl: refused"
`);
    const result = await project.cubicle(['run']);
    const lines = outputOf(result.stdout, 'caps');
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
      expect(lines, set).toContainEqual(expect.stringMatching(new RegExp(`^${set}:\\s+0000000000000000$`)));
    }
    expect(lines).toContainEqual(expect.stringMatching(/^NoNewPrivs:\s+1$/));
    for (const operation of ['mount', 'chown', 'hostname', 'sysctl']) expect(lines).toContain(`${operation}: refused`);
  });

  it('propagates exit codes and signals', async () => {
    const project = makeProject(`jobs:
  ok: { run: "true" }
  three: { run: "exit 3" }
  segv: { run: "kill -SEGV $$" }
  missing: { run: [no-such-command-here] }
`);
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    expect(jobOf(project, 'ok')).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(jobOf(project, 'three')).toMatchObject({ status: 'failed', exitCode: 3, message: 'exited with 3' });
    expect(jobOf(project, 'segv')).toMatchObject({ status: 'signaled', exitCode: null, signal: 'SIGSEGV', message: 'killed by SIGSEGV (segmentation fault)' });
    expect(jobOf(project, 'missing')).toMatchObject({ status: 'failed', exitCode: 127 });
    expect(jobOf(project, 'missing').message).toContain('no-such-command-here');
    expect((await project.cubicle(['exec', '--', 'sh', '-c', 'exit 7'])).exitCode).toBe(7);
    expect((await project.cubicle(['exec', '--', 'sh', '-c', 'kill -TERM $$'])).exitCode).toBe(143);
    expect((await project.cubicle(['run', 'ok'])).exitCode).toBe(0);
  });

  it('ends a job that leaves a background process behind, leaving no process', async () => {
    const marker = `bg-${process.pid}-${Date.now()}`;
    const project = makeProject(
      `jobs:
  leaver:
    run: |
      sh ./${marker}.sh &
      setsid sh ./${marker}.sh &
      nohup sh ./${marker}.sh >/dev/null 2>&1 &
      echo "left three sleepers behind"
`,
      { [`${marker}.sh`]: 'sleep 300\n' },
    );
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(outputOf(result.stdout, 'leaver')).toEqual(['left three sleepers behind']);
    expect(jobOf(project, 'leaver').status).toBe('passed');
    expect(jobOf(project, 'leaver').wallMs).toBeLessThan(30_000); // far below the sleepers' 300 s
    expect(processesWith(marker)).toEqual([]);
  });

  it('gives parallel jobs writing the same file each their own copy', async () => {
    const project = makeProject(`jobs:
  alpha: { run: 'echo "$CUBICLE_JOB" > shared.txt; sleep 1; echo "read: $(cat shared.txt)"' }
  beta: { run: 'echo "$CUBICLE_JOB" > shared.txt; sleep 1; echo "read: $(cat shared.txt)"' }
`);
    const result = await project.cubicle(['run', '--parallel', '2']);
    expect(outputOf(result.stdout, 'alpha')).toEqual(['read: alpha']);
    expect(outputOf(result.stdout, 'beta')).toEqual(['read: beta']);
    expect(fs.existsSync(project.file('shared.txt'))).toBe(false);
  });

  it('kills every process of a job that outlives its timeout', async () => {
    const marker = `slow-${process.pid}-${Date.now()}`;
    const project = makeProject(
      `jobs:
  slow:
    timeout: 1s
    run: 'setsid sh ./${marker}.sh & sh ./${marker}.sh'
`,
      { [`${marker}.sh`]: 'sleep 100\n' },
    );
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode).toBe(1);
    expect(jobOf(project, 'slow')).toMatchObject({ status: 'timeout' });
    expect(jobOf(project, 'slow').message).toContain('timed out after 1.0s');
    expect(jobOf(project, 'slow').wallMs).toBeLessThan(30_000);
    expect(processesWith(marker)).toEqual([]);
  });

  it('shares one mapped user namespace across the jobs of a run only where that saves newuidmap (rootless, subuid range)', async () => {
    const project = makeProject(`jobs:
  one: { run: 'echo "ns $(readlink /proc/self/ns/user)"; echo "map $(wc -l < /proc/self/uid_map)"' }
  two: { run: 'echo "ns $(readlink /proc/self/ns/user)"; echo "map $(wc -l < /proc/self/uid_map)"' }
`);
    const result = await project.cubicle(['run']);
    expect(result.exitCode).toBe(0);
    const [one, two] = ['one', 'two'].map((name) => outputOf(result.stdout, name));
    const hasRange = ['/etc/subuid', '/etc/subgid'].every((file) => hasSubordinateRange(file));
    const shared = !IS_ROOT && hasRange;
    expect(one!.find((line) => line.startsWith('ns ')) === two!.find((line) => line.startsWith('ns '))).toBe(shared);
    expect(one).toContain(`map ${hasRange && !IS_ROOT ? 2 : 1}`);
  });
});

function hasSubordinateRange(file: string): boolean {
  const { username, uid } = os.userInfo();
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text.split('\n').some((line) => {
    const [owner, , count] = line.split(':');
    return (owner === username || owner === String(uid)) && Number(count) > 0;
  });
}
