// Adversarial jobs against the runner's terminal: TIOCSTI pushes bytes into a tty's input, so a
// job that can reach the terminal cubicle runs in could type a command into the user's shell
// once cubicle exits. cubicle runs in a real terminal here (a tmux pane running sh), the job
// tries to inject `touch FILE`, and the pane and the host must show nothing of it. A control
// row runs the same program outside cubicle, where the injection does work.
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/paths.js';
import { processesWith, waitFor } from '../helpers/processes.js';
import { makeProject, removeProjects, type Project } from '../helpers/project.js';
import { compileC, WHO } from './harness.js';

afterAll(removeProjects);

const hasTmux = (await execa('tmux', ['-V'], { reject: false })).exitCode === 0;
const legacyTiocsti = readOrNull('/proc/sys/dev/tty/legacy_tiocsti')?.trim() !== '0';
if (!hasTmux) console.warn('skipped: the terminal attempts need tmux (apt-get install tmux)');

/** Types the text of inject.txt into fds 0-2 and /dev/tty with TIOCSTI, one byte at a time. */
const INJECT = String.raw`
#include <termios.h>
static void inject(const char *what, int fd, const char *text) {
  long ret = 0;
  int err = 0;
  for (const char *c = text; *c && ret == 0; c++) { ret = ioctl(fd, TIOCSTI, c); err = errno; }
  refused_(what, ret, err, EPERM);
}
int main(void) {
  char text[512];
  if (read_text("inject.txt", text, sizeof text) <= 0) { printf("no inject.txt\n"); return 2; }
  for (int fd = 0; fd < 3; fd++) {
    char what[32];
    snprintf(what, sizeof what, "TIOCSTI on fd %d", fd);
    inject(what, fd, text);
  }
  int tty = open("/dev/tty", O_RDWR);
  if (tty >= 0) inject("TIOCSTI on /dev/tty", tty, text);
  else HELD("open /dev/tty: %s", strerrorname_np(errno));
  FINISH();
}`;

interface Pane {
  type(text: string): Promise<void>;
  /** Waits until the pane shows `text` (typed as two halves, so the typed line never matches). */
  waitFor(text: string, timeoutMs?: number): Promise<boolean>;
  capture(): Promise<string>;
  close(): Promise<void>;
}

async function openPane(project: Project): Promise<Pane> {
  const socket = path.join(path.dirname(project.dir), 'tmux.sock');
  const tmux = (...args: string[]) =>
    execa('tmux', ['-S', socket, '-f', '/dev/null', ...args], {
      reject: false,
      env: { ...process.env, CUBICLE_CACHE_DIR: project.cacheDir, NO_COLOR: '1', TERM: 'xterm' },
    });
  const started = await tmux('new-session', '-d', '-s', 'cubsec', '-x', '200', '-y', '80', '-c', project.dir, 'sh');
  expect(started.exitCode, started.stderr).toBe(0);
  const capture = async () => String((await tmux('capture-pane', '-p', '-J', '-S', '-1000', '-t', 'cubsec')).stdout);
  return {
    async type(text) {
      await tmux('send-keys', '-t', 'cubsec', '-l', text);
      await tmux('send-keys', '-t', 'cubsec', 'Enter');
    },
    async waitFor(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ((await capture()).includes(text)) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    },
    capture,
    async close() {
      await tmux('kill-server');
    },
  };
}

interface TerminalAttempt {
  readonly name: string;
  /** What is typed into the pane's shell, in order; after each line the pane is given time. */
  readonly steps: (binary: string) => { readonly type: string; readonly waitFor?: string }[];
  /** The control: outside cubicle the injection must work, proving the test can see it. */
  readonly control?: boolean;
}

const attempts: TerminalAttempt[] = [
  {
    name: 'control, outside cubicle: the injecting program run straight in the terminal does type into the shell',
    control: true,
    steps: (binary) => [{ type: `./${binary}`, waitFor: 'done' }],
  },
  {
    name: '`cubicle run` in a terminal: the job injects into fds 0-2 and /dev/tty',
    steps: () => [{ type: `node ${CLI} run --json results.json > out.txt 2> err.txt`, waitFor: undefined }],
  },
  {
    name: '`cubicle exec` in a terminal (the job gets the terminal as stdio, in its own session)',
    steps: (binary) => [{ type: `node ${CLI} exec -- ./${binary}`, waitFor: 'done' }],
  },
  {
    name: "`cubicle shell` in a terminal (the terminal is the job's controlling tty): exec the injector, then the shell ends",
    steps: (binary) => [
      { type: `node ${CLI} shell attempt`, waitFor: undefined },
      { type: 'echo sandbox-"re"ady', waitFor: 'sandbox-ready' },
      { type: `exec ./${binary}`, waitFor: 'done' },
    ],
  },
];

describe.skipIf(!hasTmux)(`adversarial jobs against the runner's terminal (${WHO})`, () => {
  let counter = 0;
  for (const attempt of attempts) {
    it.skipIf(attempt.control && !legacyTiocsti)(
      attempt.name,
      async () => {
        const marker = `cubsec-tty-${process.pid}-${++counter}`;
        const binary = `inject-${marker}`;
        const project = makeProject(`jobs:\n  attempt: { run: [./${binary}] }\n`);
        const hostFile = path.join(path.dirname(project.dir), `pwned-${marker}`);
        fs.writeFileSync(project.file('inject.txt'), `touch ${hostFile}\n`);
        compileC(project.file('inject.c'), project.file(binary), INJECT);
        const pane = await openPane(project);
        try {
          await pane.type('echo pane-"re"ady');
          expect(await pane.waitFor('pane-ready'), await pane.capture()).toBe(true);
          const steps = attempt.steps(binary);
          for (const [index, step] of steps.entries()) {
            await pane.type(step.type);
            if (step.waitFor)
              expect(await pane.waitFor(step.waitFor), `step ${index + 1}: no "${step.waitFor}" in the pane:\n${await pane.capture()}`).toBe(true);
          }
          // The shell reads what was injected (if anything) before this line: its output marks the end.
          await pane.type('echo "finished-$?" && echo at-"the"-end');
          expect(await pane.waitFor('at-the-end'), `the pane never got back to the shell:\n${await pane.capture()}`).toBe(true);
          await waitFor(() => attempt.control !== true || fs.existsSync(hostFile), 3_000);
          const shown = await pane.capture();
          const output = fs.existsSync(project.file('out.txt')) ? fs.readFileSync(project.file('out.txt'), 'utf8') : '';
          if (attempt.control) {
            expect(fs.existsSync(hostFile), `the control injection did not work:\n${shown}`).toBe(true);
            return;
          }
          if (process.env.CUBICLE_SECURITY_DEBUG) console.log(shown, output);
          const reported = `${shown}\n${output}`;
          expect(
            reported.split('\n').filter((line) => line.includes('BROKEN')),
            reported,
          ).toEqual([]);
          expect(reported, 'the injector did not run').toMatch(/held TIOCSTI on fd 0: EPERM/);
          expect(shown.includes(`touch ${hostFile}`), `the injected command reached the terminal:\n${shown}`).toBe(false);
          expect(fs.existsSync(hostFile), 'the injected command ran on the host').toBe(false);
          expect(processesWith(marker)).toEqual([]);
        } finally {
          await pane.close();
        }
      },
      60_000,
    );
  }
});

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
