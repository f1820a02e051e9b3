// Issue 12, classes 2-4: paths the checkout controls must not lead the runner out of the
// checkout (src/confine/), env values used as host paths are checked (src/confine/env-path.ts),
// and host writes never go through a symlink the checkout ships. Each attempt is a hostile
// checkout run by the real CLI with a planted HOME; each asserts that no secret appears in what
// the run left and that HOME and the host dir beside the checkout are unchanged. The positive
// controls show that the same check sees the secret when the checkout may legitimately hold it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeProjects, type CliResult } from '../../helpers/project.js';
import { HOST_SECRET, WHO } from '../harness.js';
import { BASHRC, expectHeld, hostileCheckout, runIn, snapshotHost, SSH_SECRET, whereIs, writeOciLayout, type PathScene } from './paths-helpers.js';

afterAll(() => removeProjects());

interface JobRecord {
  name: string;
  status: string;
  message: string | null;
  artifacts: string[];
}

function jobOf(scene: PathScene, name = 'attempt'): JobRecord {
  const results = JSON.parse(fs.readFileSync(scene.project.file('results.json'), 'utf8')) as { jobs: JobRecord[] };
  return results.jobs.find((job) => job.name === name)!;
}

/** Runs the scene and checks the harm did not happen; returns the run for the attempt's own checks. */
async function attempt(scene: PathScene, args: readonly string[] = []): Promise<CliResult> {
  const before = snapshotHost(scene);
  const result = await runIn(scene, args);
  expectHeld(scene, result, before);
  return result;
}

const link = (target: string, at: string) => {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at);
};

/** A setup step that prints what it was given and copies it into its layer. */
const STEP_SHOWS = (inputs: string, show: string) => `
jobs:
  attempt:
    setup:
      - run: ${JSON.stringify(`${show}; mkdir -p /kept && cp -r . /kept/ 2>/dev/null; true`)}
        network: none
        inputs: ${inputs}
    run: echo ran
`;

