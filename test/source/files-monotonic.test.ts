/**
 * The files source's durations on monotonic time: the watch's debounce cap (10 periods under a
 * stream of changes) and the event repeat window (10 min) are neither cut short by a step of the
 * wall clock forward nor stretched by a step back.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { FilesSource } from '../../agent/source/files.ts';
import { DebouncedDirWatch } from '../../agent/source/files-watch.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const BLOG = join(import.meta.dir, '..', 'fixtures', 'files', 'blog');

describe('DebouncedDirWatch across wall-clock steps', () => {
  for (const jump of [HOUR, -HOUR]) {
    test(`a stream of changes with a step of ${jump / HOUR} h fires once, at the 10-period cap`, () => {
      const clock = new FakeClock();
      const fires: number[] = [];
      const m0 = clock.monotonic();
      const w = new DebouncedDirWatch({
        dir: '/nonexistent-edgelb-test',
        clock,
        log: memoryLogger('error'),
        debounceMs: 100,
        onFire: () => fires.push(clock.monotonic() - m0),
      });
      // a change every 50 ms for 2 s: never quiet for a period
      for (let t = 0; t < 2_000; t += 50) {
        if (t === 200) clock.jump(jump);
        w.poke();
        clock.advance(50);
      }
      w.stop();
      // the last poke before the cap (950 ms) armed the fire for 1050 ms; none after restarted it
      expect(fires).toEqual([1_050]);
    });
  }
});

describe('FilesSource event repeats across wall-clock steps', () => {
  let root: string;
  const sources: FilesSource[] = [];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'edgelb-files-mono-'));
    cpSync(BLOG, join(root, 'manifests.d'), { recursive: true });
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function setup() {
    const clock = new FakeClock(Date.UTC(2025, 0, 1));
    const log = memoryLogger();
    const src = new FilesSource({
      manifests: join(root, 'manifests.d'),
      state: join(root, 'lib', 'state.json'),
      nodeName: 'pi4',
      nodeLabels: {},
      clock,
      log,
      debounceMs: 20,
    });
    sources.push(src);
    await src.start(() => {});
    const svc = src.observe().services.find((s) => s.metadata.name === 'ingress-nginx')!;
    const say = () => src.writer.event(svc, 'Allocated', 'Normal', 'allocated 172.198.1.1');
    const lines = () => log.lines.filter((l) => l.includes('"msg":"event"')).map((l) => JSON.parse(l));
    return { clock, say, lines };
  }

  test('a step forward does not end the 10 min window early', async () => {
    const t = await setup();
    t.say();
    t.clock.advance(MINUTE);
    t.clock.jump(HOUR);
    t.say();
    expect(t.lines()).toHaveLength(1);
    t.clock.advance(9 * MINUTE);
    t.say();
    expect(t.lines()).toHaveLength(2);
    expect(t.lines()[1]).toMatchObject({ reason: 'Allocated', repeats: 1 });
  });

  test('a step back does not stretch the 10 min window', async () => {
    const t = await setup();
    t.say();
    t.clock.advance(MINUTE);
    t.clock.jump(-HOUR);
    t.clock.advance(9 * MINUTE);
    t.say();
    expect(t.lines()).toHaveLength(2);
    expect(t.lines()[1]).toMatchObject({ reason: 'Allocated' });
  });
});
