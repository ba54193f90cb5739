import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { call } from '../support/apiserver/http-client.ts';
import { startApiServer, type TestApiServer } from '../support/apiserver/index.ts';
import { cond, SVC, svc, widgetCrd } from './fixtures.ts';

let srv: TestApiServer;
beforeAll(async () => {
  srv = await startApiServer();
  expect(
    (await call(srv, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd())).status,
  ).toBe(201);
});
afterAll(async () => {
  await srv?.stop();
});

describe('built-in validation edgelb can trip', () => {
  const merge = { contentType: 'application/merge-patch+json' };
  test('Service status: invalid ingress IP, ipMode without ip, bad conditions are 422', async () => {
    await call(srv, 'POST', SVC, svc('v1'));
    const st = (status: unknown) => call(srv, 'PATCH', `${SVC}/v1/status`, { status }, merge);
    expect((await st({ loadBalancer: { ingress: [{ ip: '172.198.1.300' }] } })).status).toBe(422);
    expect((await st({ loadBalancer: { ingress: [{ hostname: 'x', ipMode: 'VIP' }] } })).status).toBe(422);
    expect((await st({ loadBalancer: { ingress: [{ ip: '2001:db8::1', ipMode: 'VIP' }] } })).status).toBe(
      200,
    );
    const noReason = await st({
      conditions: [
        {
          type: 'edgelb.io/IPAMRequestSatisfied',
          status: 'True',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body.details.causes[0].field).toBe('status.conditions[0].reason');
    expect((await st({ conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'Yes') }] })).status).toBe(
      422,
    );
    expect(
      (
        await st({
          conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'True'), lastTransitionTime: undefined }],
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await st({
          conditions: [
            cond('edgelb.io/IPAMRequestSatisfied', 'True'),
            cond('edgelb.io/IPAMRequestSatisfied', 'False'),
          ],
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await st({
          conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'False'), reason: 'pool exhausted' }],
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await st({
          conditions: [{ ...cond('edgelb.io/IPAMRequestSatisfied', 'True'), observedGeneration: 1 }],
        })
      ).status,
    ).toBe(200);
  });

  test('loadBalancerClass is immutable and only for LoadBalancer Services', async () => {
    const c = await call(srv, 'POST', SVC, svc('cls', { loadBalancerClass: 'edgelb.io/bgp' }));
    expect(c.status).toBe(201);
    const r = await call(srv, 'PATCH', `${SVC}/cls`, { spec: { loadBalancerClass: 'other.io/lb' } }, merge);
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('field is immutable');
    expect(
      (await call(srv, 'POST', SVC, svc('cls2', { type: 'ClusterIP', loadBalancerClass: 'x.io/y' }))).status,
    ).toBe(422);
  });

  test('events.k8s.io/v1: required fields and the 1 kB note limit', async () => {
    const path = '/apis/events.k8s.io/v1/namespaces/default/events';
    const ev = {
      metadata: { generateName: 'v-' },
      eventTime: '2026-11-24T17:20:02.000001Z',
      reportingController: 'edgelb.io/controller',
      reportingInstance: 'n1',
      action: 'Allocate',
      reason: 'Allocated',
      type: 'Normal',
      note: 'ok',
    };
    expect((await call(srv, 'POST', path, ev)).status).toBe(201);
    const { action: _a, ...noAction } = ev;
    expect((await call(srv, 'POST', path, noAction)).status).toBe(422);
    expect((await call(srv, 'POST', path, { ...ev, note: 'x'.repeat(1025) })).status).toBe(422);
    expect((await call(srv, 'POST', path, { ...ev, type: 'Info' })).status).toBe(422);
  });
});

describe('events', () => {
  test('an events.k8s.io/v1 Event is also a core/v1 Event (one storage), selectable by its fields', async () => {
    const ev = {
      metadata: { name: 'shared' },
      eventTime: '2026-11-24T17:20:02.000001Z',
      reportingController: 'edgelb.io/controller',
      reportingInstance: 'n1',
      action: 'Allocate',
      reason: 'IPAllocated',
      type: 'Normal',
      note: 'allocated 172.198.1.1',
      regarding: { apiVersion: 'v1', kind: 'Service', name: 'c1', namespace: 'default' },
    };
    expect((await call(srv, 'POST', '/apis/events.k8s.io/v1/namespaces/default/events', ev)).status).toBe(
      201,
    );
    const core = (
      await call(
        srv,
        'GET',
        '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dc1,reason%3DIPAllocated',
      )
    ).body;
    expect(core.items).toHaveLength(1);
    expect(core.items[0]).toMatchObject({
      message: 'allocated 172.198.1.1',
      reportingComponent: 'edgelb.io/controller',
      involvedObject: { kind: 'Service' },
    });
    const v1 = (
      await call(
        srv,
        'GET',
        '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dc1',
      )
    ).body;
    expect(v1.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('shared');
    const back = (await call(srv, 'GET', '/apis/events.k8s.io/v1/namespaces/default/events/shared')).body;
    expect(back).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      note: 'allocated 172.198.1.1',
      regarding: { name: 'c1' },
    });
    expect(back.message).toBeUndefined();
    const p = await call(
      srv,
      'PATCH',
      '/apis/events.k8s.io/v1/namespaces/default/events/shared',
      { series: { count: 2, lastObservedTime: '2026-11-24T17:21:00.000000Z' } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(p.body.series.count).toBe(2);
    expect(p.body.note).toBe('allocated 172.198.1.1');
  });
});

describe('MicroTime', () => {
  const lease = (renewTime: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: `l${Math.random().toString(36).slice(2, 8)}` },
    spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime },
  });
  const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';

  test('a Lease renewTime with millisecond precision (a JS Date) is rejected with 400', async () => {
    const r = await call(srv, 'POST', LEASES, lease(new Date().toISOString()));
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('2006-01-02T15:04:05.000000Z07:00');
  });

  test('six fractional digits are accepted', async () => {
    expect((await call(srv, 'POST', LEASES, lease('2026-11-24T17:20:02.515000Z'))).status).toBe(201);
  });

  test('events.k8s.io eventTime without six digits is rejected', async () => {
    const ev = (eventTime: string) => ({
      metadata: { generateName: 'e-' },
      eventTime,
      reportingController: 'edgelb.io/controller',
      reportingInstance: 'n1',
      action: 'Allocate',
      reason: 'Allocated',
      type: 'Normal',
      regarding: { kind: 'Service', name: 'c1', namespace: 'default' },
    });
    const path = '/apis/events.k8s.io/v1/namespaces/default/events';
    expect((await call(srv, 'POST', path, ev('2026-11-24T17:20:02Z'))).status).toBe(400);
    const ok = await call(srv, 'POST', path, ev('2026-11-24T17:20:02.000001Z'));
    expect(ok.status).toBe(201);
    expect(ok.body.metadata.name).toMatch(/^e-[a-z0-9]{5}$/);
  });
});