describe(`class 2: paths that leave the checkout (${WHO})`, () => {
  it('setup inputs through a dir symlink to $HOME (evil -> ~, evil/.ssh/id_rsa): the step is refused, the key copied nowhere', async () => {
    const scene = hostileCheckout(STEP_SHOWS('[evil/.ssh/id_rsa]', 'cat evil/.ssh/id_rsa'), (s) => link(s.home, s.project.file('evil')));
    const result = await attempt(scene);
    expect(result.exitCode).toBe(1);
    expect(jobOf(scene).status).toBe('error');
    expect(jobOf(scene).message).toMatch(/evil\/\.ssh\/id_rsa.*leads out of .* through the symlink evil/);
  });

  it('setup inputs as a glob through that symlink (evil/.ssh/*): refused, nothing listed or copied', async () => {
    const scene = hostileCheckout(STEP_SHOWS('["evil/.ssh/*"]', 'find . -type f; cat evil/.ssh/*'), (s) => link(s.home, s.project.file('evil')));
    const result = await attempt(scene);
    expect(jobOf(scene).status).toBe('error');
    expect(jobOf(scene).message).toMatch(/leads out of/);
    expect(result.stdout + result.stderr).not.toContain('id_rsa');
  });

  it('setup inputs through a relative symlink chain (a -> b, b -> c/.., c -> .., a/home/.ssh/id_rsa): refused', async () => {
    const scene = hostileCheckout(STEP_SHOWS('[a/home/.ssh/id_rsa]', 'cat a/home/.ssh/id_rsa'), (s) => {
      fs.mkdirSync(s.project.file('d'));
      link('d/..', s.project.file('c'));
      link('c/..', s.project.file('b'));
      link('b', s.project.file('a'));
    });
    await attempt(scene);
    expect(jobOf(scene).status).toBe('error');
    expect(jobOf(scene).message).toMatch(/climbs above|leads out of/);
  });

  it('setup inputs with a/../../outside/secret.txt: refused as outside the checkout', async () => {
    const scene = hostileCheckout(STEP_SHOWS('[a/../../outside/secret.txt]', 'cat ../outside/secret.txt'), (s) => fs.mkdirSync(s.project.file('a')));
    await attempt(scene);
    expect(jobOf(scene).message).toMatch(/outside the checkout/);
  });

  it('an input that is itself a symlink to ~/.ssh/id_rsa: staged as a link, never followed', async () => {
    const scene = hostileCheckout(STEP_SHOWS('[key, rel-key]', 'cat key rel-key; ls -l key rel-key'), (s) => {
      link(path.join(s.home, '.ssh', 'id_rsa'), s.project.file('key'));
      link('../home/.ssh/id_rsa', s.project.file('rel-key'));
    });
    const result = await attempt(scene);
    // The step sees two dangling links (the host's HOME is not in its sandbox): it ran, the key is nowhere.
    expect(result.stdout).toMatch(/key -> .*home\/\.ssh\/id_rsa/);
  });

  it('a ** glob over a checkout with a symlinked dir to $HOME: the link is not descended', async () => {
    const scene = hostileCheckout(STEP_SHOWS('["**/*"]', 'find . | sort; cat evil/.ssh/id_rsa'), (s) => {
      fs.writeFileSync(s.project.file('real.txt'), 'real\n');
      link(s.home, s.project.file('evil'));
    });
    const result = await attempt(scene);
    expect(result.stdout).toContain('./real.txt');
    expect(result.stdout).not.toContain('id_rsa\n');
  });

  it('testFiles through a symlinked dir to $HOME (--shard-by test): a config error naming the key, no file name listed', async () => {
    const scene = hostileCheckout(
      `
jobs:
  attempt:
    testFiles: "tests/.ssh/*"
    run: echo files "$@"
`,
      (s) => link(s.home, s.project.file('tests')),
    );
    const result = await attempt(scene, ['--shard', '1/1', '--shard-by', 'test']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/jobs\.attempt\.testFiles: .*leads out of/);
    expect(result.stdout + result.stderr).not.toContain('id_rsa');
  });

  it('junit and artifacts a job links to host paths (reports -> ~, out.xml -> ~/.ssh/id_rsa): refused, not copied', async () => {
    const scene = hostileCheckout(`
jobs:
  attempt:
    junit: ["reports/**/*", out.xml]
    artifacts: [out, "reports/.ssh/id_rsa"]
    run: ln -s {HOME} reports; ln -s {HOME}/.ssh/id_rsa out.xml; ln -s {OUTSIDE} out; echo done
`);
    await attempt(scene);
    const job = jobOf(scene);
    expect(job.artifacts).toEqual([]);
    expect(job.message).toMatch(/not copied \(not a regular file\): .*out/);
  });

  it('image: oci:/abs/path outside the checkout: a config error (exit 2) naming the key', async () => {
    const scene = hostileCheckout(
      `
jobs:
  attempt:
    image: oci:{OUTSIDE}/layout:v1
    run: cat /hello.txt
`,
      (s) => writeOciLayout(path.join(s.outside, 'layout'), ['PATH=/bin']),
    );
    const result = await attempt(scene);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/jobs\.attempt\.image: oci:.* is outside the checkout/);
  });

  it('image: oci:DIR through a symlink in the checkout that leads out: a config error (exit 2)', async () => {
    const scene = hostileCheckout(
      `
defaults:
  image: oci:img:v1
jobs:
  attempt:
    run: cat /hello.txt
`,
      (s) => {
        writeOciLayout(path.join(s.outside, 'layout'), ['PATH=/bin']);
        link('../outside/layout', s.project.file('img'));
      },
    );
    const result = await attempt(scene);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/defaults\.image: oci:img img: (climbs above|leads out of)/);
  });

  it('an OCI layout in the checkout whose layer blob is a symlink to a host tar (of a secret): the blob is not read, the job errors', async () => {
    const scene = hostileCheckout('jobs:\n  attempt:\n    image: oci:layout:v1\n    run: echo ran\n  other:\n    run: echo other-ran\n', (s) =>
      writeOciLayout(s.project.file('layout'), ['PATH=/bin'], { layerFiles: { 'stolen.txt': `${HOST_SECRET}\n` }, layerAt: path.join(s.outside, 'layer.tar') }),
    );
    const result = await attempt(scene);
    expect(result.exitCode).toBe(1);
    expect(jobOf(scene).status).toBe('error');
    expect(jobOf(scene).message).toMatch(/image oci:.*layout:v1 could not be prepared/);
    expect(jobOf(scene, 'other').status).toBe('passed');
  });

  it('--timings names a shipped symlink to ~/.ssh/id_rsa: refused before anything runs, the key is not parsed or quoted', async () => {
    const scene = hostileCheckout('jobs:\n  attempt:\n    run: echo ran\n', (s) => link(path.join(s.home, '.ssh', 'id_rsa'), s.project.file('timings.xml')));
    const result = await attempt(scene, ['--timings', 'timings.xml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--timings: .*timings\.xml: leads out of/);
  });
});

