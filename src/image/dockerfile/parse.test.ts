// What parseDockerfile lets through, and the message for each thing it refuses.
import { describe, expect, it } from 'vitest';
import { DockerfileProblems, parseDockerfile } from './parse.js';

async function problemsOf(text: string): Promise<readonly string[]> {
  try {
    await parseDockerfile(text);
  } catch (error) {
    if (error instanceof DockerfileProblems) return error.problems;
    throw error;
  }
  throw new Error('expected problems');
}

describe('parseDockerfile', () => {
  it('reads every supported instruction, continuations joined, flags read', async () => {
    const parsed = await parseDockerfile(
      [
        'ARG BASE=busybox',
        'FROM ${BASE} AS Build',
        'ENV A=1 B="two words"',
        'ENV OLD legacy form',
        'RUN echo hi \\',
        '# a comment inside',
        '  && echo $A',
        'RUN --network=none ["sh", "-c", "echo"]',
        'COPY --from=build --chmod=0755 a b /c/',
        'ADD file.txt /d',
        'WORKDIR /w',
        'USER 1000:1000',
        'SHELL ["/bin/bash", "-c"]',
        'CMD ["run"]',
        'EXPOSE 80',
      ].join('\n'),
    );
    expect(parsed.instructions.map((instruction) => instruction.kind)).toEqual([
      'ARG',
      'FROM',
      'ENV',
      'ENV',
      'RUN',
      'RUN',
      'COPY',
      'COPY',
      'WORKDIR',
      'USER',
      'SHELL',
      'CMD',
      'RECORDED',
    ]);
    const [arg, from, env, old, shellRun, execRun, copy] = parsed.instructions;
    expect(arg).toMatchObject({ args: [{ name: 'BASE', value: 'busybox' }] });
    expect(from).toMatchObject({ image: '${BASE}', stageName: 'build', line: 2 });
    expect(env).toMatchObject({
      pairs: [
        { name: 'A', value: '1' },
        { name: 'B', value: '"two words"' },
      ],
    });
    expect(old).toMatchObject({ pairs: [{ name: 'OLD', value: 'legacy form' }] });
    expect(shellRun).toMatchObject({ command: { shell: 'echo hi   && echo $A' }, network: 'default', line: 5 });
    expect(execRun).toMatchObject({ command: { exec: ['sh', '-c', 'echo'] }, network: 'none' });
    expect(copy).toMatchObject({ keyword: 'COPY', args: 'a b /c/', from: 'build', chmod: '0755' });
  });

  it.each([
    ['FROM a\nONBUILD RUN x', 'ONBUILD on line 2: ONBUILD is not supported'],
    ['FROM a\nADD https://example.com/x /x', 'ADD on line 2: ADD of a URL or a git repository is not supported'],
    ['FROM a\nADD git@github.com:o/r.git /x', 'ADD on line 2: ADD of a URL or a git repository'],
    ['FROM a\nADD site.tar.gz /x', 'ADD on line 2: ADD of a local archive'],
    ['FROM a\nCOPY --bogus=1 a /b', 'COPY on line 2: the flag --bogus is not supported'],
    ['FROM a\nRUN --mount=type=cache,target=/c make', 'RUN on line 2: the flag --mount is not supported'],
    ['FROM a\nRUN <<EOF\necho\nEOF', 'RUN on line 2: heredocs'],
    ['FROM a\nCOPY --chown=1:1 a /b', 'COPY on line 2: --chown is not supported yet'],
    ['FROM a\nRUN --network=bridge x', 'RUN on line 2: --network=bridge'],
    ['FROM a\nFROBNICATE x', 'FROBNICATE on line 2: this instruction is not supported'],
    ['RUN x', 'no FROM instruction'],
    ['ENV A=1\nFROM a', 'only ARG may come before the first FROM'],
  ])('%j is refused: %s', async (text, message) => {
    expect((await problemsOf(text)).join('\n')).toContain(message);
  });

  it('lists every problem, not only the first', async () => {
    expect(await problemsOf('FROM a\nONBUILD RUN x\nADD http://x /y')).toHaveLength(2);
  });
});
