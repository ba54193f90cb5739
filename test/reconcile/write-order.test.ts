/** The pure write-order planner: releases before claims, in rounds, as tables. */
import { describe, expect, test } from 'bun:test';
import { WriteOrder } from '../../agent/reconcile/plan/write-order.ts';

/** Per Service: [status IPs now, result IPs (undefined: a failed result)]. */
type World = Record<string, [string[], string[] | undefined]>;

function order(world: World, todo = Object.keys(world)): WriteOrder {
  return new WriteOrder(todo, {
    statusIPs: (k) => world[k]?.[0],
    resultIPs: (k) => world[k]?.[1],
  });
}

/** Runs every round; the writes in `failing` fail. Returns the rounds ("*" marks an unordered one) and what is left. */
function rounds(o: WriteOrder, failing: string[] = []): { rounds: string[]; left: readonly string[] } {
  const out: string[] = [];
  for (let guard = 0; guard < 20 && o.left.length > 0; guard++) {
    const r = o.next();
    if (!r) break;
    out.push((r.unordered ? '*' : '') + r.keys.join(','));
    for (const k of r.keys) if (!failing.includes(k)) o.written(k);
  }
  return { rounds: out, left: o.left };
}

const cases: {
  name: string;
  world: World;
  failing?: string[];
  unblocked: boolean;
  rounds: string[];
  left?: string[];
}[] = [
  {
    name: 'new Services only: one round',
    world: { a: [[], ['10.0.0.1']], b: [[], ['10.0.0.2']] },
    unblocked: true,
    rounds: ['a,b'],
  },
  {
    name: 'an IP moves: the release first, then the claim',
    world: { b: [[], ['10.0.0.1']], a: [['10.0.0.1'], undefined] },
    unblocked: false,
    rounds: ['a', 'b'],
  },
  {
    name: 'the release fails: the claim waits for a later pass',
    world: { b: [[], ['10.0.0.1']], a: [['10.0.0.1'], undefined] },
    failing: ['a'],
    unblocked: false,
    rounds: ['a'],
    left: ['b'],
  },
  {
    name: "a chain: C takes B's old IP, B takes A's",
    world: {
      c: [[], ['10.0.0.2']],
      b: [['10.0.0.2'], ['10.0.0.1']],
      a: [['10.0.0.1'], []],
    },
    unblocked: false,
    rounds: ['a', 'b', 'c'],
  },
  {
    name: 'a swap (a cycle) goes unordered',
    world: { a: [['10.0.0.1'], ['10.0.0.2']], b: [['10.0.0.2'], ['10.0.0.1']] },
    unblocked: false,
    rounds: ['*a,b'],
  },
  {
    name: 'a shared IP kept by its holder blocks nobody',
    world: { a: [['10.0.0.1'], ['10.0.0.1', '10.0.0.9']], b: [[], ['10.0.0.1']] },
    unblocked: true,
    rounds: ['a,b'],
  },
  {
    name: 'a Service gone from the source neither blocks nor waits',
    world: { b: [[], ['10.0.0.1']] },
    unblocked: true,
    rounds: ['b'],
  },
];

describe('WriteOrder', () => {
  for (const c of cases)
    test(c.name, () => {
      expect(order(c.world).unblocked).toBe(c.unblocked);
      expect(rounds(order(c.world), c.failing)).toEqual({ rounds: c.rounds, left: c.left ?? [] });
    });

  test('blockers name the Service whose release must come first', () => {
    const o = order({ b: [[], ['10.0.0.1']], a: [['10.0.0.1'], undefined] });
    expect(o.blockers('b')).toEqual(['a']);
    expect(o.blockers('a')).toEqual([]);
  });

  test('a limit keeps every write of an IP move and fills up with the others, in order', () => {
    const world: World = {
      n1: [[], ['10.0.0.11']],
      b: [[], ['10.0.0.1']],
      n2: [[], ['10.0.0.12']],
      n3: [[], ['10.0.0.13']],
      a: [['10.0.0.1'], undefined],
      n4: [[], ['10.0.0.14']],
    };
    const o = order(world);
    expect(o.limit(2)).toEqual(['n3', 'n4']);
    expect(o.left).toEqual(['n1', 'b', 'n2', 'a']);
    expect(rounds(o).rounds).toEqual(['n1,n2,a', 'b']);
  });

  test('no limit needed: undefined, nothing left out', () => {
    const o = order({ a: [[], ['10.0.0.1']] });
    expect(o.limit(1)).toBeUndefined();
    expect(o.left).toEqual(['a']);
  });
});

describe('several Services holding one IP in status', () => {
  test('a claim waits for every holder that lets it go', () => {
    const world: World = {
      a: [['10.0.0.1'], []],
      b: [['10.0.0.1'], []],
      d: [['10.0.0.1'], []],
      c: [[], ['10.0.0.1']],
    };
    const o = order(world);
    expect(o.blockers('c')).toEqual(['a', 'b', 'd']);
    expect(rounds(o).rounds).toEqual(['a,b,d', 'c']);
  });

  test('a holder listed twice counts once', () => {
    const o = order({ a: [['10.0.0.1'], []], c: [[], ['10.0.0.1']] }, ['a', 'a', 'c']);
    expect(o.blockers('c')).toEqual(['a']);
  });

  test('a Service that is gone (no status) while its result is known waits for nobody', () => {
    const o = new WriteOrder(['a', 'c'], {
      statusIPs: (k) => (k === 'a' ? ['10.0.0.1'] : undefined),
      resultIPs: (k) => (k === 'a' ? [] : ['10.0.0.1']),
    });
    expect(o.blockers('c')).toEqual([]);
  });
});
