/**
 * SHELL. Reading the files source's manifest directory: every *.yaml / *.yml file parsed (a bad
 * file keeps its last good version and is reported naming the file and object), then merged, the
 * first definition of an object winning (files in name order).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { type LoadedObject, parseManifestFile } from './files-manifests.ts';

const MANIFEST = /^[^.].*\.ya?ml$/;

export interface FileEntry {
  objects: LoadedObject[];
  /** True when `objects` is a complete, problem-free version of the file. */
  good: boolean;
}

/** The merged objects and every problem found; or why the directory could not be listed. */
export type ManifestRead =
  | { ok: true; objects: LoadedObject[]; problems: string[] }
  | { ok: false; why: string };

function keeping(files: Map<string, FileEntry>, file: string): string {
  return files.get(file)?.good ? '; keeping the last good version of the file' : '';
}

/**
 * Reads `dir` into `files` (by path; entries of files that are gone are dropped) and merges them.
 * When the directory cannot be listed, `files` is left as it was.
 */
export function readManifests(dir: string, files: Map<string, FileEntry>, log: Logger): ManifestRead {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => MANIFEST.test(n))
      .sort();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT' ? 'does not exist' : e.code === 'ENOTDIR' ? 'is not a directory' : e.message;
    return { ok: false, why };
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const file = join(dir, name);
    seen.add(file);
    let text: string;
    try {
      if (!statSync(file).isFile()) continue;
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push(`${file}: cannot be read (${errorMessage(err)})${keeping(files, file)}`);
      continue;
    }
    const parsed = parseManifestFile(file, text);
    for (const i of parsed.ignored)
      log.debug('manifest object of a kind edgelb does not use, ignored', { object: i });
    if (parsed.problems.length === 0) {
      files.set(file, { objects: parsed.objects, good: true });
      continue;
    }
    const suffix = keeping(files, file);
    problems.push(...parsed.problems.map((p) => p + suffix));
    const prev = files.get(file);
    if (!prev?.good) files.set(file, { objects: parsed.objects, good: false });
  }
  for (const file of [...files.keys()]) if (!seen.has(file)) files.delete(file);

  // Merge, first definition wins (files in name order).
  const byId = new Map<string, { file: string; where: string }>();
  const objects: LoadedObject[] = [];
  for (const [file, entry] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const o of entry.objects) {
      const first = byId.get(o.id);
      if (first) {
        problems.push(
          `${file}: ${o.where} (${o.id}): also defined in ${first.file} ${first.where}; using that one`,
        );
        continue;
      }
      byId.set(o.id, { file, ...o });
      objects.push(o);
    }
  }
  return { ok: true, objects, problems };
}
