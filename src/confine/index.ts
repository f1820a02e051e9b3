// Every host-side read and write of a path the checkout controls goes through this folder:
// resolution beneath a root (./resolve.ts), a no-follow walk of open dirs (./open.ts), and
// writes by exclusive temp file and rename inside a checked dir (./write.ts).
export { isBeneath, MAX_SYMLINKS, relativeParts, resolveBeneath, rootFor, type ResolveOptions } from './resolve-beneath.js';
export { atPath, createFileBeneath, makeDirsBeneath, openDirBeneath, openFileBeneath, readFileBeneath, withDirBeneath } from './open.js';
export { copyFileBeneath, writeFileBeneath, type WriteBeneathOptions } from './write.js';
export { envPathProblems, HOST_PATH_VARIABLES, hostPathProblem } from './env-path.js';
