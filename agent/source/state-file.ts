/**
 * The files-mode allocation state: what the API server's status subresources hold in
 * kubernetes mode. Written atomically (temp file in the same directory, fsync, rename,
 * fsync of the directory), mode 0600. The previous good version is kept as `<path>.bak`
 * (a hard link, so no extra write); a corrupt file is never deleted: it is moved aside
 * as `<path>.corrupt-<timestamp>`, reported, and the .bak is used instead.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import type { HeldIP } from '../api/pool.ts';
import type { Condition } from '../api/v1alpha1.ts';
import { isMap } from '../api/validate/fields.ts';

export const STATE_VERSION = 1;

export interface ServiceState {
  ips: string[];
  condition: Omit<Condition, 'lastTransitionTime'>;
  lastTransitionTime: string;
}

export interface PoolState {
  conditions: Condition[];
  ipsTotal: string;
  ipsUsed: string;
  ipsAvailable: string;
  /** Addresses held for deleted Services (the pool's status.held). */
  held?: HeldIP[];
  heldCount?: number;
}

const isHeld = (v: unknown): boolean =>
  isMap(v) &&
  typeof v.namespace === 'string' &&
  typeof v.name === 'string' &&
  typeof v.ip === 'string' &&
  typeof v.expires === 'string';

export interface PolicyState {
  conditions: Condition[];
}

export interface AllocationState {
  version: typeof STATE_VERSION;
  /** "namespace/name" -> allocation. */
  services: Record<string, ServiceState>;
  /** Pool name -> status. */
  pools: Record<string, PoolState>;
  /** Policy name -> status. */
  policies: Record<string, PolicyState>;
}

export function emptyState(): AllocationState {
  return { version: STATE_VERSION, services: {}, pools: {}, policies: {} };
}

export type ParseStateResult = { ok: true; state: AllocationState } | { ok: false; error: string };

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCondition = (v: unknown, withTime: boolean): boolean =>
  isMap(v) &&
  typeof v.type === 'string' &&
  typeof v.status === 'string' &&
  typeof v.reason === 'string' &&
  typeof v.message === 'string' &&
  (!withTime || typeof v.lastTransitionTime === 'string');

/** PURE. Parses and checks the shape; any deviation makes the whole file corrupt. */
export function parseState(text: string): ParseStateResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not valid JSON (${(err as Error).message})` };
  }
  if (!isMap(doc)) return { ok: false, error: 'not a JSON object' };
  if (doc.version !== STATE_VERSION)
    return { ok: false, error: `unsupported version ${JSON.stringify(doc.version)}` };
  const state = emptyState();
  for (const section of ['services', 'pools', 'policies'] as const) {
    const v = doc[section] ?? {};
    if (!isMap(v)) return { ok: false, error: `"${section}" is not an object` };
  }
  for (const [key, s] of Object.entries((doc.services ?? {}) as Record<string, unknown>)) {
    if (
      !isMap(s) ||
      !isStrings(s.ips) ||
      !isCondition(s.condition, false) ||
      typeof s.lastTransitionTime !== 'string'
    ) {
      return { ok: false, error: `services["${key}"] is malformed` };
    }
    state.services[key] = s as unknown as ServiceState;
  }
  for (const [name, p] of Object.entries((doc.pools ?? {}) as Record<string, unknown>)) {
    const ok =
      isMap(p) &&
      Array.isArray(p.conditions) &&
      p.conditions.every((c) => isCondition(c, true)) &&
      typeof p.ipsTotal === 'string' &&
      typeof p.ipsUsed === 'string' &&
      typeof p.ipsAvailable === 'string' &&
      (p.held === undefined || (Array.isArray(p.held) && p.held.every(isHeld)));
    if (!ok) return { ok: false, error: `pools["${name}"] is malformed` };
    state.pools[name] = p as unknown as PoolState;
  }
  for (const [name, p] of Object.entries((doc.policies ?? {}) as Record<string, unknown>)) {
    if (!isMap(p) || !Array.isArray(p.conditions) || !p.conditions.every((c) => isCondition(c, true))) {
      return { ok: false, error: `policies["${name}"] is malformed` };
    }
    state.policies[name] = p as unknown as PolicyState;
  }
  return { ok: true, state };
}

export interface LoadedState {
  state: AllocationState;
  /** Where it came from: the file, its .bak, or nothing (first start or nothing usable). */
  from: 'file' | 'backup' | 'empty';
  /** One sentence per problem, naming the file. */
  problems: string[];
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function stamp(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Reads the state. A corrupt file is renamed to `<path>.corrupt-<UTC time>` (never
 * deleted) and the .bak is used if it is good; only when there is no good copy does
 * it start empty. Unreadable files (permissions) throw: starting empty would reshuffle IPs.
 */
export function readStateFile(path: string, now: number): LoadedState {
  const problems: string[] = [];
  const text = readIfExists(path);
  if (text !== undefined) {
    const r = parseState(text);
    if (r.ok) return { state: r.state, from: 'file', problems };
    let aside = `${path}.corrupt-${stamp(now)}`;
    for (let i = 1; existsSync(aside) && i < 100; i++) aside = `${path}.corrupt-${stamp(now)}-${i}`;
    renameSync(path, aside);
    problems.push(`state file ${path} is corrupt (${r.error}); kept it as ${basename(aside)}`);
  }
  const bak = readIfExists(`${path}.bak`);
  if (bak !== undefined) {
    const r = parseState(bak);
    if (r.ok) {
      if (text === undefined)
        problems.push(
          `state file ${path} is missing; restored the previous state from ${basename(path)}.bak`,
        );
      else problems[0] += `; restored the previous state from ${basename(path)}.bak`;
      return { state: r.state, from: 'backup', problems };
    }
    problems.push(`backup state file ${path}.bak is corrupt too (${r.error}); starting with no allocations`);
  } else if (text !== undefined) {
    problems[0] += '; no backup, starting with no allocations';
  }
  return { state: emptyState(), from: 'empty', problems };
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Writes the state atomically with mode 0600. The current file (the last good state)
 * becomes the .bak first, by hard link, so at every instant both names hold a complete
 * file or are absent.
 */
export function writeStateFile(path: string, state: AllocationState): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  const data = `${JSON.stringify(state, null, 2)}\n`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    const bytes = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkQuiet(tmp);
    throw err;
  }
  closeSync(fd);
  if (existsSync(path)) {
    const bakTmp = `${path}.bak.tmp-${process.pid}`;
    unlinkQuiet(bakTmp);
    try {
      linkSync(path, bakTmp);
    } catch {
      // Filesystems without hard links: a copy does the same, at the cost of a write.
      copyFileSync(path, bakTmp);
    }
    renameSync(bakTmp, `${path}.bak`);
  }
  renameSync(tmp, path);
  fsyncDir(dir);
}
