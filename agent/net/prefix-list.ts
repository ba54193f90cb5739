/**
 * PURE. A set of typed prefixes stored by column: canonical text -> row, and per row the family,
 * length and 16 address bytes in shared arrays. 100,000 prefixes cost the index and 1.8 MB, not
 * an object and a Uint8Array each (which would hold ~25 MB); prefix() hands out a short-lived
 * view for the encoder.
 */
import { type BytePrefix, formatPrefixBytes, parsePrefixBytes } from './bytes.ts';
import type { Family } from './ip.ts';

const ROW = 16;

export class PrefixList {
  private readonly rows = new Map<string, number>();
  private readonly families: Uint8Array;
  private readonly lengths: Uint8Array;
  private readonly bytes: Uint8Array;

  private constructor(capacity: number) {
    this.families = new Uint8Array(capacity);
    this.lengths = new Uint8Array(capacity);
    this.bytes = new Uint8Array(capacity * ROW);
  }

  static readonly EMPTY = new PrefixList(0);

  /**
   * Parses each text once; keys are canonical, sorted, without duplicates. Texts that are not
   * prefixes (or bare addresses: host routes) go to `invalid`.
   */
  static fromTexts(texts: Iterable<string>, invalid: (text: string) => void = () => {}): PrefixList {
    const all = Array.isArray(texts) ? (texts as string[]) : [...texts];
    // Pass 1: parse into scratch columns (nothing per prefix survives the loop but its key).
    const scratch = new PrefixList(all.length);
    for (const t of all) {
      const p = parsePrefixBytes(t);
      if (!p) {
        invalid(t);
        continue;
      }
      const key = formatPrefixBytes(p);
      if (scratch.rows.has(key)) continue;
      scratch.put(scratch.rows.size, key, p);
    }
    // Pass 2: rows in key order.
    const keys = [...scratch.rows.keys()].sort();
    const list = new PrefixList(keys.length);
    keys.forEach((k, row) => {
      list.put(row, k, scratch.prefix(k)!);
    });
    return list;
  }

  private put(row: number, key: string, p: BytePrefix): void {
    this.rows.set(key, row);
    this.families[row] = p.family;
    this.lengths[row] = p.length;
    this.bytes.set(p.bytes, row * ROW);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Canonical texts, sorted. */
  keys(): IterableIterator<string> {
    return this.rows.keys();
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  family(key: string): Family | undefined {
    const row = this.rows.get(key);
    return row === undefined ? undefined : (this.families[row] as Family);
  }

  /** The prefix of a key; its bytes are a view into the list (do not keep or modify them). */
  prefix(key: string): BytePrefix | undefined {
    const row = this.rows.get(key);
    if (row === undefined) return undefined;
    const length = this.lengths[row]!;
    const at = row * ROW;
    return {
      family: this.families[row] as Family,
      length,
      bytes: this.bytes.subarray(at, at + ((length + 7) >> 3)),
    };
  }
}
