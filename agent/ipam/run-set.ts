/**
 * PURE. A set of addresses (one family) kept as maximal runs of consecutive addresses in an
 * AVL tree keyed by the run's first address. Memory is O(runs) whatever the size of the space
 * (an IPv6 /64 costs nothing until used), and add, delete, has and lowestFree are O(log runs).
 * Sequential allocation only extends a run, so the usual case stays a handful of nodes.
 */

interface Node {
  first: bigint;
  last: bigint;
  left: Node | undefined;
  right: Node | undefined;
  height: number;
}

const h = (n: Node | undefined) => (n ? n.height : 0);

function fix(n: Node): Node {
  n.height = Math.max(h(n.left), h(n.right)) + 1;
  return n;
}

function rotateRight(n: Node): Node {
  const l = n.left as Node;
  n.left = l.right;
  l.right = fix(n);
  return fix(l);
}

function rotateLeft(n: Node): Node {
  const r = n.right as Node;
  n.right = r.left;
  r.left = fix(n);
  return fix(r);
}

function balance(n: Node): Node {
  fix(n);
  const b = h(n.left) - h(n.right);
  if (b > 1) {
    const l = n.left as Node;
    if (h(l.left) < h(l.right)) n.left = rotateLeft(l);
    return rotateRight(n);
  }
  if (b < -1) {
    const r = n.right as Node;
    if (h(r.right) < h(r.left)) n.right = rotateRight(r);
    return rotateLeft(n);
  }
  return n;
}

function insert(n: Node | undefined, first: bigint, last: bigint): Node {
  if (!n) return { first, last, left: undefined, right: undefined, height: 1 };
  if (first < n.first) n.left = insert(n.left, first, last);
  else n.right = insert(n.right, first, last);
  return balance(n);
}

function removeMin(n: Node): [Node | undefined, Node] {
  if (!n.left) return [n.right, n];
  const [rest, min] = removeMin(n.left);
  n.left = rest;
  return [balance(n), min];
}

function remove(n: Node | undefined, first: bigint): Node | undefined {
  if (!n) return undefined;
  if (first < n.first) n.left = remove(n.left, first);
  else if (first > n.first) n.right = remove(n.right, first);
  else {
    if (!n.left) return n.right;
    if (!n.right) return n.left;
    const [rest, min] = removeMin(n.right);
    min.right = rest;
    min.left = n.left;
    return balance(min);
  }
  return balance(n);
}

/** A perfectly balanced tree over runs[lo..hi). */
function buildBalanced(runs: [bigint, bigint][], lo: number, hi: number): Node | undefined {
  if (lo >= hi) return undefined;
  const mid = (lo + hi) >> 1;
  const [first, last] = runs[mid] as [bigint, bigint];
  const left = buildBalanced(runs, lo, mid);
  const right = buildBalanced(runs, mid + 1, hi);
  return { first, last, left, right, height: Math.max(h(left), h(right)) + 1 };
}

const ascending = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class RunSet {
  private root: Node | undefined;
  private runs = 0;
  private count = 0n;

  /**
   * A set holding `values` (any order, duplicates ignored; the array may be reordered), built
   * in one pass: a sort, then O(runs), instead of n tree insertions that merge and split runs.
   * Restore uses it for the addresses found in status.
   */
  static of(values: bigint[]): RunSet {
    const set = new RunSet();
    const n = values.length;
    if (n === 0) return set;
    let min = values[0] as bigint;
    let max = min;
    for (const v of values) {
      if (v < min) min = v;
      else if (v > max) max = v;
    }
    const runs: [bigint, bigint][] = [];
    let count = 0;
    if (max - min <= SAFE) {
      // All of IPv4, and an IPv6 pool's allocations (they start at its lowest address): the
      // offsets are exact doubles, so a native Float64Array sort and a scan of numbers do the
      // work, and BigInts are made only per run.
      const base = max <= SAFE ? 0n : min;
      const f = new Float64Array(n);
      for (let i = 0; i < n; i++) f[i] = Number(base === 0n ? values[i] : (values[i] as bigint) - base);
      f.sort();
      let first = f[0] as number;
      let last = first;
      count = 1;
      for (let i = 1; i < n; i++) {
        const x = f[i] as number;
        if (x === last) continue;
        count++;
        if (x === last + 1) last = x;
        else {
          runs.push([base + BigInt(first), base + BigInt(last)]);
          first = x;
          last = x;
        }
      }
      runs.push([base + BigInt(first), base + BigInt(last)]);
    } else {
      values.sort(ascending);
      let run: [bigint, bigint] | undefined;
      for (const v of values) {
        if (run && v <= run[1]) continue; // duplicate
        count++;
        if (run && v === run[1] + 1n) run[1] = v;
        else {
          run = [v, v];
          runs.push(run);
        }
      }
    }
    set.root = buildBalanced(runs, 0, runs.length);
    set.runs = runs.length;
    set.count = BigInt(count);
    return set;
  }

  /** Number of addresses in the set. */
  get size(): bigint {
    return this.count;
  }

  /** Height of the tree (tests check it stays O(log runs)). */
  get height(): number {
    return h(this.root);
  }

  /** Number of runs (tree nodes): the memory the set costs. */
  get runCount(): number {
    return this.runs;
  }

  /** The run with the greatest first <= x. */
  private floor(x: bigint): Node | undefined {
    let n = this.root;
    let best: Node | undefined;
    while (n) {
      if (n.first <= x) {
        best = n;
        n = n.right;
      } else n = n.left;
    }
    return best;
  }

  private exact(x: bigint): Node | undefined {
    let n = this.root;
    while (n) {
      if (x === n.first) return n;
      n = x < n.first ? n.left : n.right;
    }
    return undefined;
  }

  has(x: bigint): boolean {
    const f = this.floor(x);
    return f !== undefined && f.last >= x;
  }

  /** Adds x; false when it was already there. */
  add(x: bigint): boolean {
    const before = this.floor(x);
    if (before && before.last >= x) return false;
    const after = this.exact(x + 1n);
    this.count++;
    if (before && before.last === x - 1n) {
      if (after) {
        before.last = after.last;
        this.root = remove(this.root, after.first);
        this.runs--;
      } else before.last = x;
      return true;
    }
    if (after) {
      const last = after.last;
      this.root = insert(remove(this.root, after.first), x, last);
      return true;
    }
    this.root = insert(this.root, x, x);
    this.runs++;
    return true;
  }

  /** Removes x; false when it was not there. */
  delete(x: bigint): boolean {
    const f = this.floor(x);
    if (!f || f.last < x) return false;
    this.count--;
    const { first, last } = f;
    if (first === x && last === x) {
      this.root = remove(this.root, first);
      this.runs--;
    } else if (first === x) {
      this.root = insert(remove(this.root, first), x + 1n, last);
    } else if (last === x) {
      f.last = x - 1n;
    } else {
      f.last = x - 1n;
      this.root = insert(this.root, x + 1n, last);
      this.runs++;
    }
    return true;
  }

  /** The lowest address in [first, last] that is not in the set, or undefined when all are. */
  lowestFree(first: bigint, last: bigint): bigint | undefined {
    const f = this.floor(first);
    const candidate = f && f.last >= first ? f.last + 1n : first;
    return candidate <= last ? candidate : undefined;
  }

  /** Runs in ascending order (for tests and debugging). */
  toArray(): [bigint, bigint][] {
    const out: [bigint, bigint][] = [];
    const walk = (n: Node | undefined) => {
      if (!n) return;
      walk(n.left);
      out.push([n.first, n.last]);
      walk(n.right);
    };
    walk(this.root);
    return out;
  }
}
