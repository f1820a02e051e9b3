// Resolving a path the checkout controls beneath a root, as openat2(RESOLVE_BENEATH) does: each
// component is looked at with lstat, `..` may not climb above the root, and a symlink is
// followed only while it stays beneath the root (an absolute one only when it names the root's
// own prefix). Loops end after MAX_SYMLINKS hops, like the kernel's ELOOP.
import fs from 'node:fs';
import path from 'node:path';
import { PathConfinementError } from '../core/errors.js';

/** The kernel's limit of symlinks followed in one lookup (MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;

export interface ResolveOptions {
  /** Follow a symlink in the last component (when it stays beneath the root); default true. */
  readonly followFinal?: boolean;
  /** Missing components are kept as written (a path about to be created); default false. */
  readonly allowMissing?: boolean;
  /** What is refused when resolution fails, for the error ("nothing was copied"). */
  readonly notDone?: string;
}

/** `rel`'s components; an absolute path, NUL or an empty path is refused. */
export function relativeParts(rel: string, notDone = 'nothing was done'): string[] {
  if (rel.includes('\0')) throw new PathConfinementError(rel, 'contains a NUL byte', notDone);
  if (path.isAbsolute(rel)) throw new PathConfinementError(rel, 'is absolute; it must be relative to its root', notDone);
  return rel.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * The path `rel` names beneath `root`, with every symlink in it resolved (none of which left the
 * root); the result is `root` joined with plain components only. Throws PathConfinementError.
 */
export function resolveBeneath(root: string, rel: string, options: ResolveOptions = {}): string {
  const notDone = options.notDone ?? 'nothing was done';
  const pending = relativeParts(rel, notDone).reverse();
  const parts: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.pop()!;
    if (part === '.' || part === '') continue;
    if (part === '..') {
      if (parts.length === 0) throw new PathConfinementError(rel, `climbs above ${root} with ".."`, notDone);
      parts.pop();
      continue;
    }
    const current = path.join(root, ...parts, part);
    const stat = fs.lstatSync(current, { throwIfNoEntry: false });
    if (!stat) {
      if (!options.allowMissing) throw new PathConfinementError(rel, `does not exist beneath ${root} (${part} is missing)`, notDone);
      parts.push(part);
      continue;
    }
    const isFinal = pending.length === 0;
    if (stat.isSymbolicLink() && (!isFinal || options.followFinal !== false)) {
      hops += 1;
      if (hops > MAX_SYMLINKS) throw new PathConfinementError(rel, `has more than ${MAX_SYMLINKS} symlinks in a row (a loop)`, notDone);
      const target = fs.readlinkSync(current);
      if (target.includes('\0')) throw new PathConfinementError(rel, 'has a symlink with a NUL byte', notDone);
      if (path.isAbsolute(target)) {
        const inside = path.relative(root, target);
        if (inside.startsWith('..') || path.isAbsolute(inside)) {
          throw new PathConfinementError(rel, `leads out of ${root} through the symlink ${path.join(...parts, part)} -> ${target}`, notDone);
        }
        parts.length = 0;
        pending.push(...inside.split('/').filter(Boolean).reverse());
      } else {
        pending.push(...target.split('/').reverse());
      }
      continue;
    }
    if (!isFinal && !stat.isDirectory()) throw new PathConfinementError(rel, `${path.join(...parts, part)} is not a directory`, notDone);
    parts.push(part);
  }
  return path.join(root, ...parts);
}

/** Whether `child` is `parent` or lies beneath it, by their text. */
export function isBeneath(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * A path the runner's operator named (--junit, --artifacts-dir): beneath the checkout it is
 * confined to the checkout; elsewhere its own dir is the root the operator chose.
 */
export function rootFor(file: string, checkout: string | undefined): { root: string; rel: string } {
  if (checkout && isBeneath(file, checkout) && path.resolve(file) !== path.resolve(checkout)) {
    return { root: checkout, rel: path.relative(checkout, file) };
  }
  return { root: path.dirname(file), rel: path.basename(file) };
}
