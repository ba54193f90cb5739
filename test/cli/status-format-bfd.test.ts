/** `edgelb status` shows BFD per peer, only when some neighbor runs it. */
import { expect, test } from 'bun:test';
import { bfdCell, formatStatus } from '../../agent/cli/status-format.ts';
import { emptyStatus, type PeerDoc } from '../../agent/http/status-doc.ts';

const peer = (over: Partial<PeerDoc>): PeerDoc => ({
  address: '192.168.2.1',
  port: 179,
  localASN: 65001,
  peerASN: 65000,
  state: 'Established',
  uptimeSeconds: 60,
  advertised: 2,
  ...over,
});

test('a BFD column per peer: state, intervals, flaps and the last diagnostic in words', () => {
  const s = emptyStatus('worker', '1.0.0', 'files');
  s.bgp.peers = [
    peer({
      bfd: {
        state: 'Up',
        txIntervalMs: 300,
        rxIntervalMs: 300,
        multiplier: 3,
        lastDiagnostic: 'Control Detection Time Expired',
        flaps: 2,
      },
    }),
    peer({ address: '192.168.2.99', state: 'Connect', waitingForBfd: true }),
    peer({ address: '192.168.2.2' }),
  ];
  const out = formatStatus(s);
  expect(out).toContain('BFD');
  expect(out).toContain('Up 300/300 ms x3, 2 flaps, last: Control Detection Time Expired');
  expect(out).toContain('Connect (waiting for BFD)');
  expect(bfdCell(undefined)).toBe('-');
});

test('no BFD anywhere: no BFD column', () => {
  const s = emptyStatus('worker', '1.0.0', 'files');
  s.bgp.peers = [peer({})];
  expect(formatStatus(s)).not.toContain('BFD');
});
