/** Messages captured from real FRR and BIRD (test/fixtures/bgp/capture.ts) decode cleanly and completely. */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeEvents } from '../../agent/bgp/collector.ts';
import { decodeMessage, encodeMessage, endOfRibFamily, type Message } from '../../agent/bgp/wire/index.ts';
import { hex } from './hex.ts';

const DIR = join(import.meta.dir, '..', 'fixtures', 'bgp', 'captures');
const files = readdirSync(DIR).filter((f) => f.endsWith('.hex'));
const CTX = { as4: true, maxLength: 65535 };

function load(f: string): Message[] {
  return readFileSync(join(DIR, f), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => decodeMessage(hex(l), CTX));
}

const EXPECT: Record<string, { hostname?: string; v4: string[]; v6: string[]; nh4: string; nh6: string }> = {
  'frr.hex': {
    hostname: 'frr-capture',
    v4: ['198.51.100.1/32', '198.51.100.2/32'],
    v6: ['2001:db8:1::1/128'],
    nh4: '192.0.2.5',
    nh6: '2001:db8::5',
  },
  'bird.hex': {
    v4: ['198.51.100.3/32', '198.51.100.4/32'],
    v6: ['2001:db8:1::3/128'],
    nh4: '192.0.2.6',
    nh6: '2001:db8::6',
  },
};

describe('captures from real daemons', () => {
  test('the capture folder is not empty (FRR and BIRD)', () => {
    expect(files.sort()).toEqual(['bird.hex', 'frr.hex']);
  });

  for (const f of files) {
    test(`${f}: OPEN, routes with attributes, End-of-RIB for both families`, () => {
      const msgs = load(f);
      const e = EXPECT[f]!;
      const open = msgs[0]!;
      expect(open.type).toBe('open');
      if (open.type !== 'open') return;
      expect(open.myAS).toBe(65000);
      expect(open.capabilities.some((c) => c.code === 65 && 'asn' in c && c.asn === 65000)).toBe(true);
      expect(open.capabilities.some((c) => c.code === 64 && !('unknown' in c))).toBe(true);
      if (e.hostname)
        expect(open.capabilities).toContainEqual({ code: 73, hostname: e.hostname, domain: '' });
      const updates = msgs.filter((m) => m.type === 'update');
      for (const u of updates) {
        expect(u.error).toBeUndefined();
        expect(u.discarded).toBeUndefined();
      }
      const events = updates.flatMap((u) => routeEvents('peer', u));
      const ann = events.filter((x) => x.event === 'announce');
      expect(
        ann
          .filter((x) => !x.prefix!.includes(':'))
          .map((x) => x.prefix)
          .sort(),
      ).toEqual(e.v4);
      expect(ann.filter((x) => x.prefix!.includes(':')).map((x) => x.prefix)).toEqual(e.v6);
      for (const a of ann) {
        expect(a.asPath).toEqual([65000]);
        expect(a.communities).toEqual(['65000:100']);
        expect(a.largeCommunities).toEqual(['65000:1:2']);
        expect(a.nextHop).toBe(a.prefix!.includes(':') ? e.nh6 : e.nh4);
      }
      expect(updates.map(endOfRibFamily).filter(Boolean).sort()).toEqual(['ipv4', 'ipv6']);
    });

    test(`${f}: every message re-encodes to the same value`, () => {
      for (const m of load(f)) expect(decodeMessage(encodeMessage(m, CTX), CTX)).toEqual(m);
    });
  }
});
