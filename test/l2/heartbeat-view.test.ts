/** heartbeatView of a heartbeat Lease without its fields. */
import { expect, test } from 'bun:test';
import { type HeartbeatLease, heartbeatView } from '../../agent/l2/heartbeat-lease.ts';

test('a heartbeat Lease with no spec and no annotation: no holder, duration 0, nothing owned', () => {
  const l = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'edgelb-node-n1', namespace: 'kube-system' },
  } as unknown as HeartbeatLease;
  const v = heartbeatView(l);
  expect(v?.node).toBe('n1');
  expect(v?.holder).toBe('');
  expect(v?.durationMs).toBe(0);
  expect([...(v?.owned ?? ['x'])]).toEqual([]);
  expect(v?.raw).toBe(JSON.stringify(['', 0, '', '', '']));
  expect(heartbeatView({ ...l, metadata: { ...l.metadata, name: 'edgelb-node-' } })).toBeUndefined();
  expect(heartbeatView({ ...l, metadata: { ...l.metadata, name: 'other-n1' } })).toBeUndefined();
});