describe('CRDs', () => {
  test('a registered CRD is discoverable with its scope, short names and status subresource', async () => {
    const groups = (await call(srv, 'GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).toContain('example.edgelb.io');
    const rl = (await call(srv, 'GET', '/apis/example.edgelb.io/v1')).body;
    expect(rl.resources).toContainEqual(
      expect.objectContaining({ name: 'widgets', namespaced: false, kind: 'Widget', shortNames: ['wdg'] }),
    );
    expect(rl.resources.map((r: { name: string }) => r.name)).toContain('widgets/status');
    const crd = (
      await call(
        srv,
        'GET',
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.edgelb.io',
      )
    ).body;
    expect(crd.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Established', status: 'True' }),
    );
  });

  test('custom resources are validated against the schema', async () => {
    const r = await call(srv, 'POST', '/apis/example.edgelb.io/v1/widgets', {
      apiVersion: 'example.edgelb.io/v1',
      kind: 'Widget',
      metadata: { name: 'bad' },
      spec: { size: 'big', color: 'green' },
    });
    expect(r.status).toBe(422);
    const fields = r.body.details.causes.map((c: { field: string }) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.size', 'spec.color']));
  });

  test('unknown fields are pruned', async () => {
    const r = await call(srv, 'POST', '/apis/example.edgelb.io/v1/widgets', {
      apiVersion: 'example.edgelb.io/v1',
      kind: 'Widget',
      metadata: { name: 'pruned' },
      spec: { size: 1, extra: true },
    });
    expect(r.body.spec).toEqual({ size: 1 });
    const strict = await call(srv, 'POST', '/apis/example.edgelb.io/v1/widgets?fieldValidation=Strict', {
      apiVersion: 'example.edgelb.io/v1',
      kind: 'Widget',
      metadata: { name: 'strict' },
      spec: { size: 1, extra: true },
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.extra"');
  });

  test('a namespaced CRD is served under namespaces; deleting the CRD removes its resource', async () => {
    const crd = widgetCrd('gadgets', 'Gadget', 'Namespaced');
    expect(
      (await call(srv, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status,
    ).toBe(201);
    const base = '/apis/example.edgelb.io/v1/namespaces/default/gadgets';
    expect(
      (
        await call(srv, 'POST', base, {
          apiVersion: 'example.edgelb.io/v1',
          kind: 'Gadget',
          metadata: { name: 'g' },
          spec: { size: 1 },
        })
      ).status,
    ).toBe(201);
    expect((await call(srv, 'GET', '/apis/example.edgelb.io/v1/gadgets')).body.items).toHaveLength(1);
    expect(
      (
        await call(
          srv,
          'DELETE',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        )
      ).status,
    ).toBe(200);
    expect((await call(srv, 'GET', base)).status).toBe(404);
  });
});

describe('CRD versions', () => {
  test('every served version reads the same objects; discovery prefers the highest version', async () => {
    const crd = widgetCrd('gizmos', 'Gizmo');
    const v1 = crd.spec.versions[0]!;
    crd.spec.versions = [
      { ...v1, name: 'v1alpha1', storage: true },
      { ...v1, name: 'v1beta1', storage: false },
      { ...v1, name: 'v2', served: false, storage: false },
    ];
    expect(
      (await call(srv, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status,
    ).toBe(201);
    const c = await call(srv, 'POST', '/apis/example.edgelb.io/v1alpha1/gizmos', {
      apiVersion: 'example.edgelb.io/v1alpha1',
      kind: 'Gizmo',
      metadata: { name: 'g1' },
      spec: { size: 2 },
    });
    expect(c.status).toBe(201);
    const b = await call(srv, 'GET', '/apis/example.edgelb.io/v1beta1/gizmos/g1');
    expect(b.body.apiVersion).toBe('example.edgelb.io/v1beta1');
    expect(b.body.spec.size).toBe(2);
    expect((await call(srv, 'GET', '/apis/example.edgelb.io/v2/gizmos')).status).toBe(404);
    const group = (await call(srv, 'GET', '/apis/example.edgelb.io')).body;
    expect(group.preferredVersion.version).toBe('v1');
    const gizmoVersions = (await call(srv, 'GET', '/apis')).body.groups
      .find((g: { name: string }) => g.name === 'example.edgelb.io')
      .versions.map((v: { version: string }) => v.version);
    expect(gizmoVersions).toEqual(expect.arrayContaining(['v1', 'v1beta1', 'v1alpha1']));
  });
});
