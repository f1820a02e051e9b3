// The diagnoses doctor gives inside a container, from /proc files captured in real podman 4.3
// containers (runc, a cgroup-v1 host); test/containers/podman.mjs runs the containers themselves.
import { describe, expect, it } from 'vitest';
import {
  containerUserNamespaceFix,
  detectContainer,
  explainContainerCgroups,
  explainOverlayFailure,
  explainSandboxFailure,
  type ContainerProbe,
} from './container.js';

const ID = 'libpod-65d00e71b1ecef883c7353fb8496dafd05e57a3ac29449db984361df3305f0c0';
const CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];

/** podman's default mounts: overlay root, masked /proc, cgroup v1 hierarchies of the container's own cgroup. */
function mountinfo(options: { cgroupMode: 'ro' | 'rw'; cacheVolume?: boolean; masked?: boolean }): string {
  const lines = [
    '102 76 0:42 / / rw,nodev,relatime - overlay overlay rw,lowerdir=/rootfs,upperdir=/upper,workdir=/work',
    '103 102 0:45 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
    '112 105 0:49 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755',
    ...CONTROLLERS.map(
      (name, index) =>
        `${113 + index} 112 0:${28 + index} /libpod_parent/${ID} /sys/fs/cgroup/${name} ${options.cgroupMode},nosuid,nodev,noexec,relatime` +
        ` - cgroup cgroup rw,${name}`,
    ),
  ];
  if (options.masked !== false) {
    lines.push(
      '77 103 0:45 /bus /proc/bus ro,nosuid,nodev,noexec,relatime - proc proc rw',
      '80 103 0:45 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw',
      '81 103 0:50 / /proc/acpi ro,relatime - tmpfs tmpfs ro',
      '82 103 0:46 /null /proc/keys rw,nosuid,noexec - tmpfs tmpfs rw,size=65536k,mode=755',
    );
  }
  if (options.cacheVolume) lines.push('130 102 254:0 /tmp/cache /cache rw,relatime - ext4 /dev/vda rw');
  return `${lines.join('\n')}\n`;
}

function container(files: Record<string, string>, env: NodeJS.ProcessEnv = {}, dirs: string[] = []): ContainerProbe {
  return { env, exists: (file) => file in files || dirs.includes(file), read: (file) => files[file] };
}

const hostCgroups = `${CONTROLLERS.map((name, index) => `${8 - index}:${name}:/libpod_parent/${ID}`).join('\n')}\n0::/libpod_parent/${ID}\n`;
const ownCgroups = `${CONTROLLERS.map((name, index) => `${8 - index}:${name}:/`).join('\n')}\n0::/\n`;
const podmanDefault = {
  '/run/.containerenv': '',
  '/proc/self/status': 'Name:\tnode\nSeccomp:\t2\nSeccomp_filters:\t1\n',
  '/proc/self/mountinfo': mountinfo({ cgroupMode: 'ro' }),
  '/proc/self/cgroup': hostCgroups,
  '/proc/self/uid_map': '         0          0 4294967295\n',
};
const hierarchies = CONTROLLERS.map((name) => `/sys/fs/cgroup/${name}`);

describe('detectContainer', () => {
  it('names podman by /run/.containerenv, docker by /.dockerenv, Kubernetes by its service variable', () => {
    expect(detectContainer(container({ '/run/.containerenv': '' }))).toEqual({ engine: 'podman', evidence: '/run/.containerenv' });
    expect(detectContainer(container({ '/.dockerenv': '' }))?.engine).toBe('docker');
    expect(detectContainer(container({ '/.dockerenv': '' }, { KUBERNETES_SERVICE_HOST: '10.0.0.1' }))?.engine).toBe('kubernetes');
    expect(detectContainer(container({}, { container: 'lxc' }))).toEqual({ engine: 'other', evidence: 'container=lxc' });
    expect(detectContainer(container({ '/proc/1/cgroup': '0::/system.slice/docker-abc.scope\n' }))?.engine).toBe('docker');
  });

  it('finds none on a plain host', () => {
    expect(detectContainer(container({ '/proc/1/cgroup': '0::/init.scope\n' }))).toBeNull();
  });
});

