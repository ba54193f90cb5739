/**
 * The leader's writes of the edgelb.io/BGPAttributesValid Service condition
 * (plan/attribute-conditions.ts decides). Runs only while some advertisement honours Service
 * annotations, or a False condition written earlier may need clearing.
 */
import { type ServiceObject, serviceKey } from '../api/core.ts';
import type { StatusWriter } from '../api/status.ts';
import type { BGPPeeringPolicy, LoadBalancerIPPool } from '../api/v1alpha1.ts';
import type { Logger } from '../lib/log.ts';
import { annotationProblems, attributeCondition, honoursAnnotations } from './plan/attribute-conditions.ts';

export class AttributeConditions {
  /** Services whose condition this leader wrote False (to clear them when the rule goes away). */
  private flagged = new Set<string>();
  /** Honouring advertisements were seen this term: one full look for stale conditions is due. */
  private looked = false;

  constructor(
    private readonly writer: StatusWriter,
    private readonly log: Logger,
  ) {}

  /** A new term: conditions written by an earlier leader are looked at again. */
  clear(): void {
    this.flagged.clear();
    this.looked = false;
  }

  async publish(
    services: readonly ServiceObject[],
    policies: readonly BGPPeeringPolicy[],
    pools: readonly LoadBalancerIPPool[],
  ): Promise<void> {
    const write = this.writer.writeServiceCondition?.bind(this.writer);
    if (!write) return;
    const honours = honoursAnnotations(policies);
    if (!honours && this.flagged.size === 0 && this.looked) return;
    this.looked = true;
    const problems = honours ? annotationProblems(policies, services, pools) : new Map<string, string[]>();
    for (const s of services) {
      const key = serviceKey(s);
      const c = attributeCondition(s, problems.get(key));
      if (!c) continue;
      try {
        await write(s, c);
        if (c.status === 'False') this.flagged.add(key);
        else this.flagged.delete(key);
      } catch (err) {
        this.log.warn('writing the BGPAttributesValid condition failed; retried on the next pass', {
          service: key,
          error: (err as Error).message,
        });
        return;
      }
    }
  }
}
