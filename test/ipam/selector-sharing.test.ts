/** Label selectors (agent/ipam/selector.ts) and the sharing rules (agent/ipam/sharing.ts), exactly. */
import { describe, expect, test } from 'bun:test';
import type { LabelSelector } from '../../agent/api/v1alpha1.ts';
import { Ipam } from '../../agent/ipam/ipam.ts';
import { parseRequest, type Request } from '../../agent/ipam/request.ts';
import { compileSelector, matchesAll, matchesSelector } from '../../agent/ipam/selector.ts';
import { canShare } from '../../agent/ipam/sharing.ts';
import type { ServiceView } from '../../agent/ipam/types.ts';
import { pool, summary, svc } from './builders.ts';

describe('compileSelector', () => {
  const expr = (operator: string, values?: string[]): LabelSelector => ({
    matchExpressions: [{ key: 'tier', operator, ...(values ? { values } : {}) } as never],
  });
  test('errors name the expression', () => {
    expect(compileSelector(expr('In', []))).toEqual({
      ok: false,
      error: 'matchExpressions[0] (key "tier"): operator In needs values',
    });
    expect(compileSelector(expr('NotIn'))).toEqual({
      ok: false,
      error: 'matchExpressions[0] (key "tier"): operator NotIn needs values',
    });
    expect(compileSelector(expr('Exists', ['x']))).toEqual({
      ok: false,
      error: 'matchExpressions[0] (key "tier"): operator Exists takes no values',
    });
    expect(compileSelector(expr('Gt', ['1']))).toEqual({
      ok: false,
      error: 'matchExpressions[0] (key "tier"): unknown operator "Gt"',
    });
  });

  test('an absent or empty selector is matchesAll itself', () => {
    for (const sel of [undefined, {}, { matchLabels: {} }, { matchExpressions: [] }])
      expect(compileSelector(sel)).toEqual({ ok: true, matches: matchesAll });
  });

  test('each operator', () => {
    const m = (sel: LabelSelector, labels: Record<string, string>) => matchesSelector(sel, labels);
    const web = { tier: 'web' };
    const db = { tier: 'db' };
    expect([m(expr('In', ['web']), web), m(expr('In', ['web']), db), m(expr('In', ['web']), {})]).toEqual([
      true,
      false,
      false,
    ]);
    expect([
      m(expr('NotIn', ['web']), web),
      m(expr('NotIn', ['web']), db),
      m(expr('NotIn', ['web']), {}),
    ]).toEqual([false, true, true]);
    expect([
      m(expr('Exists'), web),
      m(expr('Exists'), {}),
      m(expr('DoesNotExist'), web),
      m(expr('DoesNotExist'), {}),
    ]).toEqual([true, false, false, true]);
    expect([m({ matchLabels: web }, web), m({ matchLabels: web }, db), m(expr('In', []), web)]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('canShare', () => {
  const sharer = (name: string, o: Partial<ServiceView> = {}): { view: ServiceView; request: Request } => {
    const view = svc(name, {
      annotations: { 'edgelb.io/sharing-key': 'k' },
      externalTrafficPolicy: 'Local',
      ...o,
    });
    const r = parseRequest(view);
    if (!r.ok) throw new Error(r.message);
    return { view, request: r.request };
  };
  test('Local Services share only when they select the same pods', () => {
    const cases: [Record<string, string>, Record<string, string>, boolean][] = [
      [{ app: 'x' }, { app: 'x' }, true],
      [{}, {}, false],
      [{ app: 'x' }, { app: 'x', tier: 'y' }, false],
      [{ app: 'x', tier: 'y' }, { app: 'x' }, false],
      [{ app: 'x' }, { app: 'y' }, false],
    ];
    for (const [pa, pb, ok] of cases) {
      const v = canShare(
        sharer('a', { podSelector: pa, ports: [{ port: 80, protocol: 'TCP' }] }),
        sharer('b', { podSelector: pb, ports: [{ port: 81, protocol: 'TCP' }] }),
      );
      expect({ pa, pb, ok: v.ok }).toEqual({ pa, pb, ok });
    }
  });
});

describe('what a call reports', () => {
  test('a result whose message changes is reported even when its IPs and reason stay', () => {
    const ipam = new Ipam();
    ipam.upsertPool(pool('p', ['10.0.0.0/30']));
    const s = svc('s', { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' });
    ipam.upsertService(s);
    const changed = ipam.upsertPool(pool('q', ['fd00::/126'], { disabled: true }));
    expect(changed.map((r) => [r.key, r.message])).toEqual([
      [
        'default/s',
        '10.0.0.1 from pool p; IPv6: every pool that selects the Service is unavailable (q: is disabled)',
      ],
    ]);
    const w = svc('w', { ipFamilies: ['IPv6'] });
    ipam.upsertService(w);
    expect(summary(ipam.result(w.key))).toBe('no-matching-pool');
    const again = ipam.upsertPool(pool('r', ['fd00:1::/126'], { autoAssign: false }));
    expect(again.map((r) => [r.key, summary(r)])).toEqual([
      ['default/s', ['10.0.0.1']],
      ['default/w', 'no-matching-pool'],
    ]);
  });

  test('restoring a dual-stack Service keeps both status addresses', () => {
    const ipam = new Ipam();
    const s = svc('s', {
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
      statusIPs: ['10.0.0.2', 'fd00::3'],
    });
    ipam.restore([pool('p', ['10.0.0.0/29', 'fd00::/125'])], [s]);
    expect(summary(ipam.result(s.key))).toEqual(['10.0.0.2', 'fd00::3']);
  });
});
