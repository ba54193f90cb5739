/**
 * Sends raw BFD payloads with a chosen TTL from inside a LAN namespace (the hostile tests'
 * "router side" sender): `bun test/bfd/send-main.ts JSON` with
 * {family, to, port, ttl, hex: [payload...]}, or an array of those (sent in order, from one
 * process: each extra process start is CPU the sessions under test compete with). Prints
 * {"sent": n} and exits.
 */
import { SOURCE_PORT_MAX, SOURCE_PORT_MIN } from '../../agent/bfd/transport.ts';
import { UdpSocket } from '../../agent/bfd/udp-ffi.ts';

interface SendSpec {
  family: 4 | 6;
  to: string;
  port: number;
  ttl: number;
  hex: string[];
}

if (import.meta.main) {
  const parsed = JSON.parse(process.argv[2] ?? '{}') as SendSpec | SendSpec[];
  let sent = 0;
  for (const spec of Array.isArray(parsed) ? parsed : [parsed]) {
    const s = UdpSocket.openInRange(
      { family: spec.family, ttl: spec.ttl },
      SOURCE_PORT_MIN,
      SOURCE_PORT_MAX,
      Math.random,
    );
    for (const h of spec.hex)
      if (s.send(new Uint8Array(Buffer.from(h, 'hex')), spec.to, spec.port) === 0) sent++;
    s.close();
  }
  process.stdout.write(`${JSON.stringify({ sent })}\n`);
}
