/** The fast and byte parsers agree with ip.ts (the reference) on edge inputs, accepted or not. */
import { expect, test } from 'bun:test';
import { formatBytes, parseBytes } from '../../agent/net/bytes.ts';
import { formatAddr, parseAddr, parseAddrText } from '../../agent/net/fast.ts';
import { formatIP, ipToBytes, parseIP } from '../../agent/net/ip.ts';

const INPUTS = [
  '0.0.0.0',
  '255.255.255.255',
  '1.2.3.4',
  '256.1.1.1',
  '1.2.3',
  '1.2.3.4.5',
  '01.2.3.4',
  '1..3.4',
  '::',
  '::1',
  '1::',
  '::ffff:1.2.3.4',
  '::1.2.3.4',
  '1::1.2.3.4',
  '1:2:3:4:5::1.2.3.4',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7::',
  '::2:3:4:5:6:7:8',
  '1::2::3',
  '12345::1',
  'fd00::0001',
  'FD00::AbCd',
  'fd00:0:0:0:0:0:0:1',
  '2001:db8:0:0:1:0:0:1',
  '1:2:3:4:5:6:1.2.3.256',
  'g::1',
  ':1::',
  '1:::2',
  '',
];

test.each(INPUTS)('%p', (text) => {
  const ref = parseIP(text);
  const want = ref.ok ? formatIP(ref.value) : undefined;
  const fast = parseAddr(text);
  expect(fast ? formatAddr(fast) : undefined).toBe(want);
  expect(parseAddrText(text)?.text).toBe(want);
  const b = parseBytes(text);
  expect(b ? formatBytes(b.family, b.bytes) : undefined).toBe(want);
  if (ref.ok) expect(b?.bytes).toEqual(ipToBytes(ref.value));
});
