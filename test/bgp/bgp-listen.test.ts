/** `edgelb bgp listen`: argument handling and the JSON lines it prints for a real session. */
import { afterEach, describe, expect, test } from 'bun:test';
import { Speaker } from '../../agent/bgp/speaker.ts';
import { formatEvent, type ListenHandle, main, parseListen } from '../../agent/cli/bgp-listen.ts';
import { systemClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { Registry } from '../../agent/lib/metrics.ts';
import { peer } from '../support/speaker-main.ts';
import { until } from './fake-router.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, sinks: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('bgp listen arguments', () => {
  test('--help prints usage and exits 0', async () => {
    const x = io();
    expect(await main(['--help'], x.sinks)).toBe(0);
    expect(x.out.join('\n')).toContain('usage: edgelb bgp listen --asn N');
  });
  test('unknown flag: usage on stderr, exit 2', async () => {
    const x = io();
    expect(await main(['--asn', '65000', '--bogus'], x.sinks)).toBe(2);
    expect(x.err.join('\n')).toContain('usage:');
    expect(x.out).toEqual([]);
  });
  test('missing or invalid --asn, bad --listen, bad --router-id: exit 2', async () => {
    for (const argv of [
      [],
      ['--asn', '0'],
      ['--asn', 'x'],
      ['--asn', '1', '--listen', 'nope'],
      ['--asn', '1', '--router-id', '0.0.0.0'],
    ]) {
      const x = io();
      expect(await main(argv, x.sinks)).toBe(2);
      expect(x.err.join('\n')).toContain('usage:');
    }
  });
  test('--listen forms', () => {
    expect(parseListen('127.0.0.1:1179')).toEqual({ address: '127.0.0.1', port: 1179 });
    expect(parseListen('[::1]:179')).toEqual({ address: '::1', port: 179 });
    expect(parseListen('::1:179')).toBeUndefined();
  });
  test('text lines', () => {
    expect(
      formatEvent(
        {
          event: 'announce',
          peer: '127.0.0.2',
          prefix: '198.51.100.1/32',
          nextHop: '192.0.2.10',
          asPath: [65001],
          communities: ['65001:100'],
          largeCommunities: [],
          localPref: 100,
        },
        false,
      ),
    ).toBe(
      'announce 127.0.0.2 198.51.100.1/32 via 192.0.2.10 as-path [65001] communities 65001:100 local-pref 100',
    );
  });
});

describe('bgp listen with a speaker', () => {
  test('prints established, announce and withdraw as JSON lines', async () => {
    const x = io();
    let handle: ListenHandle | undefined;
    const done = main(['--asn', '65000', '--listen', '127.0.0.1:0', '--json'], {
      ...x.sinks,
      started: (h) => {
        handle = h;
      },
    });
    await until(() => !!handle);
    cleanups.push(async () => {
      await handle!.stop();
      expect(await done).toBe(0);
    });
    const s = new Speaker({
      routerId: '10.255.0.2',
      nextHopV4: '192.0.2.10',
      nextHopV6: '2001:db8::10',
      clock: systemClock,
      random: Math.random,
      log: memoryLogger('error'),
      metrics: new Registry(),
    });
    cleanups.push(() => s.stop('keep'));
    s.setAdvertisements(new Map([['r', ['198.51.100.1/32', '2001:db8::1/128']]]));
    s.setPeers([
      peer({
        id: 'r',
        peerAddress: '127.0.0.1',
        peerPort: handle!.port,
        localASN: 4200000001,
        peerASN: 65000,
        localAddress: '127.0.0.2',
        connectRetryTimeSeconds: 5,
        communities: ['65001:100'],
        largeCommunities: ['4200000001:1:2'],
      }),
    ]);
    const lines = () => x.out.map((l) => JSON.parse(l));
    await until(() => lines().filter((l) => l.event === 'announce').length === 2);
    expect(lines()[0]).toEqual({ event: 'established', peer: '127.0.0.2', peerASN: 4200000001 });
    expect(lines().find((l) => l.prefix === '198.51.100.1/32')).toEqual({
      event: 'announce',
      peer: '127.0.0.2',
      prefix: '198.51.100.1/32',
      nextHop: '192.0.2.10',
      asPath: [4200000001],
      communities: ['65001:100'],
      largeCommunities: ['4200000001:1:2'],
    });
    expect(lines().find((l) => l.prefix === '2001:db8::1/128')).toMatchObject({ nextHop: '2001:db8::10' });
    s.setAdvertisements(new Map([['r', ['2001:db8::1/128']]]));
    await until(() => lines().some((l) => l.event === 'withdraw'));
    expect(lines().find((l) => l.event === 'withdraw')).toEqual({
      event: 'withdraw',
      peer: '127.0.0.2',
      prefix: '198.51.100.1/32',
    });
    await s.stop('withdraw');
    await until(() => lines().some((l) => l.event === 'down'));
  });
});
