/**
 * L2 in the loop and in /status: the reconciler hands every pass to L2 with the valid policies,
 * the leader writes each L2AnnouncementPolicy's Valid condition, invalid ones are named in the
 * problems, and the status document carries the l2 section that `edgelb status` prints per
 * interface (an owned IP not answered makes the node degraded, not unready).
 */
import { describe, expect, test } from 'bun:test';
import type { Condition, L2AnnouncementPolicy } from '../../agent/api/v1alpha1.ts';
import { formatStatus } from '../../agent/cli/status-format.ts';
import { emptyStatus, isHealthy, type L2Doc } from '../../agent/http/status-doc.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import type { ValidObjects } from '../../agent/reconcile/plan/valid-objects.ts';
import { Reconciler } from '../../agent/reconcile/reconciler.ts';
import { buildStatus, notReadyReasons } from '../../agent/reconcile/status.ts';
import { FakeSource } from '../support/fake-source.ts';

const policy = (name: string, spec: L2AnnouncementPolicy['spec'] = {}): L2AnnouncementPolicy => ({
  apiVersion: 'edgelb.io/v1alpha1',
  kind: 'L2AnnouncementPolicy',
  metadata: { name },
  spec,
});

function setup() {
  const source = new FakeSource();
  const l2Writes: { name: string; c: Omit<Condition, 'lastTransitionTime'> }[] = [];
  source.writer.writeL2PolicyStatus = async (p, c) => {
    l2Writes.push({ name: p.metadata.name, c });
  };
  const seen: ValidObjects[] = [];
  const r = new Reconciler({
    source,
    speaker: () => undefined,
    l2: { update: (_o, objects) => seen.push(objects) },
    nodeName: 'worker',
    defaultSecretNamespace: 'kube-system',
    clock: new FakeClock(),
    log: memoryLogger('error'),
    metrics: new Registry(),
  });
  return { source, r, l2Writes, seen };
}

describe('L2 in the reconcile loop', () => {
  test('each pass hands L2 the valid policies; Valid written for each, invalid ones named', async () => {
    const t = setup();
    t.source.state.l2Policies = [
      policy('lan', { interfaces: ['^eth0$'] }),
      policy('bad', { interfaces: ['(['] }),
    ];
    await t.r.runNow();
    expect(t.seen.at(-1)?.l2Policies.map((p) => p.metadata.name)).toEqual(['lan']);
    expect(t.l2Writes.map((w) => [w.name, w.c.status, w.c.reason])).toEqual([
      ['lan', 'True', 'Valid'],
      ['bad', 'False', 'Invalid'],
    ]);
    expect(t.l2Writes[1]!.c.message).toContain('interfaces');
    expect(t.r.problems().some((p) => p.startsWith('L2AnnouncementPolicy bad:'))).toBe(true);
  });

  test('a follower writes no policy status but still runs L2', async () => {
    const t = setup();
    t.source.leader = false;
    t.source.state.l2Policies = [policy('lan')];
    await t.r.runNow();
    expect(t.l2Writes).toEqual([]);
    expect(t.seen.at(-1)?.l2Policies).toHaveLength(1);
  });
});

const L2: L2Doc = {
  active: true,
  owned: [
    { ip: '192.168.2.200', interface: 'eth0', since: '2026-12-06T12:00:00.000Z' },
    { ip: '192.168.2.201', interface: 'eth0', since: '2026-12-06T12:00:01.000Z' },
    { ip: 'fd00:2::200', interface: 'eth1', since: '2026-12-06T12:00:00.000Z' },
  ],
  problems: [],
  ownership: {
    live: true,
    liveNodes: ['pi4', 'worker'],
    pending: ['192.168.2.202'],
    fenceAt: '2026-12-06T12:00:02.000Z',
    heartbeatWrites: 12,
    lastError: '',
  },
};

describe('/status l2 section', () => {
  test('buildStatus carries the L2 view; absent without one', () => {
    const t = setup();
    const inputs = {
      node: 'pi4',
      version: 'test',
      routerId: () => '',
      source: t.source,
      reconciler: t.r,
      speaker: () => undefined,
    };
    expect(buildStatus(inputs).l2).toBeUndefined();
    expect(buildStatus({ ...inputs, l2: () => L2 }).l2).toEqual(L2);
  });

  test('an owned IP not answered: degraded, but /readyz stays ready', () => {
    const t = setup();
    const problem = 'L2: 10.9.9.9 is owned by this node but not answered: 10.9.9.9 is on no local subnet';
    const inputs = {
      node: 'pi4',
      version: 'test',
      routerId: () => '',
      source: t.source,
      reconciler: t.r,
      speaker: () => undefined,
      l2: () => ({ ...L2, problems: [problem] }),
    };
    expect(notReadyReasons(inputs)).toEqual([]);
    const doc = buildStatus(inputs);
    expect(doc.ready).toBe(true);
    expect(isHealthy(doc)).toBe(false);
    expect(formatStatus(doc)).toContain(`Problem:  ${problem}`);
  });

  test('edgelb status lists the owned IPs per interface, the heartbeat and the waiting claims', () => {
    const doc = { ...emptyStatus('pi4', 'test', 'kubernetes'), ready: true, l2: L2 };
    const text = formatStatus(doc);
    expect(text).toContain('L2:       3 IP(s) owned, heartbeat live, live nodes: pi4 worker');
    expect(text).toMatch(/^Interface {3}Owned IPs$/m);
    expect(text).toMatch(/^eth0 {8}192\.168\.2\.200 192\.168\.2\.201$/m);
    expect(text).toMatch(/^eth1 {8}fd00:2::200$/m);
    expect(text).toContain('Waiting:  192.168.2.202');
    expect(isHealthy(doc)).toBe(true);
  });

  test('inactive L2 prints nothing', () => {
    const doc = { ...emptyStatus('pi4', 'test', 'files'), l2: { active: false, owned: [], problems: [] } };
    expect(formatStatus(doc)).not.toContain('L2:');
  });
});
