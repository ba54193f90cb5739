/** KubeStatusWriter.writeServiceCondition against the TLS test API server: one more condition, IPs and the IPAM condition kept. */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { ServiceObject } from '../../agent/api/core.ts';
import { SERVICE_CONDITION } from '../../agent/api/v1alpha1.ts';
import { loadKubeconfig } from '../../agent/kube/kubeconfig.ts';
import { KubeStatusWriter } from '../../agent/kube/status-writer.ts';
import { KubeClient } from '../../agent/kube/transport.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { BGP_ATTRIBUTES_CONDITION } from '../../agent/reconcile/plan/attribute-conditions.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';

let server: TestApiServer;
let writer: KubeStatusWriter;
const clock = new FakeClock(Date.UTC(2026, 0, 1));
const fresh = (): ServiceObject => server.get('v1', 'Service', 'default', 'web');

beforeAll(async () => {
  server = await startApiServer();
  const client = new KubeClient(loadKubeconfig({ path: server.kubeconfigToken }), { log: memoryLogger() });
  writer = new KubeStatusWriter({
    client,
    clock,
    log: memoryLogger(),
    leadership: { isLeader: () => true },
    classes: { loadBalancerClass: 'edgelb.io/bgp', claimServicesWithoutClass: true },
    events: { event() {} } as never,
  });
  server.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
  });
});
afterAll(async () => {
  await server?.stop();
});

test('the BGPAttributesValid condition joins the IPAM one; the IPs stay; unchanged writes nothing', async () => {
  await writer.writeServiceStatus(fresh(), {
    ips: ['10.0.0.1'],
    condition: { type: SERVICE_CONDITION, status: 'True', reason: 'Allocated', message: 'ok' },
  });
  const bad = {
    type: BGP_ATTRIBUTES_CONDITION,
    status: 'False' as const,
    reason: 'InvalidAnnotation',
    message: 'annotation edgelb.io/bgp-local-pref: must be an integer',
  };
  expect(await writer.writeServiceCondition(fresh(), bad)).toBe(true);
  const s = fresh();
  expect(s.status?.loadBalancer?.ingress?.map((i) => i.ip)).toEqual(['10.0.0.1']);
  expect(s.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
    [SERVICE_CONDITION, 'True'],
    [BGP_ATTRIBUTES_CONDITION, 'False'],
  ]);
  const puts = () =>
    server.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/web/status')).length;
  const before = puts();
  await writer.writeServiceCondition(fresh(), bad);
  expect(puts()).toBe(before);
});
