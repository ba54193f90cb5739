/**
 * Reads and validates the config file. A missing file means the defaults; a file that group or
 * others can write is refused (lib/file-mode.ts), like any other invalid configuration.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { writableProblem } from '../lib/file-mode.ts';
import { type ConfigResult, validateConfig } from './schema.ts';

export const DEFAULT_CONFIG_PATH = '/etc/edgelb/config.yaml';

export type LoadResult = ConfigResult & { path: string; found: boolean };

/** Throws nothing: an unreadable or unparsable file comes back as a problem naming the path. */
export function loadConfig(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { ...validateConfig(undefined), path, found: false };
    const why =
      e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    return {
      ok: false,
      problems: [{ path, message: `cannot read the config file: ${why}` }],
      path,
      found: true,
    };
  }
  let unsafe: string | undefined;
  try {
    unsafe = writableProblem(path, statSync(path).mode);
  } catch {
    unsafe = undefined; // gone since it was read: the content read is what counts
  }
  if (unsafe)
    return { ok: false, problems: [{ path, message: `the config file: ${unsafe}` }], path, found: true };
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length > 1) {
    return {
      ok: false,
      problems: [{ path, message: 'must hold exactly one YAML document' }],
      path,
      found: true,
    };
  }
  const doc = docs[0];
  if (doc && doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    return {
      ok: false,
      problems: [{ path, message: `is not valid YAML${where}: ${e.message.split('\n')[0]}` }],
      path,
      found: true,
    };
  }
  return { ...validateConfig(doc?.toJS()), path, found: true };
}
