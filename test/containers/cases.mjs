// The option sets users try for cubicle inside a container, and what each must show: doctor's
// block and fix (the key phrases), and that a limited run is enforced or refused with exit 3.
// Each check returns null when it holds, or what was seen instead.

const checkOf = (seen, id) => seen.doctor.report?.checks.find((check) => check.id === id);

function doctor(id, state, detail, fix) {
  return [
    `doctor: ${id} ${state}${detail ? ` (${detail})` : ''}${fix ? `, fix ${fix}` : ''}`,
    (seen) => {
      const check = checkOf(seen, id);
      if (!check) return `no ${id} check in ${JSON.stringify(seen.doctor).slice(0, 1500)}`;
      if (check.state !== state || (detail && !detail.test(check.detail)) || (fix && !fix.test(check.fix ?? ''))) return JSON.stringify(check);
      return null;
    },
  ];
}

function doctorExit(code) {
  return [`doctor exits ${code}`, (seen) => (seen.doctor.exitCode === code ? null : `exit ${seen.doctor.exitCode}: ${seen.doctor.stderr}`)];
}

/** Limits cannot be had: the run is refused before any job, exit 3, with the reason. */
const limitsRefused = [
  'run with memory and pids limits: refused, exit 3, no job run',
  ({ limited }) =>
    limited.exitCode === 3 && /cannot be enforced here/.test(limited.stderr) && /no job was run/.test(limited.stderr) && limited.jobs === null
      ? null
      : JSON.stringify(limited),
];

/** Limits enforced: the hog is OOM-killed at 64 MiB, the forker hits the pids limit, the job that fits passes. */
const limitsEnforced = [
  'run with memory and pids limits: hog oom at 64 MiB, forks hit pids 16, fits passes (exit 1)',
  (seen) => {
    const jobs = seen.limited.jobs;
    const ok =
      seen.limited.exitCode === 1 &&
      jobs?.hog.status === 'oom' &&
      jobs.hog.limits.enforced === true &&
      jobs.hog.peakMemoryBytes <= 64 * 1024 * 1024 &&
      jobs.forks.status === 'failed' &&
      jobs.forks.pidsLimitHits > 0 &&
      jobs.fits.status === 'passed';
    return ok ? null : JSON.stringify(seen.limited);
  },
];

function noLimitsFails(message) {
  return [
    `run --no-limits: the job errors naming ${message}`,
    ({ unlimited }) =>
      unlimited.exitCode === 1 && unlimited.jobs?.fits.status === 'error' && message.test(unlimited.jobs.fits.message ?? '') ? null : JSON.stringify(unlimited),
  ];
}

const noLimitsRuns = [
  'run --no-limits: the job passes, its limits reported as not enforced',
  ({ unlimited }) =>
    unlimited.exitCode === 0 && unlimited.jobs?.fits.status === 'passed' && unlimited.jobs.fits.limits.enforced === false ? null : JSON.stringify(unlimited),
];

