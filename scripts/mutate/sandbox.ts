/**
 * A copy of the repository to mutate: the worktree is never written. One file is mutated at
 * a time, and put back in a `finally`; a backup of the original sits next to the copy, and
 * SIGINT/SIGTERM put it back before exiting, so even an interrupted run leaves the copy whole.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const COPIED = ['agent', 'test', 'scripts', 'package.json', 'tsconfig.json', 'bunfig.toml'];

export class Sandbox {
  readonly dir: string;
  private current: { file: string; original: string } | undefined;

  constructor(root: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'edgelb-mutate-'));
    for (const p of COPIED)
      if (existsSync(join(root, p))) cpSync(join(root, p), join(this.dir, p), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(this.dir, 'node_modules'));
    mkdirSync(join(this.dir, '.mutate-backup'));
  }

  /** Runs `fn` with `file` replaced by `text`; the original is back when it returns or throws. */
  async with<T>(file: string, text: string, fn: () => Promise<T>): Promise<T> {
    const abs = join(this.dir, file);
    const original = readFileSync(abs, 'utf8');
    const backup = join(this.dir, '.mutate-backup', file);
    mkdirSync(dirname(backup), { recursive: true });
    writeFileSync(backup, original);
    this.current = { file, original };
    try {
      writeFileSync(abs, text);
      return await fn();
    } finally {
      this.restore();
    }
  }

  /** Puts the file under mutation back (idempotent; used by the signal handlers too). */
  restore(): void {
    const c = this.current;
    if (!c) return;
    writeFileSync(join(this.dir, c.file), c.original);
    rmSync(join(this.dir, '.mutate-backup', c.file), { force: true });
    this.current = undefined;
  }

  remove(): void {
    this.restore();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
