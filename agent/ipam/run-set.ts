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

export class RunSet {
  private root: Node | undefined;
  private runs = 0;
  private count = 0n;

  /** Number of addresses in the set. */
  get size(): bigint {
    return this.count;
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
