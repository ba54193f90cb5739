/**
 * SHELL. The drained state in the state directory, so `edgelb drain` survives a restart of the
 * agent (and of the machine) until `edgelb undrain`. Written atomically (temporary file, fsync,
 * rename); a missing file means not drained, an unreadable one is an error the caller reports.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';

export interface DrainedRecord {
  drained: boolean;
  /** ISO time of the drain. */
  since?: string;
}

export interface DrainedStore {
  load(): { ok: true; value: DrainedRecord } | { ok: false; message: string };
  save(r: DrainedRecord): { ok: true } | { ok: false; message: string };
}

export function drainedFile(path: string): DrainedStore {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') return { ok: true, value: { drained: false } };
        return { ok: false, message: `cannot read ${path}: ${e.code ?? e.message}` };
      }
      try {
        const v = JSON.parse(text) as DrainedRecord;
        if (typeof v.drained !== 'boolean') throw new Error('no "drained" field');
        return {
          ok: true,
          value: { drained: v.drained, ...(typeof v.since === 'string' ? { since: v.since } : {}) },
        };
      } catch (err) {
        return { ok: false, message: `${path} is not a drained-state file: ${(err as Error).message}` };
      }
    },
    save(r) {
      const tmp = `${path}.tmp`;
      try {
        const fd = openSync(tmp, 'w', 0o640);
        try {
          writeSync(fd, `${JSON.stringify(r)}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, path);
        return { ok: true };
      } catch (err) {
        try {
          unlinkSync(tmp);
        } catch {}
        const e = err as NodeJS.ErrnoException;
        return { ok: false, message: `cannot write ${path}: ${e.code ?? e.message}` };
      }
    },
  };
}
