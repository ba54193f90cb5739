/**
 * The test's side of l2-client-main.ts: keeps the witness's reports (who answered each ARP
 * request / Neighbor Solicitation) and sends TCP probes.
 */
import type { FileSink } from 'bun';
import type { Proc } from './proc.ts';

export interface Answers {
  ip: string;
  seq: number;
  /** When the request was sent (epoch ms). */
  at: number;
  /** Every MAC that answered this one request. */
  macs: string[];
}

export interface Connected {
  ip: string;
  /** The node that answered, or null when none did (but `not`) within the timeout. */
  node: string | null;
  /** When the connection succeeded (or the probe gave up), epoch ms. */
  at: number;
  attempts: number;
}

export class L2Client {
  private readonly latestByIp = new Map<string, Answers>();
  /** Requests answered by more than one MAC: two nodes answering at once. */
  readonly conflicts: Answers[] = [];
  /** Every report, in order (a bounded test run: 8 IPs x 10/s). */
  readonly history: Answers[] = [];
  private readonly waiting = new Map<number, (c: Connected) => void>();
  private nextId = 1;
  private isReady: Promise<void>;
  private markReady: () => void = () => {};

  constructor(private readonly proc: Proc) {
    this.isReady = new Promise((r) => {
      this.markReady = r;
    });
    void this.pump(proc.child.stdout as ReadableStream<Uint8Array>);
  }

  ready(): Promise<void> {
    return Promise.race([
      this.isReady,
      Bun.sleep(10_000).then(() => {
        throw new Error(`l2 client did not start: ${this.proc.log().slice(-500)}`);
      }),
    ]);
  }

  latest(ip: string): Answers | undefined {
    return this.latestByIp.get(ip);
  }

  /** Reports of requests sent at or after `since` (epoch ms). */
  since(since: number): Answers[] {
    return this.history.filter((a) => a.at >= since);
  }

  /**
   * Connects to ip:port until a node answers (other than `not`, when given); short attempts
   * (attemptMs) so a SYN sent to a dead MAC is retried with the client's current neighbour entry.
   */
  connect(
    ip: string,
    port: number,
    o: { not?: string; attemptMs?: number; timeoutMs?: number } = {},
  ): Promise<Connected> {
    const id = this.nextId++;
    const timeoutMs = o.timeoutMs ?? 10_000;
    const cmd = { cmd: 'connect', id, ip, port, not: o.not, attemptMs: o.attemptMs ?? 200, timeoutMs };
    const sink = this.proc.child.stdin as FileSink;
    sink.write(`${JSON.stringify(cmd)}\n`);
    sink.flush();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`l2 client: no answer to connect ${ip}`));
      }, timeoutMs + 5000);
      this.waiting.set(id, (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
  }

  async stop(): Promise<void> {
    await this.proc.stop(2000);
  }

  private async pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of stream) {
        buf += dec.decode(chunk, { stream: true });
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) this.take(JSON.parse(line));
        }
      }
    } catch {}
  }

  private take(m: { type: string } & Record<string, unknown>): void {
    if (m.type === 'ready') this.markReady();
    if (m.type === 'answers') {
      const a = m as unknown as Answers;
      this.history.push(a);
      const prev = this.latestByIp.get(a.ip);
      if (!prev || prev.seq < a.seq) this.latestByIp.set(a.ip, a);
      if (a.macs.length > 1) this.conflicts.push(a);
    }
    if (m.type === 'connected') {
      const c = m as unknown as Connected & { id: number };
      this.waiting.get(c.id)?.(c);
      this.waiting.delete(c.id);
    }
  }
}
