// A job's service logs in cubicle-artifacts/JOB/services/ survive the collection of the job's
// outputs: a job file of the same path is not copied over one, and a retry does not replace the
// log of the attempt that failed. Before: the job's services/NAME.log, and attempt 2's log, replaced it.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { jobOf, makeProject, removeProjects } from '../helpers/project.js';

afterAll(removeProjects);

describe('service logs', () => {
  it("survive a job output of the same path and a retry, each attempt's log kept", async () => {
    const project = makeProject(`
jobs:
  app:
    services:
      side:
        run: echo "side-service-attempt-$CUBICLE_ATTEMPT"; exec sleep 1000
    run: mkdir -p services/api && echo job-file > services/side.log && echo coverage > services/api/cov.txt && exit 1
    artifacts: [services]
    retries: 1
`);
    const result = await project.cubicle(['run', '--json', 'results.json']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    const logs = project.file('cubicle-artifacts/app/services');
    expect(fs.readFileSync(`${logs}/side.log`, 'utf8')).toBe('side-service-attempt-1\n');
    expect(fs.readFileSync(`${logs}/side.attempt-2.log`, 'utf8')).toBe('side-service-attempt-2\n');
    expect(fs.readFileSync(`${logs}/api/cov.txt`, 'utf8')).toBe('coverage\n');
    const app = jobOf(project, 'app');
    expect(app.message).toContain("services/side.log: not copied: that path holds cubicle's own log of the job's service");
  });
});
