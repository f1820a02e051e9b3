// The README's "Services and networks" example, taken from README.md itself (so the two cannot
// drift), run on this host's Debian PostgreSQL and Redis: only the job's command is replaced,
// by one that asks both services something through the job's loopback.
import { execaSync } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { jobOf, makeProject, outputOf, removeProjects } from '../helpers/project.js';
import { readmeExample } from '../helpers/readme.js';

afterAll(removeProjects);

const example = load(readmeExample('### Services and networks')) as { jobs: Record<string, { run: string }> };
// Debian 12's server dir (CI's), whatever the README says: a README that misses it fails here.
const serverDir = '/usr/lib/postgresql/15/bin';
const have = (tool: string) => execaSync('sh', ['-c', `command -v ${tool}`], { reject: false }).exitCode === 0;
const missing = !fs.existsSync(path.join(serverDir, 'initdb'))
  ? `${serverDir}/initdb (apt-get install postgresql; Debian 12 ships 15)`
  : !have('redis-server') || !have('psql')
    ? 'redis-server and psql (apt-get install redis-server postgresql-client)'
    : null;
if (missing && process.env.CI !== 'true') console.log(`skipped: the README's services example (needs ${missing})`);

describe.runIf(!missing || process.env.CI === 'true')("README's services example", () => {
  it('runs as written on stock Debian: PostgreSQL from its own bin dir, Redis after it, both healthy and reached by the job', async () => {
    const [name, job] = Object.entries(example.jobs)[0]!;
    job.run = "psql -h 127.0.0.1 -U postgres -tAc 'select 40 + 2' && redis-cli -h 127.0.0.1 ping";
    const project = makeProject(JSON.stringify(example));
    // A stock Debian PATH: this test bed links PostgreSQL's binaries into /usr/local/bin, which stock Debian does not.
    const result = await project.cubicle(['run', '--json', 'results.json'], { timeoutMs: 150_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const out = outputOf(result.stdout, name);
    expect(out).toContain('42');
    expect(out).toContain('PONG');
    expect(out.indexOf('[service db] healthy')).toBeLessThan(out.indexOf('[service cache] started'));
    expect(jobOf(project, name).status).toBe('passed');
  }, 200_000);
});
