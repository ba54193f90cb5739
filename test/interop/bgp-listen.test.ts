/**
 * `edgelb bgp listen` as the receiver of real announcers: BIRD 2 and ExaBGP 4 announce to the
 * collector in the router namespace, which must decode their OPENs and UPDATEs (BIRD: 4-octet
 * AS, 32-byte IPv6 next hop on a shared link; ExaBGP: communities, large communities, IPv6)
 * and report withdraws when ExaBGP goes away.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import type { RouteEvent } from '../../agent/bgp/collector.ts';
import { startBird } from '../support/bird.ts';
import { missing } from '../support/env.ts';
import { type ExaBgp, startExaBgp } from '../support/exabgp.ts';
import { createLan, type Lan, TOPOLOGY } from '../support/netns.ts';
import { LineReader, type Proc } from '../support/proc.ts';

const why = missing({ root: true, tools: ['ip', 'bird', 'exabgp'] });
const { router, worker, pi4 } = TOPOLOGY;
const MAIN = join(import.meta.dir, '../../agent/main.ts');

type Event = RouteEvent;

describe.skipIf(!!why)('edgelb bgp listen receives real announcers', () => {
  let lan: Lan;
  let listen: Proc;
  let out: LineReader;
  let exa: ExaBgp;
  const events = (): Event[] =>
    out.all().flatMap((l) => {
      try {
        return [JSON.parse(l) as Event];
      } catch {
        return [];
      }
    });
  const waitEvent = async (pred: (e: Event) => boolean, timeoutMs = 15_000): Promise<Event> => {
    const i = await out
      .waitLine((l) => {
        try {
          return pred(JSON.parse(l) as Event);
        } catch {
          return false;
        }
      }, timeoutMs)
      .catch((err: Error) => {
        throw new Error(`${err.message}\ncollector stderr:\n${listen.log().slice(-2000)}`);
      });
    return JSON.parse(out.all()[i]!) as Event;
  };

  beforeAll(async () => {
    lan = await createLan({ family: 'elbl', hosts: { router, worker, pi4 } });
    listen = lan.spawn(
      'router',
      [process.execPath, MAIN, 'bgp', 'listen', '--asn', '65000', '--listen', `${router.v4}:179`, '--json'],
      { name: 'bgp-listen', pipe: true, logPath: join(lan.dir, 'bgp-listen.log') },
    );
    out = new LineReader(listen.child.stdout as ReadableStream<Uint8Array>);
    await startBird(lan, 'worker', {
      asn: 65001,
      routerId: worker.v4,
      localAddress: worker.v4,
      neighbors: [{ name: 'router', address: router.v4, remoteAs: 65000 }],
      announce: { v4: ['172.198.1.1/32', '172.198.1.2/32'], v6: ['2001:db8:1::1/128'] },
    });
    exa = await startExaBgp(lan, 'pi4', {
      asn: 4200000002,
      routerId: pi4.v4,
      localAddress: pi4.v4,
      neighbors: [{ address: router.v4, remoteAs: 65000 }],
      announce: {
        v4: ['172.198.2.1/32'],
        v6: ['2001:db8:2::1/128'],
        nextHopV4: pi4.v4,
        nextHopV6: pi4.v6,
        communities: ['65001:100', '65001:200'],
        largeCommunities: ['4200000002:1:2'],
      },
    });
  }, 30_000);

  afterAll(async () => {
    await lan?.destroy();
  }, 20_000);

  test('both sessions are reported established with the peer AS', async () => {
    const b = await waitEvent((e) => e.event === 'established' && e.peer === worker.v4);
    expect(b.peerASN).toBe(65001);
    const x = await waitEvent((e) => e.event === 'established' && e.peer === pi4.v4);
    expect(x.peerASN).toBe(4200000002);
  }, 20_000);

  test('BIRD: IPv4 and IPv6 host routes with next hop and AS path', async () => {
    await waitEvent((e) => e.event === 'announce' && e.prefix === '2001:db8:1::1/128');
    await waitEvent((e) => e.event === 'announce' && e.prefix === '172.198.1.2/32');
    const got = events().filter((e) => e.event === 'announce' && e.peer === worker.v4);
    const v4 = got.find((e) => e.prefix === '172.198.1.1/32');
    expect(v4).toMatchObject({ nextHop: worker.v4, asPath: [65001] });
    const v6 = got.find((e) => e.prefix === '2001:db8:1::1/128');
    expect(v6?.nextHop).toBe(worker.v6); // the global half of BIRD's global + link-local pair
    expect(v6?.asPath).toEqual([65001]);
  }, 20_000);

  test('ExaBGP: 4-byte AS path, communities and large communities', async () => {
    const v4 = await waitEvent((e) => e.event === 'announce' && e.prefix === '172.198.2.1/32');
    expect(v4).toMatchObject({
      peer: pi4.v4,
      nextHop: pi4.v4,
      asPath: [4200000002],
      communities: ['65001:100', '65001:200'],
      largeCommunities: ['4200000002:1:2'],
    });
    const v6 = await waitEvent((e) => e.event === 'announce' && e.prefix === '2001:db8:2::1/128');
    expect(v6.nextHop).toBe(pi4.v6);
  }, 20_000);

  test('ExaBGP going away is reported (down or withdraws)', async () => {
    await exa.stop();
    const e = await waitEvent(
      (x) =>
        x.peer === pi4.v4 &&
        (x.event === 'down' || (x.event === 'withdraw' && x.prefix === '172.198.2.1/32')),
    );
    expect(['down', 'withdraw']).toContain(e.event);
  }, 20_000);
});
