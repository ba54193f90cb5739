/**
 * Issue 21 in files mode: a Service removed from the manifests keeps its IP held in the state
 * file's pool status, across an agent restart; put back within the hold, it gets the same IP.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { FilesSource } from '../../agent/source/files.ts';
import { FakeSpeaker } from '../support/fake-source.ts';

const BLOG = join(import.meta.dir, '..', 'fixtures', 'files', 'blog');
let root: string;
let manifests: string;
let statePath: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'edgelb-holds-'));
  manifests = join(root, 'manifests.d');
  statePath = join(root, 'state.json');
  cpSync(BLOG, manifests, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function agent(clock: FakeClock) {
  const src = new FilesSource({
    manifests,
    state: statePath,
    nodeName: 'pi4',
    nodeLabels: { peering: 'yes' },
    nodeAddress: '192.168.2.12',
    clock,
    log: memoryLogger(),
    debounceMs: 5,
  });
  const r = new Reconciler({
    source: src,
    speaker: () => new FakeSpeaker(),
    nodeName: 'pi4',
    defaultSecretNamespace: 'kube-system',
    clock,
    log: memoryLogger(),
    metrics: new Registry(),
  });
  await src.start(() => {});
  await r.runNow();
  return {
    src,
    r,
    ips: (name: string) =>
      src
        .observe()
        .services.find((s) => s.metadata.name === name)
        ?.status?.loadBalancer?.ingress?.map((i) => i.ip),
    async stop() {
      r.stop();
      await src.stop();
    },
  };
}

test('files mode: the hold survives a restart in the state file; re-created, the same IP', async () => {
  const clock = new FakeClock(Date.parse('2026-06-01T00:00:00Z'));
  const services = join(manifests, 'services.yaml');
  const full = readFileSync(services, 'utf8');
  const a = await agent(clock);
  expect(a.ips('ingress-nginx-internal')).toEqual(['172.198.1.2']);
  // Remove the second Service (everything after the first document).
  writeFileSync(services, full.slice(0, full.indexOf('\n---\n') + 1));
  await a.src.reload();
  await a.r.runNow();
  await a.stop();
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  expect(Object.keys(state.services)).toEqual(['ingress-nginx/ingress-nginx']);
  const pool = Object.values(state.pools)[0] as { held: unknown[]; heldCount: number };
  expect(pool.held).toEqual([
    {
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-internal',
      ip: '172.198.1.2',
      expires: '2026-06-01T00:10:00Z',
      since: '2026-06-01T00:00:00Z',
    },
  ]);
  // Restart 5 minutes later with the Service back in the manifests.
  clock.advance(300_000);
  writeFileSync(services, full);
  const b = await agent(clock);
  expect(b.ips('ingress-nginx-internal')).toEqual(['172.198.1.2']);
  const after = JSON.parse(readFileSync(statePath, 'utf8'));
  expect((Object.values(after.pools)[0] as { held?: unknown }).held).toBeUndefined();
  await b.stop();
});
