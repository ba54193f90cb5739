/**
 * An Established Session over an in-memory pipe on a FakeClock (test/bgp/pipe.ts), with a
 * scripted peer (Remote) at 192.0.2.1, AS 65000, that has sent its OPEN and first KEEPALIVE.
 */
import { Session } from '../../agent/bgp/session.ts';
import { encodeKeepalive, encodeOpen, openFor } from '../../agent/bgp/wire/index.ts';
import { FakeClock } from '../../agent/lib/clock.ts';
import { memoryLogger } from '../../agent/lib/log.ts';
import { type PipeEnd, pipe } from './pipe.ts';
import { Remote } from './remote.ts';

/** Lets the microtasks queued by the pipe and the session run (bounded). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

export interface PipeRig {
  clock: FakeClock;
  s: Session;
  local: PipeEnd;
  remote: Remote;
}

export async function establishedPipeSession(
  o: { clock?: FakeClock; holdTime?: number; keepAliveSeconds?: number } = {},
): Promise<PipeRig> {
  const clock = o.clock ?? new FakeClock();
  const holdTime = o.holdTime ?? 90;
  let local!: PipeEnd;
  let remote!: Remote;
  const s = new Session(
    {
      id: 'r1',
      peerAddress: '192.0.2.1',
      peerPort: 179,
      localASN: 65001,
      peerASN: 65000,
      holdTimeSeconds: holdTime,
      keepAliveTimeSeconds: o.keepAliveSeconds ?? 30,
      connectRetryTimeSeconds: 120,
      gracefulRestart: { enabled: false, restartTimeSeconds: 120 },
      communities: [],
      largeCommunities: [],
    },
    {
      routerId: '10.255.0.2',
      nextHopV4: '192.0.2.10',
      clock,
      random: () => 0.5,
      log: memoryLogger('error'),
      dial: (_o, handlers) => {
        const [a, b] = pipe();
        local = a;
        a.attach(handlers);
        remote = new Remote(b);
        a.connect();
        return a;
      },
    },
  );
  s.start();
  await settle();
  await remote.next('open');
  remote.send(encodeOpen(openFor(65000, holdTime, '10.255.0.1', [{ code: 2 }])));
  remote.send(encodeKeepalive());
  await remote.next('keepalive');
  await settle();
  if (s.state !== 'Established') throw new Error(`the pipe session is ${s.state}, not Established`);
  return { clock, s, local, remote };
}
