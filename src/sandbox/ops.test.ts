import { describe, expect, it } from 'vitest';
import { orderByDepth, toHelperArgs, type MountOp } from './ops.js';

describe('toHelperArgs', () => {
  it('compiles a spec into the helper argv, ops in order, command after --', () => {
    const args = toHelperArgs({
      ops: [
        { kind: 'ro-bind', src: '/usr', dest: '/usr' },
        { kind: 'symlink', target: 'usr/bin', dest: '/bin' },
        { kind: 'tmpfs', dest: '/tmp', mode: 0o1777 },
        { kind: 'overlay', lowers: ['/l1', '/l2'], upper: '/u', work: '/w', dest: '/app' },
        { kind: 'proc', dest: '/proc' },
      ],
      command: ['npm', 'test'],
      env: {},
      cwd: '/app',
      hostname: 'unit',
      shareNetwork: false,
      timeoutMs: 1500,
    });
    expect(args).toEqual([
      '--hostname', 'unit', '--status-fd', '3', '--chdir', '/app', '--timeout-ms', '1500',
      '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--perms', '1777', '--tmpfs', '/tmp',
      '--overlay', '/l1:/l2', '/u', '/w', '/app', '--proc', '/proc', '--', 'npm', 'test',
    ]);
  });
});

describe('orderByDepth', () => {
  it('puts parent mounts before the mounts inside them, keeping order otherwise', () => {
    const ops: MountOp[] = [
      { kind: 'overlay', lowers: ['/tmp/app'], upper: '/u', work: '/w', dest: '/tmp/app' },
      { kind: 'ro-bind', src: '/usr', dest: '/usr' },
      { kind: 'tmpfs', dest: '/tmp' },
      { kind: 'ro-bind', src: '/etc', dest: '/etc' },
    ];
    expect(orderByDepth(ops).map((op) => op.dest)).toEqual(['/usr', '/tmp', '/etc', '/tmp/app']);
  });
});
