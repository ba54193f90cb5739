/** Every API default, once (agent/api/defaults.ts): the values the README and the CRD schemas document. */
import { expect, test } from 'bun:test';
import { DEFAULTS } from '../../agent/api/defaults.ts';

test('the defaults', () => {
  expect(DEFAULTS).toEqual({
    peerPort: 179,
    holdTimeSeconds: 90,
    keepAliveTimeSeconds: 30,
    connectRetryTimeSeconds: 120,
    restartTimeSeconds: 120,
    authSecretKey: 'password',
    bfd: {
      receiveIntervalMilliseconds: 300,
      transmitIntervalMilliseconds: 300,
      detectMultiplier: 3,
      passiveMode: false,
      minimumTtl: 254,
    },
    l2: { leaseDurationSeconds: 2, renewIntervalSeconds: 0.5, gratuitousIntervalSeconds: 60 },
  });
});