const SECCOMP = doctor('userns', 'missing', /seccomp forbids sethostname/, /--security-opt seccomp=unconfined/);
const MASKED_PROC = doctor('userns', 'missing', /mount of a fresh proc denied.*masks paths of \/proc/, /--security-opt unmask=ALL/);
const CGROUPS_READ_ONLY = doctor('cgroups', 'missing', /cgroup filesystem is mounted read-only/, /--privileged --cgroupns=private/);
const CGROUPS_HOST_NS = doctor('cgroups', 'missing', /shares the host's cgroup namespace/, /--cgroupns=private/);

/** Every case runs as the container's user; `asUser` adds the ordinary user cubtest inside it. */
export const CASES = [
  {
    name: 'default',
    options: [],
    asUser: true,
    expect: {
      root: [doctorExit(3), SECCOMP, CGROUPS_READ_ONLY, limitsRefused, noLimitsFails(/sethostname/)],
      cubtest: [doctorExit(3), SECCOMP, limitsRefused, noLimitsFails(/sethostname/)],
    },
  },
  {
    name: 'seccomp=unconfined',
    options: ['--security-opt', 'seccomp=unconfined'],
    asUser: true,
    expect: {
      root: [doctorExit(3), MASKED_PROC, CGROUPS_READ_ONLY, limitsRefused, noLimitsFails(/mount proc/)],
      cubtest: [doctorExit(3), MASKED_PROC, limitsRefused, noLimitsFails(/mount proc/)],
    },
  },
  {
    name: 'cap-add SYS_ADMIN',
    options: ['--cap-add', 'SYS_ADMIN'],
    asUser: true,
    expect: {
      root: [doctorExit(3), MASKED_PROC, CGROUPS_READ_ONLY, limitsRefused, noLimitsFails(/mount proc/)],
      cubtest: [doctorExit(3), MASKED_PROC, limitsRefused, noLimitsFails(/mount proc/)],
    },
  },
  {
    name: 'seccomp=unconfined + cap-add SYS_ADMIN',
    options: ['--security-opt', 'seccomp=unconfined', '--cap-add', 'SYS_ADMIN'],
    expect: { root: [doctorExit(3), MASKED_PROC, CGROUPS_READ_ONLY, limitsRefused, noLimitsFails(/mount proc/)] },
  },
  {
    name: "seccomp=unconfined + unmask=ALL (doctor's fix)",
    options: ['--security-opt', 'seccomp=unconfined', '--security-opt', 'unmask=ALL'],
    asUser: true,
    expect: {
      root: [doctorExit(0), doctor('userns', 'ok'), doctor('overlay', 'ok'), CGROUPS_READ_ONLY, limitsRefused, noLimitsRuns],
      cubtest: [doctorExit(0), doctor('userns', 'ok'), limitsRefused, noLimitsRuns],
    },
  },
  {
    name: 'privileged',
    options: ['--privileged'],
    asUser: true,
    expect: {
      root: [doctorExit(0), doctor('userns', 'ok'), CGROUPS_HOST_NS, limitsRefused, noLimitsRuns],
      cubtest: [doctorExit(0), limitsRefused, noLimitsRuns],
    },
  },
  {
    name: "privileged + cgroupns=private (doctor's fix)",
    options: ['--privileged', '--cgroupns=private'],
    asUser: true,
    expect: {
      root: [doctorExit(0), doctor('cgroups', 'ok', /cgroup v1: job cgroups go beneath \/sys\/fs\/cgroup\/memory/), limitsEnforced, noLimitsRuns],
      // As on a host: an ordinary user gets cgroups once root delegates them with `cubicle setup`.
      cubtest: [doctor('cgroups', 'missing', null, /cubicle setup --user cubtest/), limitsRefused, noLimitsRuns],
    },
  },
  {
    name: 'privileged + cgroupns=private, cubicle setup --user cubtest inside',
    options: ['--privileged', '--cgroupns=private'],
    asUser: true,
    setupUsers: true,
    expect: { cubtest: [doctorExit(0), doctor('cgroups', 'ok'), limitsEnforced, noLimitsRuns] },
  },
  {
    name: "privileged, cache on the container's overlayfs root",
    options: ['--privileged', '--cgroupns=private'],
    cacheVolume: false,
    expect: {
      root: [
        doctorExit(3),
        doctor('overlay', 'missing', /not supported as upperdir.*is on overlayfs/, /-v cubicle-cache:\/root\/.cache\/cubicle/),
        noLimitsFails(/not supported as upperdir/),
      ],
    },
  },
  {
    name: 'rootless, userns=keep-id',
    options: ['--userns=keep-id'],
    rootless: true,
    expect: { cubtest: [doctorExit(3), SECCOMP, limitsRefused, noLimitsFails(/sethostname/)] },
  },
  {
    name: 'rootless, userns=keep-id + seccomp=unconfined + unmask=ALL',
    options: ['--userns=keep-id', '--security-opt', 'seccomp=unconfined', '--security-opt', 'unmask=ALL'],
    rootless: true,
    expect: {
      cubtest: [
        doctorExit(0),
        doctor('userns', 'ok'),
        doctor('cgroups', 'missing', /mounted read-only/, /user namespace.*cgroup-v1 host.*--no-limits/),
        limitsRefused,
        noLimitsRuns,
      ],
    },
  },
];
