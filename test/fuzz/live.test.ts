/**
 * The live BGP fuzz in the suite: the oracle on hand-made messages, every pinned live
 * fixture replayed against a real session, and a short seeded run (the full million is
 * `bun run fuzz:bgp`).
 */
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeKeepalive, encodeNotification } from '../../agent/bgp/wire/index.ts';
import { hex, MARKER, msg, toHex, update } from '../bgp/hex.ts';
import { headerVerdict, loadFixtures, oracle, runLiveFuzz, saveFindings } from './live.ts';

const CTX = { as4: true, maxLength: 4096 };

describe('live fuzz oracle', () => {
  test.each([
    ['a bad marker', hex(`${'ff'.repeat(15)}fe 0013 04`), { kind: 'reset', code: 1, subcode: 1, data: '' }],
    ['length 18', hex(`${MARKER}0012 04`), { kind: 'reset', code: 1, subcode: 2, data: '0012' }],
    [
      'length 4097 without extended messages',
      hex(`${MARKER}1001 02`),
      { kind: 'reset', code: 1, subcode: 2, data: '1001' },
    ],
    ['type 9', hex(`${MARKER}0013 09`), { kind: 'reset', code: 1, subcode: 3, data: '09' }],
    ['a KEEPALIVE of 20 bytes', msg(4, '00'), { kind: 'reset', code: 1, subcode: 2, data: '0014' }],
    ['an UPDATE of 22 bytes', msg(2, '000000'), { kind: 'reset', code: 1, subcode: 2, data: '0016' }],
    [
      'a ROUTE-REFRESH of 24 bytes',
      msg(5, '0001000100'),
      { kind: 'reset', code: 7, subcode: 1, data: toHex(msg(5, '0001000100')) },
    ],
  ])('%s: the header check alone decides', (_name, b, want) => {
    expect(headerVerdict(b, 4096)).toEqual(want as never);
    expect(oracle(b, CTX)).toEqual({ verdict: want as never });
  });

  test('a 4096-octet ROUTE-REFRESH: 7/1 with the message cut to fit a 4096-octet NOTIFICATION', () => {
    const big = msg(5, '00'.repeat(4096 - 19));
    expect(oracle(big, CTX).verdict).toEqual({
      kind: 'reset',
      code: 7,
      subcode: 1,
      data: toHex(big.subarray(0, 4075)),
    });
  });

  test('an OPEN once Established is 5/3, even a malformed one', () => {
    expect(oracle(msg(1, `03fde9005a0aff000300`), CTX).verdict).toEqual({
      kind: 'reset',
      code: 5,
      subcode: 3,
      data: '',
    });
  });

  test('a NOTIFICATION closes without a reply; KEEPALIVE and a valid UPDATE keep the session', () => {
    expect(oracle(encodeNotification({ code: 6, subcode: 2, data: new Uint8Array(0) }), CTX).verdict).toEqual(
      {
        kind: 'closed',
      },
    );
    expect(oracle(encodeKeepalive(), CTX).verdict).toEqual({ kind: 'ok' });
    expect(
      oracle(update('', '40010100400206020100' + '00fde9400304c0000202', '20c6336401'), CTX).verdict,
    ).toEqual({
      kind: 'ok',
    });
  });

  test('an UPDATE takes the codec verdict: a withdrawn length past the end resets (3/1), bad ORIGIN flags do not (RFC 7606)', () => {
    expect(oracle(msg(2, '00050000'), CTX).verdict).toEqual({ kind: 'reset', code: 3, subcode: 1, data: '' });
    expect(oracle(update('', '80010100', '20c6336401'), CTX).verdict).toEqual({ kind: 'ok' });
  });
});

describe('live fuzz against a real session', () => {
  const fixtures = loadFixtures();
  test.each(fixtures.map((f) => [f.name, f] as const))(
    'fixture %s replays without a finding',
    async (_n, f) => {
      const r = await runLiveFuzz({ count: 0, seed: 1, peers: 1, replay: [f] });
      expect(r.findings.map((x) => `${x.kind}: ${x.detail}`)).toEqual([]);
      expect(r.connections).toBe(1);
    },
  );

  test('a saved finding loads back and replays on one connection (the fixture format round-trips)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgelb-live-'));
    try {
      const stream = [
        encodeKeepalive(),
        update('', '80010100', '20c6336401'),
        msg(1, '04fdea005a0aff000300'),
      ];
      const [name] = saveFindings(
        [{ kind: 'mismatch', detail: 'test', ctx: { as4: false, maxLength: 65535 }, stream }],
        dir,
      );
      const [f] = loadFixtures(dir);
      expect(f!.name).toBe(name!);
      expect(f!.ctx).toEqual({ as4: false, maxLength: 65535 });
      expect(f!.stream.map(toHex)).toEqual(stream.map(toHex));
      const r = await runLiveFuzz({ count: 0, seed: 1, replay: [f!] });
      expect(r.findings).toEqual([]);
      expect(r.messages).toBe(3);
      expect([...r.outcomes]).toEqual([['reset 5/3', 1]]);
      expect(r.accepted.get('update')).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('oversized error data is cut, not sent past 4096 octets: a 4096-octet ROUTE-REFRESH replays cleanly', async () => {
    const big = msg(5, '0001'.repeat((4096 - 19) / 2) + '00'.repeat((4096 - 19) % 2));
    const r = await runLiveFuzz({
      count: 0,
      seed: 1,
      replay: [{ ctx: { as4: true, maxLength: 4096 }, stream: [big] }],
    });
    expect(r.findings).toEqual([]);
    expect([...r.outcomes]).toEqual([['reset 7/1', 1]]);
  });

  test('10,000 seeded messages: every verdict met, no hang, the other session untouched, heap bounded', async () => {
    const r = await runLiveFuzz({ count: 10_000, seed: 20261124, peers: 4 });
    expect(r.findings.map((x) => `${x.kind}: ${x.detail}`)).toEqual([]);
    expect(r.messages).toBe(10_000);
    expect(r.goodSessionFlapped).toBe(false);
    expect(r.speakerErrors).toEqual([]);
    // The mix reaches the interesting verdicts, and most UPDATEs are taken (RFC 7606).
    for (const k of ['closed', 'reset 5/3', 'reset 1/1', 'reset 1/2', 'reset 3/1', 'reset 7/1'])
      expect(r.outcomes.get(k) ?? 0).toBeGreaterThan(0);
    expect(r.accepted.get('update') ?? 0).toBeGreaterThan(2000);
    expect(r.heapAfterMB - r.heapBeforeMB).toBeLessThan(16);
  }, 120_000);
});
