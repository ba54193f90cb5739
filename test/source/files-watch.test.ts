import { afterEach, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { DebouncedDirWatch, REWATCH_MS } from '../../agent/source/files-watch.ts';

const dirs: string[] = [];
const watches: DebouncedDirWatch[] = [];
afterEach(() => {
  for (const w of watches.splice(0)) w.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function make(dir: string) {
  const clock = new FakeClock();
  let fired = 0;
  const w = new DebouncedDirWatch({
    dir,
    clock,
    log: memoryLogger(),
    debounceMs: 100,
    onFire: () => fired++,
  });
  watches.push(w);
  return { clock, w, fired: () => fired };
}

test('fires once after the quiet period', () => {
  const { clock, w, fired } = make('/nonexistent-edgelb-test');
  w.poke();
  clock.advance(60);
  w.poke();
  clock.advance(60);
  expect(fired()).toBe(0);
  clock.advance(40);
  expect(fired()).toBe(1);
  clock.advance(1000);
  expect(fired()).toBe(1);
});

test('a stream of changes cannot postpone the reload beyond 10 periods', () => {
  const { clock, w, fired } = make('/nonexistent-edgelb-test');
  for (let i = 0; i < 30 && fired() === 0; i++) {
    w.poke();
    clock.advance(50);
  }
  expect(fired()).toBe(1);
  expect(clock.now() - 1_700_000_000_000).toBeLessThanOrEqual(1100);
});

test('cancel() drops a pending fire; stop() ends everything', () => {
  const { clock, w, fired } = make('/nonexistent-edgelb-test');
  w.poke();
  w.cancel();
  clock.advance(500);
  expect(fired()).toBe(0);
  w.stop();
  w.poke();
  clock.advance(500);
  expect(fired()).toBe(0);
  expect(clock.pending()).toBe(0);
});

test('a directory that appears later is watched and reloaded', () => {
  const root = mkdtempSync(join(tmpdir(), 'edgelb-watch-'));
  dirs.push(root);
  const dir = join(root, 'manifests.d');
  const { clock, w, fired } = make(dir);
  w.start();
  expect(w.watching).toBe(false);
  clock.advance(REWATCH_MS);
  expect(w.watching).toBe(false);
  mkdirSync(dir);
  clock.advance(REWATCH_MS);
  expect(w.watching).toBe(true);
  clock.advance(100);
  expect(fired()).toBe(1);
});
