/**
 * PURE. A small Prometheus registry: counters and gauges with labels, rendered in the
 * text exposition format (version 0.0.4). Components register their metrics once and
 * update them; /metrics renders the registry. Gauges may also be computed on render.
 */
export type Labels = Record<string, string>;
type Kind = 'counter' | 'gauge';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function key(labelNames: readonly string[], labels: Labels): string {
  return labelNames.map((n) => labels[n] ?? '').join('\u0000');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

abstract class Metric {
  protected readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly kind: Kind,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const l of labelNames) if (!LABEL.test(l)) throw new Error(`invalid label name ${l} on ${name}`);
  }

  protected slot(labels: Labels) {
    for (const n of Object.keys(labels)) {
      if (!this.labelNames.includes(n)) throw new Error(`metric ${this.name} has no label ${n}`);
    }
    const k = key(this.labelNames, labels);
    let s = this.values.get(k);
    if (!s) {
      const clean: Labels = {};
      for (const n of this.labelNames) clean[n] = labels[n] ?? '';
      s = { labels: clean, value: 0 };
      this.values.set(k, s);
    }
    return s;
  }

  get(labels: Labels = {}): number {
    return this.values.get(key(this.labelNames, labels))?.value ?? 0;
  }

  /** Forget one label set (a peer removed) or all of them. */
  remove(labels?: Labels): void {
    if (!labels) this.values.clear();
    else this.values.delete(key(this.labelNames, labels));
  }

  samples(): { labels: Labels; value: number }[] {
    return [...this.values.values()];
  }
}

export class Counter extends Metric {
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    this.slot(labels).value += by;
  }
}

export class Gauge extends Metric {
  set(labels: Labels, value: number): void {
    this.slot(labels).value = value;
  }
  inc(labels: Labels = {}, by = 1): void {
    this.slot(labels).value += by;
  }
}

export interface Sample {
  labels: Labels;
  value: number;
}

interface Collected {
  name: string;
  help: string;
  kind: Kind;
  samples: () => Sample[];
}

export class Registry {
  private readonly metrics = new Map<string, Collected>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const m = new Counter(name, help, 'counter', labelNames);
    this.add({ name, help, kind: 'counter', samples: () => m.samples() });
    return m;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const m = new Gauge(name, help, 'gauge', labelNames);
    this.add({ name, help, kind: 'gauge', samples: () => m.samples() });
    return m;
  }

  /** A gauge whose samples are computed at render time. */
  collect(name: string, help: string, kind: Kind, samples: () => Sample[]): void {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    this.add({ name, help, kind, samples });
  }

  private add(c: Collected): void {
    if (this.metrics.has(c.name)) throw new Error(`metric ${c.name} registered twice`);
    this.metrics.set(c.name, c);
  }

  render(): string {
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`);
      out.push(`# TYPE ${m.name} ${m.kind}`);
      for (const s of m.samples()) {
        const entries = Object.entries(s.labels);
        const labels = entries.length
          ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
          : '';
        out.push(`${m.name}${labels} ${formatValue(s.value)}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}
