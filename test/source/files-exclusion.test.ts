/**
 * Files mode: files.nodeLabels carries the exclusion label. The blog's manifests, a reconcile
 * pass: the node allocates as before (it is the leader) but announces nothing, its sessions kept.
 */
import { afterEach, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { EXCLUDE_LB_LABEL } from '../../agent/reconcile/plan/node-state.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { FilesSource } from '../../agent/source/files.ts';
import { FakeSpeaker } from '../support/fake-source.ts';

const BLOG = join(import.meta.dir, '..', 'fixtures', 'files', 'blog');
const roots: string[] = [];
const sources: FilesSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function announced(nodeLabels: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'edgelb-files-excl-'));
  roots.push(root);
  cpSync(BLOG, join(root, 'manifests.d'), { recursive: true });
  const src = new FilesSource({
    manifests: join(root, 'manifests.d'),
    state: join(root, 'state.json'),
    nodeName: 'pi4',
    nodeLabels,
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    log: memoryLogger(),
  });
  sources.push(src);
  await src.start(() => {});
  const speaker = new FakeSpeaker();
  const r = new Reconciler({
    source: src,
    speaker: () => speaker,
    nodeName: 'pi4',
    defaultSecretNamespace: 'default',
    clock: new FakeClock(),
    log: memoryLogger(),
    metrics: new Registry(),
  });
  await r.runNow();
  await r.runNow();
  return { speaker, reasons: r.withholds().map((w) => w.reason) };
}

test('files.nodeLabels with the exclusion label: peers kept, no prefix announced', async () => {
  const open = await announced({ peering: 'yes' });
  expect([...open.speaker.adverts.values()].flat().length).toBeGreaterThan(0);
  expect(open.reasons).toEqual([]);
  const excluded = await announced({ peering: 'yes', [EXCLUDE_LB_LABEL]: 'true' });
  expect(excluded.speaker.peers.length).toBe(open.speaker.peers.length);
  expect([...excluded.speaker.adverts.values()]).toEqual(open.speaker.peers.map(() => []));
  expect(excluded.reasons).toEqual(['NodeExcluded']);
});
