// What the host lets this test process do: who it runs as, whether a job may reach the network.
// test/run-all.mjs runs the suites as root and again as an ordinary user.
import fs from 'node:fs';

export const IS_ROOT = process.getuid?.() === 0;

/**
 * Why `network: outbound` (a setup step's default) cannot run as this user here, or null when it can:
 * slirp4netns must be installed and /dev/net/tun open to us (0666 on distributions, 0600 on some hosts).
 */
export function outboundUnavailable(): string | null {
  const slirp = ['/usr/bin/slirp4netns', '/usr/local/bin/slirp4netns', '/bin/slirp4netns'].some((file) => fs.existsSync(file));
  if (!slirp) return 'needs slirp4netns: apt-get install slirp4netns';
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    return null;
  } catch {
    return `/dev/net/tun is not open to uid ${process.getuid?.()} here (mode 0600); test/run-all.mjs runs this part with a 0666 node`;
  }
}