describe('explainSandboxFailure', () => {
  it('blames the seccomp profile for sethostname refused under podman defaults, with seccomp=unconfined as the fix', () => {
    const probe = container(podmanDefault);
    const diagnosis = explainSandboxFailure('sethostname `cubicle-doctor`: Operation not permitted', detectContainer(probe), probe);
    expect(diagnosis?.cause).toMatch(/^seccomp forbids sethostname inside a container \(\/run\/\.containerenv\)/);
    expect(diagnosis?.fix).toMatch(/--security-opt seccomp=unconfined/);
  });

  it("blames masked /proc paths for a refused proc mount, with the runtime's own unmask option", () => {
    const podman = container({ ...podmanDefault, '/proc/self/status': 'Seccomp:\t0\n' });
    const diagnosis = explainSandboxFailure('mount proc on `/proc`: Operation not permitted', detectContainer(podman), podman);
    expect(diagnosis?.cause).toMatch(/mount of a fresh proc denied .*\/proc\/bus, \/proc\/sys, \/proc\/acpi, \/proc\/keys/);
    expect(diagnosis?.fix).toMatch(/--security-opt unmask=ALL/);
    const dockerFix = explainSandboxFailure('mount proc on `/proc`: Operation not permitted', { engine: 'docker', evidence: '/.dockerenv' }, podman)?.fix;
    expect(dockerFix).toMatch(/systempaths=unconfined/);
  });

  it('says nothing outside a container, or for a failure no container explains', () => {
    const probe = container(podmanDefault);
    expect(explainSandboxFailure('sethostname `x`: Operation not permitted', null, probe)).toBeNull();
    expect(explainSandboxFailure('unshare: No space left on device', detectContainer(probe), probe)).toBeNull();
    const unmaskedFiles = { '/proc/self/status': 'Seccomp:\t0\n', '/proc/self/mountinfo': mountinfo({ cgroupMode: 'rw', masked: false }) };
    const unmasked = container({ ...podmanDefault, ...unmaskedFiles });
    expect(explainSandboxFailure('mount proc on `/proc`: Operation not permitted', detectContainer(unmasked), unmasked)).toBeNull();
  });
});

describe('containerUserNamespaceFix', () => {
  it('names the container and both options of its runtime', () => {
    const fix = containerUserNamespaceFix({ engine: 'docker', evidence: '/.dockerenv' });
    expect(fix).toMatch(/inside this container \(\/\.dockerenv\): .*seccomp=unconfined.*systempaths=unconfined/);
  });
});

describe('explainOverlayFailure', () => {
  const failure =
    'overlay upper `/root/.cache/cubicle/x/upper` ...: Invalid argument (overlay: filesystem on /root/.cache/cubicle/x/upper not supported as upperdir)';

  it('names the overlayfs root under the cache dir and a volume as the fix', () => {
    const probe = container(podmanDefault);
    const diagnosis = explainOverlayFailure(failure, '/root/.cache/cubicle', detectContainer(probe), probe);
    expect(diagnosis?.cause).toMatch(/the cache dir \/root\/\.cache\/cubicle is on overlayfs \(the container's root filesystem/);
    expect(diagnosis?.fix).toMatch(/-v cubicle-cache:\/root\/\.cache\/cubicle/);
  });

  it('says nothing when the cache dir is on a volume', () => {
    const probe = container({ ...podmanDefault, '/proc/self/mountinfo': mountinfo({ cgroupMode: 'ro', cacheVolume: true }) });
    expect(explainOverlayFailure(failure, '/cache/root', detectContainer(probe), probe)).toBeNull();
  });
});

describe('explainContainerCgroups', () => {
  it('names read-only cgroups and the host cgroup namespace, with --privileged --cgroupns=private', () => {
    const probe = container(podmanDefault, {}, hierarchies);
    const diagnosis = explainContainerCgroups(detectContainer(probe), probe);
    expect(diagnosis?.cause).toMatch(/mounted read-only, and the container shares the host's cgroup namespace/);
    expect(diagnosis?.fix).toMatch(/--privileged --cgroupns=private/);
  });

  it('names only the namespace under --privileged, and nothing once the cgroups are its own and writable', () => {
    const privileged = container({ ...podmanDefault, '/proc/self/mountinfo': mountinfo({ cgroupMode: 'rw' }) }, {}, hierarchies);
    expect(explainContainerCgroups(detectContainer(privileged), privileged)?.cause).toMatch(/^the container shares the host's cgroup namespace/);
    const own = container({ ...podmanDefault, '/proc/self/mountinfo': mountinfo({ cgroupMode: 'rw' }), '/proc/self/cgroup': ownCgroups }, {}, hierarchies);
    expect(explainContainerCgroups(detectContainer(own), own)).toBeNull();
  });

  it('on cgroup v2 gives --privileged alone (its cgroup namespace is already its own)', () => {
    const v2 = {
      ...podmanDefault,
      '/proc/self/cgroup': '0::/\n',
      '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n',
      '/proc/self/mountinfo': '30 29 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n',
    };
    const probe = container(v2);
    const diagnosis = explainContainerCgroups(detectContainer(probe), probe);
    expect(diagnosis?.cause).toMatch(/^the cgroup filesystem is mounted read-only \(/);
    expect(diagnosis?.fix).toMatch(/^`--privileged` .*cgroup v2/);
  });

  it('tells a rootless container on cgroup v1 that no option of its own helps', () => {
    const rootless = container({ ...podmanDefault, '/proc/self/cgroup': ownCgroups, '/proc/self/uid_map': '0 1001 1\n1 100000 65536\n' }, {}, hierarchies);
    expect(explainContainerCgroups(detectContainer(rootless), rootless)?.fix).toMatch(/user namespace .* cgroup-v1 host: run the container rootful/);
  });
});
