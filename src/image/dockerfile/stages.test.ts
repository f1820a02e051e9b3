// ARG scoping, build args, targets and substitution, as Docker's own documentation states them.
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './parse.js';
import { EMPTY_CONFIG, THIS_PLATFORM, globalScope, planStages, splitStages, stageOperations, type Operation } from './stages.js';

async function build(text: string, buildArgs: Record<string, string> = {}, target: string | null = null) {
  const parsed = await parseDockerfile(text);
  const plans = planStages(parsed, buildArgs, target);
  const { globalArgs, stages } = splitStages(parsed);
  const globals = globalScope(globalArgs, buildArgs, parsed.escapeChar);
  return plans.map((plan) => ({
    base: plan.base,
    ...stageOperations(plan.stage, EMPTY_CONFIG, { globals, buildArgs, escapeChar: parsed.escapeChar, stages }),
  }));
}

const runs = (operations: Operation[]) => operations.flatMap((operation) => (operation.kind === 'run' ? [operation] : []));

describe('stages', () => {
  it('a global ARG is used in FROM, and inside a stage only once redeclared', async () => {
    const [stage] = await build('ARG V=1\nFROM img:${V}\nRUN echo a\nARG V\nRUN echo b');
    expect(stage!.base).toBe('img:1');
    const [before, after] = runs(stage!.operations);
    expect(before!.env.V).toBeUndefined();
    expect(after!.env.V).toBe('1');
  });

  it('a build arg overrides a default, global or not', async () => {
    const [stage] = await build('ARG V=1\nFROM img:${V}\nARG W=2\nRUN x', { V: '9', W: '8' });
    expect(stage!.base).toBe('img:9');
    expect(runs(stage!.operations)[0]!.env.W).toBe('8');
  });

  it('ENV wins over an ARG of the same name, and is substituted in later lines', async () => {
    const [stage] = await build('FROM a\nARG X=arg\nENV X=env Y=${X}-y\nWORKDIR /srv/$Y\nCOPY f ./\nRUN x');
    const [workdir, copy, run] = stage!.operations;
    expect(workdir).toMatchObject({ kind: 'workdir', path: '/srv/env-y' });
    expect(copy).toMatchObject({ kind: 'copy', sources: ['f'], dest: '/srv/env-y/' });
    expect(run).toMatchObject({ env: { X: 'env', Y: 'env-y' }, workdir: '/srv/env-y' });
    expect(stage!.config.env).toEqual({ X: 'env', Y: 'env-y' });
  });

  it('the proxy args reach RUN without an ARG line, and stay out of the key', async () => {
    const [stage] = await build('FROM a\nRUN x', { HTTP_PROXY: 'http://proxy:3128', OTHER: 'no' });
    const [run] = runs(stage!.operations);
    expect(run!.env).toEqual({ HTTP_PROXY: 'http://proxy:3128' });
    expect(run!.unkeyedEnv).toEqual(['HTTP_PROXY']);
  });

  it('a target builds only the stages it needs, FROM stage and COPY --from', async () => {
    const text = 'FROM a AS deps\nRUN d\nFROM b AS unused\nRUN u\nFROM c AS tools\nRUN t\nFROM deps AS test\nCOPY --from=tools /t /t\nFROM a AS last';
    const stages = await build(text, {}, 'test');
    expect(stages.map((stage) => stage.base)).toEqual(['a', 'c', 0]);
    expect(stages[2]!.operations[0]).toMatchObject({ kind: 'copy', from: 2 });
    await expect(build(text, {}, 'nope')).rejects.toThrow('target "nope": no stage has this name');
  });

  it('SHELL, CMD, ENTRYPOINT and USER end up in the config; shell form RUN uses SHELL', async () => {
    const [stage] = await build('FROM a\nSHELL ["/bin/bash", "-eu", "-c"]\nRUN echo $HOME\nUSER app\nCMD npm test');
    expect(runs(stage!.operations)[0]!.argv).toEqual(['/bin/bash', '-eu', '-c', 'echo $HOME']);
    expect(stage!.config).toMatchObject({ user: 'app', cmd: ['/bin/bash', '-eu', '-c', 'npm test'], entrypoint: null });
  });

  it('a bad substitution names the instruction and its line', async () => {
    await expect(build('FROM a\nWORKDIR ${X:?needs X}')).rejects.toThrow('WORKDIR on line 2: X: needs X');
  });

  it('FROM --platform: this machine (named or $BUILDPLATFORM) is built, another is refused naming the line', async () => {
    const [stage] = await build(`FROM --platform=${THIS_PLATFORM} a\nRUN x`);
    expect(stage!.base).toBe('a');
    await expect(build('FROM --platform=$BUILDPLATFORM a')).resolves.toHaveLength(1);
    const other = THIS_PLATFORM === 'linux/arm64' ? 'linux/amd64' : 'linux/arm64';
    await expect(build(`FROM --platform=${other} a`)).rejects.toThrow(`FROM on line 1: --platform=${other}: only this machine's platform`);
  });

  it('the automatic platform args: global, in a stage once declared', async () => {
    const [stage] = await build('FROM a\nRUN x\nARG TARGETARCH\nRUN y');
    const [before, after] = runs(stage!.operations);
    expect(before!.env.TARGETARCH).toBeUndefined();
    expect(after!.env.TARGETARCH).toBe(THIS_PLATFORM.split('/')[1]);
  });
});
