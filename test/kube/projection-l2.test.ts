/** The projections L2 mode added: Nodes to name and labels, EndpointSlices to node and readiness per endpoint. */
import { describe, expect, test } from 'bun:test';
import type { EndpointSliceObject, NodeObject } from '../../agent/api/core.ts';
import { projectEndpointSlice, projectNodeLabels } from '../../agent/kube/projection.ts';
import { endpointNodes } from '../../agent/reconcile/plan/l2.ts';

describe('projectNodeLabels', () => {
  const node = (labels: Record<string, string>, rv: string) =>
    ({
      metadata: { name: 'pi4', labels, resourceVersion: rv, annotations: { big: 'x'.repeat(1000) } },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.2.11' }] },
    }) as NodeObject;
  test('keeps name, labels and resourceVersion only', () => {
    expect(projectNodeLabels(node({ zone: 'lan' }, '7'))).toEqual({
      metadata: { name: 'pi4', labels: { zone: 'lan' }, resourceVersion: '7' },
    });
  });
  test('equal labels are shared with the previous version', () => {
    const a = projectNodeLabels(node({ zone: 'lan' }, '7'));
    const b = projectNodeLabels(node({ zone: 'lan' }, '8'), a);
    expect(b.metadata.labels).toBe(a.metadata.labels!);
    const c = projectNodeLabels(node({ zone: 'dmz' }, '9'), b);
    expect(c.metadata.labels).toEqual({ zone: 'dmz' });
  });
});

describe('projectEndpointSlice', () => {
  const slice = {
    metadata: {
      name: 'web-abc',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'web' },
      resourceVersion: '3',
      ownerReferences: [{ kind: 'Service', name: 'web' }],
    },
    addressType: 'IPv4',
    ports: [{ port: 80 }],
    endpoints: [
      {
        addresses: ['10.42.0.5'],
        nodeName: 'pi4',
        zone: 'a',
        targetRef: { kind: 'Pod', name: 'web-1' },
        conditions: { ready: true, serving: true, terminating: false },
      },
      {
        addresses: ['10.42.0.6'],
        nodeName: 'worker',
        conditions: { ready: false, serving: true, terminating: true },
      },
      { addresses: ['10.42.0.7'] },
    ],
  } as unknown as EndpointSliceObject;

  test('keeps what the announcements read: node and conditions per endpoint', () => {
    expect(projectEndpointSlice(slice)).toEqual({
      metadata: {
        name: 'web-abc',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'web' },
        resourceVersion: '3',
      },
      addressType: 'IPv4',
      endpoints: [
        { addresses: [], nodeName: 'pi4', conditions: { ready: true, serving: true, terminating: false } },
        { addresses: [], nodeName: 'worker', conditions: { ready: false, serving: true, terminating: true } },
        { addresses: [] },
      ],
    });
  });
  test('the L2 plan reads the projection as it reads the full slice', () => {
    expect([...endpointNodes([projectEndpointSlice(slice)])]).toEqual([...endpointNodes([slice])]);
  });
});
