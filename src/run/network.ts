// A job's own network, when it is more than loopback of its own: services share it, and
// `network: outbound` gives it a way out through user-mode networking (slirp4netns), as
// rootless Podman does. A holder keeps a user and a network namespace; the job and its
// services join both.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SandboxSetupError, SandboxUnavailableError } from '../core/errors.js';
import { startUsernsHolder } from '../sandbox/userns.js';

export interface JobNetwork {
  readonly userns: string;
  readonly netns: string;
  /** A resolv.conf for the job (outbound only): the user-mode network's DNS forwarder. */
  readonly resolvConf: string | null;
  /** An /etc/hosts for the job and its services: each service's name on the shared loopback. */
  readonly hosts: string | null;
  stop(): Promise<void>;
}

const SLIRP_DNS = '10.0.2.3';

function findTool(name: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/bin', '/usr/sbin'])) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/** slirp4netns opens /dev/net/tun as you; distributions make it 0666, some hosts 0600. */
function requireTun(who: string): void {
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SandboxUnavailableError('OUTBOUND_NETWORK_MISSING', `${who} needs /dev/net/tun, which you cannot open here (${code}); no job was run further`, {
      hint: `As root: chmod 0666 /dev/net/tun (the distributions' default; it grants no privilege by itself), or load the tun module. ${OTHER_MODES}`,
    });
  }
}

/** The other ways, named in every refusal: a setup step gets `outbound` unless its config says otherwise. */
const OTHER_MODES =
  'Or give the job or step `network: none` (own loopback only) where it needs no network; ' +
  "`network: host` (the host's network, its loopback and services included) is the explicit opt-in.";

/**
 * A job's own network namespace, where it needs one: `outbound`, or services to share loopback with
 * (`host` never gets one; `none` without services is the helper's own loopback). Null otherwise.
 */
export async function startNetworkFor(
  job: { readonly network: string; readonly services: readonly { readonly name: string }[] },
  dir: string,
): Promise<JobNetwork | null> {
  if (job.network === 'host' || (job.network !== 'outbound' && job.services.length === 0)) return null;
  const network = await startJobNetwork({ outbound: job.network === 'outbound', dir });
  if (job.services.length === 0) return network;
  const hosts = path.join(dir, 'hosts');
  fs.writeFileSync(hosts, hostsFile(job.services.map((service) => service.name)));
  return { ...network, hosts };
}

/**
 * Each service's name is 127.0.0.1, the loopback the job and its services share, as Compose users
 * write it (`db:5432`). IPv4 only, as Docker gives service names: a server bound to 0.0.0.0 is not on ::1.
 */
export function hostsFile(names: readonly string[]): string {
  return `127.0.0.1\tlocalhost ${names.join(' ')}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
}

/** `who`: what asks for the network, in the refusal ("`network: outbound`", "setup step 1 of job \"unit\" (`network: outbound`, ...)"). */
export async function startJobNetwork(options: { outbound: boolean; dir: string; who?: string }): Promise<JobNetwork> {
  const who = options.who ?? '`network: outbound`';
  const slirp = options.outbound ? findTool('slirp4netns') : null;
  if (options.outbound && !slirp) {
    throw new SandboxUnavailableError('OUTBOUND_NETWORK_MISSING', `${who} needs slirp4netns, which is not installed; no job was run further`, {
      hint: `Install it: apt-get install slirp4netns (and /dev/net/tun must be open to you). ${OTHER_MODES}`,
    });
  }
  const nsenter = options.outbound ? findTool('nsenter') : null;
  if (options.outbound && !nsenter) {
    const what = `${who} needs nsenter (util-linux) to start slirp4netns in the job's user namespace, and it is not installed`;
    throw new SandboxUnavailableError('OUTBOUND_NETWORK_MISSING', `${what}; no job was run further`, {
      hint: `Install it: apt-get install util-linux. ${OTHER_MODES}`,
    });
  }
  if (options.outbound) requireTun(who);
  const holder = await startUsernsHolder({ netns: true });
  if (!holder?.netnsPath)
    throw new SandboxSetupError('network', 'could not create the network namespace a job shares with its services (the user-namespace holder did not start)');
  let slirpProcess: ChildProcess | null = null;
  let resolvConf: string | null = null;
  try {
    if (slirp) {
      slirpProcess = await startSlirp(nsenter!, slirp, holder.path, holder.netnsPath);
      resolvConf = path.join(options.dir, 'resolv.conf');
      fs.writeFileSync(resolvConf, `nameserver ${SLIRP_DNS}\n`);
    }
  } catch (error) {
    await holder.stop();
    throw error;
  }
  return {
    userns: holder.path,
    netns: holder.netnsPath,
    resolvConf,
    hosts: null,
    async stop() {
      if (slirpProcess && slirpProcess.exitCode === null) {
        const exited = new Promise((resolve) => slirpProcess!.once('exit', resolve));
        slirpProcess.kill('SIGTERM');
        await exited;
      }
      await holder.stop();
    },
  };
}

/**
 * slirp4netns attached to the holder's network namespace; resolves once its tap device is
 * configured. It runs as root of the holder's user namespace (nsenter -U), as rootless Podman
 * runs it: from outside, as an ordinary user, its --enable-sandbox fails ("setegid(0)") once it
 * has joined the namespace through --userns-path. Its own network stays the host's.
 */
function startSlirp(nsenter: string, tool: string, userns: string, netns: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      nsenter,
      [
        `--user=${userns}`,
        '--',
        tool,
        '--configure',
        '--mtu=65520',
        '--disable-host-loopback',
        '--enable-sandbox',
        '--enable-seccomp',
        '--netns-type=path',
        '--ready-fd=3',
        netns,
        'tap0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr = (stderr + String(chunk)).slice(-2000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new SandboxSetupError('network', `slirp4netns did not become ready in 10 s: ${stderr.trim()}`));
    }, 10_000);
    (child.stdio[3] as NodeJS.ReadableStream | null)?.once('data', () => {
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new SandboxSetupError('network', `slirp4netns exited with ${code} before it was ready: ${stderr.trim()}`));
    });
  });
}
