/**
 * Why a peer is down (issue 16): the last connect error or NOTIFICATION in words and since
 * when, in the speaker's status, /status and `edgelb status`, logged at warn once per change
 * (rate-limited); an Established peer shows its uptime, never "-".
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { LAST_ERROR_WARN_INTERVAL_MS, LastErrorTracker } from '../../agent/bgp/last-error.ts';
import { type PeerConfig, Speaker } from '../../agent/bgp/speaker.ts';
import { ErrorCode, encodeNotification, OpenSubcode } from '../../agent/bgp/wire/index.ts';
import { formatStatus } from '../../agent/cli/status-format.ts';
import { emptyStatus } from '../../agent/http/status-doc.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { freePort } from '../support/cli.ts';
import { peer as base } from '../support/speaker-main.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(get: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await Bun.sleep(10);
  }
}

function speakerTo(port: number) {
  const log = memoryLogger('debug');
  const s = new Speaker({
    routerId: '10.255.0.2',
    nextHopV4: '192.0.2.10',
    clock: systemClock,
    random: Math.random,
    log,
    metrics: new Registry(),
  });
  cleanups.push(() => s.stop('keep'));
  const p: PeerConfig = base({
    id: 'r1',
    peerAddress: '127.0.0.1',
    peerPort: port,
    localASN: 65001,
    peerASN: 65000,
    connectRetryTimeSeconds: 1,
    idleHoldBaseMs: 50,
  });
  s.setPeers([p]);
  return { s, log };
}

describe('LastErrorTracker', () => {
  test('the same message keeps its first time; a change is logged at most once per interval', () => {
    const t = new LastErrorTracker();
    expect(t.record('connect failed: refused', 1000)).toBe(true);
    expect(t.record('connect failed: refused', 2000)).toBe(false);
    expect(t.value).toEqual({ message: 'connect failed: refused', at: 1000 });
    expect(t.record('connection failed: timeout', 3000)).toBe(false);
    expect(t.value).toEqual({ message: 'connection failed: timeout', at: 3000 });
    expect(t.record('connect failed: refused', 1000 + LAST_ERROR_WARN_INTERVAL_MS)).toBe(true);
    t.clear();
    expect(t.value).toBeUndefined();
  });
});

describe('why a peer is down, on loopback', () => {
  test('a router that refuses connections: the error in words, within one retry interval', async () => {
    const { s, log } = speakerTo(await freePort());
    const st = await until(() => s.status()[0]?.lastError);
    expect(st.message).toBe('connect failed: connection refused (ECONNREFUSED)');
    expect(Date.parse(st.at)).toBeGreaterThan(Date.now() - 5000);
    // Retries keep the first time and log once.
    await Bun.sleep(1500);
    expect(s.status()[0]!.lastError!.at).toBe(st.at);
    const warns = log.lines
      .map((l) => JSON.parse(l) as { level: string; msg: string; reason?: string })
      .filter((e) => e.level === 'warn' && e.msg === 'bgp peer not established');
    expect(warns).toHaveLength(1);
    expect(warns[0]!.reason).toContain('ECONNREFUSED');
  });

  test('a router that sends a NOTIFICATION (bad peer AS): code and subcode in words', async () => {
    const server = Bun.listen({
      hostname: '127.0.0.1',
      port: 0,
      socket: {
        data(sock) {
          sock.write(
            encodeNotification({
              code: ErrorCode.OpenMessage,
              subcode: OpenSubcode.BadPeerAS,
              data: new Uint8Array(0),
            }),
          );
          sock.end();
        },
      },
    });
    cleanups.push(() => server.stop(true));
    const { s } = speakerTo(server.port);
    const st = await until(() => {
      const e = s.status()[0]?.lastError;
      return e?.message.startsWith('NOTIFICATION') ? e : undefined;
    });
    expect(st.message).toBe('NOTIFICATION received: OPEN Message Error/Bad Peer AS');
    const doc = { ...emptyStatus('edge', 'test', 'files'), ready: false };
    doc.bgp.peers = s.status().map(({ id: _id, ...p }) => p);
    const text = formatStatus(doc);
    expect(text).toContain(
      `Down:     127.0.0.1:${server.port}: NOTIFICATION received: OPEN Message Error/Bad Peer AS (since ${st.at})`,
    );
  });
});

describe('edgelb status uptime', () => {
  test('an Established peer in its first second shows <1s, a down one -', () => {
    const doc = emptyStatus('edge', 'test', 'files');
    const peer = { address: '192.168.2.1', port: 179, localASN: 65001, peerASN: 65000, advertised: 1 };
    doc.bgp.peers = [
      { ...peer, state: 'Established', uptimeSeconds: 0 },
      { ...peer, address: '192.168.2.2', state: 'Active', uptimeSeconds: 0 },
      { ...peer, address: '192.168.2.3', state: 'Established', uptimeSeconds: 75 },
    ];
    const text = formatStatus(doc);
    expect(text).toMatch(/^192\.168\.2\.1 .*Established +<1s /m);
    expect(text).toMatch(/^192\.168\.2\.2 .*Active +- /m);
    expect(text).toMatch(/^192\.168\.2\.3 .*Established +1m15s /m);
  });
});
