// A layered root's lowest layer, made on disk just before the helper starts: every mount point
// of the sandbox (and the host's merged-/usr symlinks) already there, so the helper never has to
// create one in the upper dir, and committed layers hold only what the step wrote. The plan
// (plan/sandbox-spec.ts) only names it; this is the one place that writes it.
import fs from 'node:fs';
import path from 'node:path';
import { atPath, makeDirsBeneath, resolveBeneath, withDirBeneath } from '../confine/index.js';
import type { MountOp, RootSkeleton } from './ops.js';

export function makeSkeleton(skeleton: RootSkeleton): void {
  fs.mkdirSync(skeleton.upper, { recursive: true, mode: 0o755 });
  fs.mkdirSync(skeleton.work, { recursive: true, mode: 0o700 });
  writeSkeleton(skeleton.dir, skeleton.ops, skeleton.home, skeleton.workdir);
}

function writeSkeleton(dir: string, ops: readonly MountOp[], home: string, workdir: string | undefined): void {
  // Mount points come from the config too (HOME, cache destinations): each is made beneath the
  // skeleton, through the skeleton's own links (/bin -> usr/bin) but never out of it.
  const notDone = 'the sandbox was not made';
  const beneath = (dest: string) => path.relative(dir, resolveBeneath(dir, dest.replace(/^\/+/, '') || '.', { allowMissing: true, notDone }));
  const ensureDir = (dest: string) => makeDirsBeneath(dir, beneath(dest) || '.', 0o755, 'the sandbox was not made');
  for (const op of ops) {
    if (op.kind === 'symlink') {
      ensureDir(path.dirname(op.dest));
      withDirBeneath(dir, beneath(path.dirname(op.dest)) || '.', (fd) => {
        if (!fs.lstatSync(atPath(fd, path.basename(op.dest)), { throwIfNoEntry: false })) fs.symlinkSync(op.target, atPath(fd, path.basename(op.dest)));
      });
    } else if (op.kind === 'bind' || op.kind === 'ro-bind' || op.kind === 'dev-bind') {
      if (fs.statSync(op.src).isDirectory()) ensureDir(op.dest);
      else {
        ensureDir(path.dirname(op.dest));
        withDirBeneath(dir, beneath(path.dirname(op.dest)) || '.', (fd) => {
          const { O_WRONLY, O_CREAT, O_NOFOLLOW } = fs.constants;
          fs.closeSync(fs.openSync(atPath(fd, path.basename(op.dest)), O_WRONLY | O_CREAT | O_NOFOLLOW, 0o644));
        });
      }
    } else {
      ensureDir(op.dest);
    }
  }
  if (path.isAbsolute(home)) ensureDir(home);
  if (workdir !== undefined && path.isAbsolute(workdir)) ensureDir(workdir);
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
}
