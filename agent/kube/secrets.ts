/**
 * ADAPTER. The Secrets that peering policies' authSecretRef name, and only those: each is
 * read by name (GET, so RBAC can grant exactly those names), again whenever the set of
 * names changes and every refreshMs. Values are decoded from base64; a missing Secret is
 * simply absent (the announce plan reports it).
 */
import type { Clock, Timer } from '../lib/clock.ts';
import { errorMessage } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { KubeApiError, type KubeClient } from './transport.ts';

export interface SecretRef {
  namespace: string;
  name: string;
}

export interface SecretFetcherOptions {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  onChange: () => void;
  refreshMs?: number;
}

export class SecretFetcher {
  private wanted = new Map<string, SecretRef>();
  private data = new Map<string, Record<string, string>>();
  private fingerprints = new Map<string, string>();
  private fetched = new Set<string>();
  private timer: Timer | undefined;
  private running = false;
  private round = 0;
  lastError = '';

  constructor(private readonly o: SecretFetcherOptions) {}

  start(): void {
    this.running = true;
    void this.refresh();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
  }

  /** "namespace/name" -> decoded data, for the Secrets currently wanted. */
  values(): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const k of this.wanted.keys()) {
      const d = this.data.get(k);
      if (d) out.set(k, d);
    }
    return out;
  }

  /** True once every wanted Secret has been read (or found missing) at least once. */
  get synced(): boolean {
    for (const k of this.wanted.keys()) if (!this.fetched.has(k)) return false;
    return true;
  }

  setWanted(refs: SecretRef[]): void {
    const next = new Map(refs.map((r) => [`${r.namespace}/${r.name}`, r]));
    const same = next.size === this.wanted.size && [...next.keys()].every((k) => this.wanted.has(k));
    if (same) return;
    this.wanted = next;
    for (const k of [...this.data.keys()]) if (!next.has(k)) this.data.delete(k);
    if (this.running) void this.refresh();
  }

  private async refresh(): Promise<void> {
    const round = ++this.round;
    this.timer?.cancel();
    let changed = false;
    let error = '';
    const wasSynced = this.synced;
    for (const [key, ref] of this.wanted) {
      if (round !== this.round || !this.running) return;
      try {
        const s = await this.o.client.request<{ data?: Record<string, string> }>(
          'GET',
          `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`,
        );
        const decoded: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.data ?? {}))
          decoded[k] = Buffer.from(v, 'base64').toString('utf8');
        const fp = JSON.stringify(decoded);
        if (this.fingerprints.get(key) !== fp) changed = true;
        this.fingerprints.set(key, fp);
        this.data.set(key, decoded);
        this.fetched.add(key);
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) {
          if (this.data.delete(key)) changed = true;
          this.fingerprints.delete(key);
          this.fetched.add(key);
        } else {
          error = `Secret ${key}: ${errorMessage(err)}`;
          this.o.log.warn('cannot read Secret', { secret: key, error: errorMessage(err) });
        }
      }
    }
    if (round !== this.round || !this.running) return;
    this.lastError = error;
    if (changed || (!wasSynced && this.synced)) this.o.onChange();
    this.timer = this.o.clock.setTimer(this.o.refreshMs ?? 60_000, () => void this.refresh());
  }
}
