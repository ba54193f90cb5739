/**
 * PURE. A set of typed prefixes stored by column: canonical text -> row, and per row the family,
 * length and 16 address bytes in shared arrays. 100,000 prefixes cost the index and 1.8 MB, not
 * an object and a Uint8Array each (which would hold ~25 MB); prefix() hands out a short-lived
 * view for the encoder.
 */
import { type BytePrefix, formatBytes, parsePrefixInto } from './bytes.ts';
import type { Family } from './ip.ts';

const ROW = 16;

export class PrefixList {
  private readonly rows = new Map<string, number>();
  private sorted: string[] = [];
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
   * Parses each text once, straight into the columns; keys are canonical, without duplicates,
   * and listed sorted. Texts that are not prefixes (or bare addresses: host routes) go to `invalid`.
   */
  static fromTexts(texts: Iterable<string>, invalid: (text: string) => void = () => {}): PrefixList {
    const all = Array.isArray(texts) ? (texts as string[]) : [...texts];
    const list = new PrefixList(all.length);
    let row = 0;
    for (const t of all) {
      const at = row * ROW;
      const r = parsePrefixInto(t, list.bytes, at);
      if (r < 0) {
        invalid(t);
        continue;
      }
      const family = (r >> 8) as Family;
      const length = r & 255;
      const canonical = `${formatBytes(family, list.bytes, at)}/${length}`;
      // The caller's own string when it is already canonical: one copy of each text, not two.
      const key = canonical === t ? t : canonical;
      if (list.rows.has(key)) continue;
      list.rows.set(key, row);
      list.families[row] = family;
      list.lengths[row] = length;
      row++;
    }
    list.sorted = [...list.rows.keys()].sort();
    return list;
  }

  get size(): number {
    return this.sorted.length;
  }

  /** Canonical texts, sorted. */
  keys(): IterableIterator<string> {
    return this.sorted.values();
  }

  has(key: string): boolean {
    return this.rows.has(key);
  }

  family(key: string): Family | undefined {
    const row = this.rows.get(key);
    return row === undefined ? undefined : (this.families[row] as Family);
  }

  /**
   * Writes a key's prefix as BGP NLRI (the length octet, then the significant bytes) at out[at],
   * straight from the columns; returns the bytes written, 0 when the key is not in the list.
   */
  writeNlri(key: string, out: Uint8Array, at: number): number {
    const row = this.rows.get(key);
    if (row === undefined) return 0;
    const length = this.lengths[row]!;
    const n = (length + 7) >> 3;
    const from = row * ROW;
    out[at] = length;
    for (let i = 0; i < n; i++) out[at + 1 + i] = this.bytes[from + i]!;
    return 1 + n;
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
