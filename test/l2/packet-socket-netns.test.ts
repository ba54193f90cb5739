/**
 * The AF_PACKET sockets' kernel filter on a real link: of a client's ping traffic (ARP, NS, NA,
 * echo requests over IPv4 and IPv6), only ARP requests and Neighbor Solicitations reach user space.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import { decodeArpFrame, decodeNdFrame } from '../../agent/l2/wire/index.ts';
import { hex } from '../bgp/hex.ts';
import { createLan, type Lan } from '../support/netns.ts';
import { LineReader, sleep } from '../support/proc.ts';

const CAPTURE = join(import.meta.dir, '..', 'fixtures', 'l2', 'capture.ts');
let lan: Lan;

beforeAll(async () => {
  lan = await createLan({
    family: 'l2s',
    hosts: {
      node: { v4: '192.168.2.10', v6: 'fd00:2::10' },
      client: { v4: '192.168.2.20', v6: 'fd00:2::20' },
    },
  });
}, 30_000);

afterAll(async () => {
  await lan?.destroy();
});

function kind(line: string): string {
  const b = hex(line);
  const a = decodeArpFrame(b);
  if (a.ok) return a.value.arp.operation === 1 ? 'arp-request' : 'arp-reply';
  const n = decodeNdFrame(b);
  if (n.ok) return n.value.message.type;
  return 'other';
}

test('only ARP requests and NS pass the filter; with receive "all" the rest is seen too', async () => {
  const spawn = (mode: string[]) => {
    const p = lan.spawn('node', [process.execPath, CAPTURE, '--listen', ...mode], {
      name: 'listen',
      pipe: true,
    });
    return new LineReader(p.child.stdout as ReadableStream<Uint8Array>);
  };
  const questions = spawn(['--questions']);
  const all = spawn([]);
  await questions.waitLine((l) => l === 'ready', 5000);
  await all.waitLine((l) => l === 'ready', 5000);
  await lan.exec('client', ['ping', '-c2', '-i0.2', '-W1', '192.168.2.10']);
  await lan.exec('client', ['ping', '-6', '-c2', '-i0.2', '-W1', 'fd00:2::10']);
  await sleep(300);
  const kinds = (r: LineReader) =>
    [
      ...new Set(
        r
          .all()
          .filter((l) => l !== 'ready')
          .map(kind),
      ),
    ].sort();
  expect(kinds(questions)).toEqual(['arp-request', 'ns']);
  // The unfiltered socket saw the echo requests (IPv4 ones are not ARP/IPv6 and never reach either).
  expect(kinds(all)).toContain('other');
}, 30_000);