describe(`class 3: environment values used as host paths (${WHO})`, () => {
  const layered = (env: string) => `
jobs:
  attempt:
    env: ${env}
    setup:
      - run: echo step
        network: none
    run: echo ran
`;

  it('env HOME=../../x on a layered job: a config error naming jobs.attempt.env.HOME, no dir made', async () => {
    const scene = hostileCheckout(layered('{ HOME: ../../escaped }'));
    const result = await attempt(scene);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/jobs\.attempt\.env\.HOME: "\.\.\/\.\.\/escaped" is not an absolute path/);
  });

  it('env HOME=/x/../../y (absolute, with ..): a config error, no dir made outside the skeleton', async () => {
    const scene = hostileCheckout(layered(`{ HOME: "/x/../../../../../../../../..{ROOT}/escaped" }`));
    const result = await attempt(scene);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/jobs\.attempt\.env\.HOME: .* has a "\.\." component/);
    expect(fs.existsSync(path.join(scene.root, 'escaped'))).toBe(false);
  });

  it("a setup step's env HOME with .. and a default env HOME: each named, nothing run", async () => {
    const scene = hostileCheckout(`
defaults:
  env: { HOME: "home/../.." }
jobs:
  attempt:
    setup:
      - run: echo step
        network: none
        env: { HOME: "/a/../../b" }
    run: echo ran
`);
    const result = await attempt(scene);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/defaults\.env\.HOME/);
    expect(result.stderr).toMatch(/jobs\.attempt\.setup\[0\]\.env\.HOME/);
    expect(result.stdout).not.toContain('step');
  });

  it("an image's own Env HOME with .. (an OCI layout in the checkout): that job's error, the other job's result in the report", async () => {
    const scene = hostileCheckout(
      `
jobs:
  attempt:
    image: oci:layout:v1
    run: echo ran
  other:
    run: echo other-ran
`,
      (s) => writeOciLayout(s.project.file('layout'), ['PATH=/bin', `HOME=/x/../../../../../../../../..${s.root}/escaped`]),
    );
    const result = await attempt(scene);
    expect(result.exitCode).toBe(1);
    expect(jobOf(scene).status).toBe('error');
    expect(jobOf(scene).message).toMatch(/HOME .* has a "\.\." component/);
    expect(jobOf(scene, 'other').status).toBe('passed');
    expect(fs.existsSync(path.join(scene.root, 'escaped'))).toBe(false);
  });
});

const WRITES_ARTIFACT = 'jobs:\n  attempt:\n    artifacts: [out.txt]\n    run: echo x > out.txt\n';

describe(`class 4: host writes through symlinks the checkout ships (${WHO})`, () => {
  const SERVICE = `
jobs:
  attempt:
    services:
      db:
        run: echo service-log-line; exec sleep 100
    run: sleep 0.5; echo ran
`;

  it('a shipped cubicle-artifacts/JOB/services/NAME.log symlink to ~/.bashrc: replaced by the log, .bashrc unchanged', async () => {
    const scene = hostileCheckout(SERVICE, (s) => link(path.join(s.home, '.bashrc'), s.project.file('cubicle-artifacts/attempt/services/db.log')));
    await attempt(scene);
    expect(jobOf(scene).status).toBe('passed');
    const log = scene.project.file('cubicle-artifacts/attempt/services/db.log');
    expect(fs.lstatSync(log).isFile()).toBe(true);
    expect(fs.readFileSync(log, 'utf8')).toContain('service-log-line');
  });

  it('a shipped cubicle-artifacts/JOB/services symlink to $HOME: the service is not started, nothing written there', async () => {
    const scene = hostileCheckout(SERVICE, (s) => link(s.home, s.project.file('cubicle-artifacts/attempt/services')));
    await attempt(scene);
    expect(jobOf(scene).status).toBe('error');
    expect(jobOf(scene).message).toMatch(/service "db" could not be started: its log .*services is a symlink \(to .*home\); cubicle does not follow it/);
  });

  it('a shipped cubicle-artifacts symlink to $HOME with artifacts: the job errors, nothing copied into HOME', async () => {
    const scene = hostileCheckout(WRITES_ARTIFACT, (s) => link(s.home, s.project.file('cubicle-artifacts')));
    await attempt(scene);
    expect(jobOf(scene).status).toBe('error');
    expect(jobOf(scene).message).toMatch(/cubicle-artifacts is a symlink \(to .*home\); cubicle does not follow it; .*: nothing was copied/);
  });

  it('--junit into a shipped symlinked dir (reports -> ~): the report is not written there, the error says why', async () => {
    const scene = hostileCheckout('jobs:\n  attempt:\n    run: echo ran\n', (s) => link(s.home, s.project.file('reports')));
    const result = await attempt(scene, ['--junit', 'reports/junit.xml']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/reports\/junit\.xml: .*reports is a symlink \(to .*home\); cubicle does not follow it; the report was not written/);
    expect(fs.existsSync(path.join(scene.home, 'junit.xml'))).toBe(false);
  });

  it('--json onto a shipped symlink to ~/.bashrc: the link is replaced by the report, .bashrc unchanged', async () => {
    const scene = hostileCheckout('jobs:\n  attempt:\n    run: echo ran\n', (s) => link(path.join(s.home, '.bashrc'), s.project.file('results.json')));
    const result = await attempt(scene);
    expect(result.exitCode).toBe(0);
    expect(fs.lstatSync(scene.project.file('results.json')).isFile()).toBe(true);
    expect(jobOf(scene).status).toBe('passed');
  });

  it('a FIFO planted where the JUnit report goes: the run does not hang, the FIFO is replaced by the report', async () => {
    const scene = hostileCheckout('jobs:\n  attempt:\n    run: echo ran\n', (s) => execFileSync('mkfifo', [s.project.file('cubicle-junit.xml')]));
    const started = performance.now();
    const result = await attempt(scene);
    expect(result.exitCode).toBe(0);
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(fs.lstatSync(scene.project.file('cubicle-junit.xml')).isFile()).toBe(true);
  });

  it('--artifacts-dir inside the checkout, shipped as a symlink to $HOME: nothing copied into HOME', async () => {
    const scene = hostileCheckout(WRITES_ARTIFACT, (s) => link(s.home, s.project.file('out')));
    await attempt(scene, ['--artifacts-dir', 'out']);
    expect(jobOf(scene).status).toBe('error');
    expect(fs.existsSync(path.join(scene.home, 'attempt'))).toBe(false);
  });
});

