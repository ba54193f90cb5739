/**
 * Files mode writes the state file once per reconcile pass, not once per Service: Service
 * writes are kept in memory until flush(), and the reconcile loop flushes before it announces.
 */
import { expect, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceObject } from '../../agent/api/core.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { StatusStore } from '../../agent/source/files-status.ts';
import { blogPolicy, blogPool } from '../support/blog-objects.ts';
import { FakeSource, FakeSpeaker } from '../support/fake-source.ts';

const allocated = (ip: string) => ({
  ips: [ip],
  condition: {
    type: 'edgelb.io/IPAMRequestSatisfied',
    status: 'True' as const,
    reason: 'Allocated',
    message: 'ok',
  },
});

test('deferred Service writes reach the file only at flush(), all at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelb-defer-'));
  try {
    const path = join(dir, 'state.json');
    const s = new StatusStore(path, new FakeClock(), memoryLogger('error'));
    s.load();
    for (let i = 0; i < 1000; i++)
      expect(s.setService(`default/s${i}`, allocated(`10.0.${i >> 8}.${i & 255}`), { defer: true })).toBe(
        true,
      );
    // An unchanged deferred write neither reports a change nor writes the file.
    expect(s.setService('default/s0', allocated('10.0.0.0'), { defer: true })).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(s.service('default/s999')?.ips).toEqual(['10.0.3.231']);
    s.flush();
    const onDisk = JSON.parse(readFileSync(path, 'utf8')) as { services: Record<string, { ips: string[] }> };
    expect(Object.keys(onDisk.services).length).toBe(1000);
    expect(onDisk.services['default/s999']?.ips).toEqual(['10.0.3.231']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the reconcile pass flushes the writer after publishing and before announcing', async () => {
  const source = new FakeSource();
  const order: string[] = [];
  const speaker = new FakeSpeaker();
  const setAdvertisements = speaker.setAdvertisements.bind(speaker);
  speaker.setAdvertisements = (m) => {
    order.push('announce');
    setAdvertisements(m);
  };
  const write = source.writer.writeServiceStatus.bind(source.writer);
  source.writer.writeServiceStatus = async (svc, st) => {
    order.push('write');
    return write(svc, st);
  };
  source.writer.flush = async () => void order.push('flush');
  const svc: ServiceObject = {
    metadata: {
      name: 'web',
      namespace: 'ingress-nginx',
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  };
  source.state = { ...source.state, pools: [blogPool], policies: [blogPolicy], services: [svc] };
  const r = new Reconciler({
    source,
    speaker: () => speaker,
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: new FakeClock(),
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  await r.runNow();
  r.stop();
  expect(order.indexOf('write')).toBeGreaterThanOrEqual(0);
  expect(order.indexOf('flush')).toBeGreaterThan(order.indexOf('write'));
  expect(order.indexOf('announce')).toBeGreaterThan(order.indexOf('flush'));
});
