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
      '--hostname',
      'unit',
      '--status-fd',
      '3',
      '--chdir',
      '/app',
      '--timeout-ms',
      '1500',
      '--ro-bind',
      '/usr',
      '/usr',
      '--symlink',
      'usr/bin',
      '/bin',
      '--perms',
      '1777',
      '--tmpfs',
      '/tmp',
      '--overlay',
      '/l1:/l2',
      '/u',
      '/w',
      '/app',
      '--proc',
      '/proc',
      '--',
      'npm',
      'test',
    ]);
  });
});

describe('cgroup arguments', () => {
  it('names each job cgroup and each limit, and nothing when the run has no cgroups', () => {
    const base = { ops: [], command: ['true'], env: {}, cwd: '/', hostname: 'j', shareNetwork: false };
    const args = toHelperArgs({ ...base, cgroup: { dirs: ['/cg/memory/j', '/cg/pids/j'], memoryBytes: 67108864, cpus: 0.5, pids: 64 } });
    expect(args.join(' ')).toContain('--cgroup /cg/memory/j --cgroup /cg/pids/j --memory-max 67108864 --cpus 0.5 --pids-max 64');
    expect(toHelperArgs(base).join(' ')).not.toContain('--cgroup');
  });
});

describe('userns argument', () => {
  it('joins the given user namespace with --userns, and adds nothing without one', () => {
    const base = { ops: [], command: ['true'], env: {}, cwd: '/', hostname: 'j', shareNetwork: false };
    expect(toHelperArgs({ ...base, userns: '/proc/42/ns/user' }).join(' ')).toContain('--userns /proc/42/ns/user --');
    expect(toHelperArgs(base)).not.toContain('--userns');
  });
});

describe('join argument', () => {
  it('joins a running sandbox with --join PID, and its user namespace first with --userns', () => {
    const base = { ops: [], command: ['true'], env: {}, cwd: '/', hostname: 'j', shareNetwork: false };
    expect(toHelperArgs({ ...base, join: 4242, userns: '/proc/7/ns/user' }).join(' ')).toContain('--join 4242 --userns /proc/7/ns/user --');
    expect(toHelperArgs(base)).not.toContain('--join');
  });
});

describe('volatile uppers', () => {
  it('asks for --volatile-upper only when the spec says its uppers are thrown away', () => {
    const base = { ops: [], command: ['true'], env: {}, cwd: '/', hostname: 'j', shareNetwork: false };
    expect(toHelperArgs({ ...base, volatileUpper: true })).toContain('--volatile-upper');
    expect(toHelperArgs(base)).not.toContain('--volatile-upper');
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
