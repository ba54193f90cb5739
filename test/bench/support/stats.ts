/** Small statistics and table helpers for the benchmarks. */

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  const rank = Math.min(s.length, Math.max(1, Math.ceil(q * s.length)));
  return s[rank - 1]!;
}

export const median = (values: number[]): number => quantile(values, 0.5);

export interface Row {
  figure: string;
  value: number;
  unit: string;
  /** The target, as a predicate plus its text (e.g. "<= 50 MB"). */
  target?: { text: string; ok: (v: number) => boolean };
  note?: string;
}

export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [
    r.figure,
    Number.isFinite(r.value) ? `${round(r.value)} ${r.unit}` : 'n/a',
    r.target?.text ?? '',
    r.target ? (Number.isFinite(r.value) && r.target.ok(r.value) ? 'ok' : 'MISSED') : '',
    r.note ?? '',
  ]);
  const head = ['figure', 'measured', 'target', '', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

function round(v: number): string {
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
