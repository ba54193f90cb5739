/**
 * PURE.
 * Permission rules for files edgelb trusts (the config file, a kubeconfig): one that group or
 * others can write is refused, since whoever can edit it can point edgelb at another API server
 * or identity, or change what it announces; a kubeconfig that others can read while it holds a
 * credential (token, client key, password) is used with a warning. Pure on the mode bits; the
 * callers stat the file.
 */

/** Group- or other-writable (the 0o022 bits). */
export const WRITABLE_BY_OTHERS = 0o022;
/** Readable by others (0o004). */
export const READABLE_BY_OTHERS = 0o004;

/** The permission bits as chmod prints them: 0644. */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** Who besides the owner can write, for a message: "group", "others" or "group and others". */
function writers(mode: number): string {
  const g = (mode & 0o020) !== 0;
  const o = (mode & 0o002) !== 0;
  return g && o ? 'group and others' : g ? 'group' : 'others';
}

/** Why a file with `mode` must not be used (names the chmod to run), or undefined. */
export function writableProblem(path: string, mode: number): string | undefined {
  if ((mode & WRITABLE_BY_OTHERS) === 0) return undefined;
  return `${writers(mode)} can write it (mode ${octalMode(mode)}); refusing to use it: run \`chmod go-w ${path}\``;
}

/** A warning for a file holding a credential that others can read, or undefined. */
export function readableWarning(path: string, mode: number): string | undefined {
  if ((mode & READABLE_BY_OTHERS) === 0) return undefined;
  return `others can read it (mode ${octalMode(mode)}) and it holds a credential: run \`chmod o-r ${path}\``;
}
