/** One part of `bun run bench:failover` (l2, and beside it bfd): a name, a title, a run. */
import type { Row } from '../support/stats.ts';

export interface FailoverOptions {
  /** How many failures to inject (the figure: 20). */
  deaths: number;
  /** Progress lines, printed as the part runs. */
  log: (line: string) => void;
}

export interface FailoverResult {
  rows: Row[];
  /** Sentences printed under the table: method, formulas, comparisons. */
  notes: string[];
}

export interface FailoverPart {
  name: string;
  title: string;
  run(o: FailoverOptions): Promise<FailoverResult>;
}