describe(`positive controls: the checks see a secret the checkout may hold (${WHO})`, () => {
  it('a legitimate in-checkout dir symlink and file symlink as inputs are staged and read', async () => {
    const scene = hostileCheckout(STEP_SHOWS('[lib/a.txt, cfg, real.txt]', 'cat lib/a.txt cfg'), (s) => {
      fs.mkdirSync(s.project.file('src'));
      fs.writeFileSync(s.project.file('src/a.txt'), 'through-lib-link\n');
      fs.writeFileSync(s.project.file('real.txt'), 'through-file-link\n');
      link('src', s.project.file('lib'));
      link('real.txt', s.project.file('cfg'));
    });
    const result = await attempt(scene);
    expect(result.stdout).toContain('through-lib-link');
    expect(result.stdout).toContain('through-file-link');
  });

  it('the same key placed inside the checkout and named as an input IS found by the same check (output and layer store)', async () => {
    const scene = hostileCheckout(STEP_SHOWS('[inside/.ssh/id_rsa]', 'cat inside/.ssh/id_rsa'), (s) => {
      fs.mkdirSync(s.project.file('inside/.ssh'), { recursive: true });
      fs.copyFileSync(path.join(s.home, '.ssh', 'id_rsa'), s.project.file('inside/.ssh/id_rsa'));
    });
    const result = await runIn(scene);
    const where = whereIs(scene, result, SSH_SECRET).filter((place) => !place.startsWith(scene.project.file('inside')));
    expect(where).toContain('stdout');
    expect(where.some((place) => place.startsWith(scene.project.cacheDir))).toBe(true);
  });

  it('a job that writes the host secret into an artifact (read from inside the checkout) IS found, and .bashrc written through a link IS seen', async () => {
    const scene = hostileCheckout('jobs:\n  attempt:\n    artifacts: [out.txt]\n    run: cp copy.txt out.txt\n', (s) => {
      fs.copyFileSync(path.join(s.outside, 'secret.txt'), s.project.file('copy.txt'));
    });
    const before = snapshotHost(scene);
    const result = await runIn(scene);
    expect(whereIs(scene, result, HOST_SECRET)).toContain(scene.project.file('cubicle-artifacts/attempt/out.txt'));
    // The snapshot check sees a write through a link: done here by the test itself, as a breach would.
    fs.appendFileSync(path.join(scene.home, '.bashrc'), 'owned\n');
    expect(snapshotHost(scene)).not.toEqual(before);
    expect(fs.readFileSync(path.join(scene.home, '.bashrc'), 'utf8')).not.toBe(BASHRC);
  });
});
