/** agent/config/schema.ts: nodeAddressCIDRs and its old single-key alias, and the control timers' bounds, by exact text. */
import { describe, expect, test } from 'bun:test';
import { nodeAddressCIDRFor, type Problem, validateConfig } from '../../agent/config/schema.ts';

const problems = (input: unknown): string[] => {
  const r = validateConfig(input);
  return r.ok ? [] : r.problems.map((p: Problem) => `${p.path}: ${p.message}`);
};

function cidrs(bgp: Record<string, unknown>): string[] | undefined {
  const r = validateConfig({ bgp });
  return r.ok ? r.config.bgp.nodeAddressCIDRs : undefined;
}

describe('bgp.nodeAddressCIDRs', () => {
  test('one CIDR per family, kept as written', () => {
    expect(cidrs({ nodeAddressCIDRs: ['fd00::/8', '10.0.0.0/8'] })).toEqual(['fd00::/8', '10.0.0.0/8']);
    expect(cidrs({ nodeAddressCIDRs: [] })).toEqual([]);
  });

  test('each refusal at its index', () => {
    expect(problems({ bgp: { nodeAddressCIDRs: '10.0.0.0/8' } })).toEqual([
      'bgp.nodeAddressCIDRs: must be a list of CIDRs, got "10.0.0.0/8"',
    ]);
    expect(
      problems({
        bgp: { nodeAddressCIDRs: [5, 'bad', '10.0.0.0/8', 'fd00::/8', '10.1.0.0/16', 'fd01::/16'] },
      }),
    ).toEqual([
      'bgp.nodeAddressCIDRs[0]: must be a CIDR such as 192.168.2.0/24: got 5',
      'bgp.nodeAddressCIDRs[1]: must be a CIDR such as 192.168.2.0/24: "bad" is not a CIDR (expected address/prefix-length)',
      'bgp.nodeAddressCIDRs[4]: at most one CIDR per address family: 10.0.0.0/8 and 10.1.0.0/16 are both IPv4',
      'bgp.nodeAddressCIDRs[5]: at most one CIDR per address family: fd00::/8 and fd01::/16 are both IPv6',
    ]);
  });
});

describe('bgp.nodeAddressCIDR, the old single key', () => {
  test('joins nodeAddressCIDRs when its family is free or it is the same CIDR', () => {
    expect(cidrs({ nodeAddressCIDR: '10.0.0.0/8' })).toEqual(['10.0.0.0/8']);
    expect(cidrs({ nodeAddressCIDR: 'fd00::/8' })).toEqual(['fd00::/8']);
    expect(cidrs({ nodeAddressCIDR: 'fd00::/8', nodeAddressCIDRs: ['10.0.0.0/8'] })).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
    ]);
    expect(cidrs({ nodeAddressCIDR: '10.0.0.0/8', nodeAddressCIDRs: ['fd00::/8'] })).toEqual([
      'fd00::/8',
      '10.0.0.0/8',
    ]);
    expect(cidrs({ nodeAddressCIDR: '10.0.0.0/8', nodeAddressCIDRs: ['10.0.0.0/8'] })).toEqual([
      '10.0.0.0/8',
    ]);
    expect(cidrs({ nodeAddressCIDR: '' })).toEqual([]);
  });

  test('another CIDR of the same family is a problem', () => {
    expect(
      problems({ bgp: { nodeAddressCIDR: '10.0.0.0/8', nodeAddressCIDRs: ['fd00::/8', '192.168.0.0/16'] } }),
    ).toEqual([
      'bgp.nodeAddressCIDR: is the old spelling of bgp.nodeAddressCIDRs, which already pins IPv4 to 192.168.0.0/16; keep one',
    ]);
    expect(
      problems({ bgp: { nodeAddressCIDR: 'fd00::/8', nodeAddressCIDRs: ['10.0.0.0/8', 'fd01::/16'] } }),
    ).toEqual([
      'bgp.nodeAddressCIDR: is the old spelling of bgp.nodeAddressCIDRs, which already pins IPv6 to fd01::/16; keep one',
    ]);
  });

  test('is merged only when everything else is valid', () => {
    expect(
      problems({
        log: { level: 'loud' },
        bgp: { nodeAddressCIDR: '10.0.0.0/8', nodeAddressCIDRs: ['192.168.0.0/16'] },
      }),
    ).toEqual(['log.level: must be one of debug, info, warn, error, got "loud"']);
  });

  test('nodeAddressCIDRFor picks the family', () => {
    const r = validateConfig({ bgp: { nodeAddressCIDR: 'fd00::/8', nodeAddressCIDRs: ['10.0.0.0/8'] } });
    if (!r.ok) throw new Error('expected a valid config');
    expect([nodeAddressCIDRFor(r.config, 4), nodeAddressCIDRFor(r.config, 6)]).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
    ]);
    const v4only = validateConfig({ bgp: { nodeAddressCIDRs: ['10.0.0.0/8'] } });
    if (!v4only.ok) throw new Error('expected a valid config');
    expect([nodeAddressCIDRFor(v4only.config, 4), nodeAddressCIDRFor(v4only.config, 6)]).toEqual([
      '10.0.0.0/8',
      '',
    ]);
    const v6only = validateConfig({ bgp: { nodeAddressCIDRs: ['fd00::/8'] } });
    if (!v6only.ok) throw new Error('expected a valid config');
    expect([nodeAddressCIDRFor(v6only.config, 4), nodeAddressCIDRFor(v6only.config, 6)]).toEqual([
      '',
      'fd00::/8',
    ]);
  });
});

describe('control timers', () => {
  test.each([
    ['settleSeconds', 0, true],
    ['settleSeconds', 60, true],
    ['settleSeconds', 60.01, false],
    ['drainTimeoutSeconds', 0.1, true],
    ['drainTimeoutSeconds', 0.09, false],
    ['drainTimeoutSeconds', 600, true],
    ['drainTimeoutSeconds', 600.01, false],
  ])('%s %p: valid %p', (key, v, ok) => {
    const [min, max] = key === 'settleSeconds' ? [0, 60] : [0.1, 600];
    expect(problems({ control: { [key]: v } })).toEqual(
      ok ? [] : [`control.${key}: must be a number of seconds ${min}..${max}, got ${v}`],
    );
  });
});
