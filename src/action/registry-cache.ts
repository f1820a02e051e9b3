// The layer store through an OCI registry (cache: registry): `cubicle cache pull` before the run
// (with the timings of the last trusted run), `cubicle cache push` after it. The token stays in
// the action's process: masked in the log, and handed to the CLI on its stdin (--password-stdin),
// never in its argv or its environment (environment.ts). As with the workflow cache, every
// failure is a warning: a registry that is down or refuses costs a local build, never the run.
import fs from 'node:fs';
import type { Cli } from './cli.js';
import type { RegistryInputs } from './inputs.js';
import type { LayerCacheLog } from './layer-cache.js';

/** With cache: registry, registry-token, masked in the log at once (core.setSecret); '' when not given or not used. */
export function maskRegistryToken(toolkit: { getInput(name: string): string; setSecret(secret: string): void }): string {
  const token = toolkit.getInput('cache') === 'registry' ? toolkit.getInput('registry-token') : '';
  if (token) toolkit.setSecret(token);
  return token;
}

/** `cubicle cache pull|push REF` with the user name, when there are credentials to send on stdin. */
export function registryArguments(command: 'pull' | 'push', registry: RegistryInputs): string[] {
  const args = ['cache', command, registry.ref];
  if (registry.token !== undefined && registry.username !== undefined) args.push('--username', registry.username, '--password-stdin');
  return args;
}

/** How the step's log names where the credentials came from. */
function whose(registry: RegistryInputs): string {
  return registry.token !== undefined ? `as ${registry.username}` : 'with the docker/podman auth files';
}

/**
 * Pulls every layer REF holds that this machine can use; returns the timings file the cache
 * kept (the last trusted run's JUnit report), or undefined when there is none or the pull failed.
 */
export async function pullLayers(cli: Cli, registry: RegistryInputs, timingsTo: string, log: LayerCacheLog): Promise<{ pulled: boolean; timings?: string }> {
  fs.rmSync(timingsTo, { force: true });
  log.info(`cubicle cache pull ${registry.ref} (${whose(registry)})`);
  const result = await cli.run([...registryArguments('pull', registry), '--timings-to', timingsTo], { input: registry.token });
  if (result.exitCode !== 0) {
    log.warning(`cubicle cache pull ${registry.ref} exited with ${result.exitCode} (its output is above); layers are built, not pulled`);
    return { pulled: false };
  }
  return fs.existsSync(timingsTo) ? { pulled: true, timings: timingsTo } : { pulled: true };
}

/** Pushes the layers REF lacks, and `junit` (this run's report, when it has one) as the timings; true when it did. */
export async function pushLayers(cli: Cli, registry: RegistryInputs, junit: string | undefined, log: LayerCacheLog): Promise<boolean> {
  const args = registryArguments('push', registry);
  if (junit) args.push('--timings', junit);
  log.info(`cubicle cache push ${registry.ref} (${whose(registry)}${junit ? `; timings from ${junit}` : '; no report of this run, so no timings'})`);
  const result = await cli.run(args, { input: registry.token });
  if (result.exitCode !== 0) {
    const hint = registry.ref.startsWith('ghcr.io/') ? '; a GITHUB_TOKEN pushes to GHCR only with `permissions: packages: write` in the workflow' : '';
    log.warning(`cubicle cache push ${registry.ref} exited with ${result.exitCode} (its output is above); the registry cache is not updated${hint}`);
    return false;
  }
  return true;
}
