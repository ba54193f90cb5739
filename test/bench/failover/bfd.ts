/** bench:failover's `bfd` part: silent node deaths seen by FRR with BFD and with the hold timer. */
import { bfdFailoverRows, runBfdFailover } from '../failover-bfd.ts';
import type { FailoverPart } from './part.ts';

export const bfdPart: FailoverPart = {
  name: 'bfd',
  title: 'BGP + BFD: silent death to path removed at the router (FRR), with BFD 300 ms x 3 and with hold 9 s',
  async run(o) {
    const r = await runBfdFailover({ trials: o.deaths, idle: true, log: o.log });
    return {
      rows: bfdFailoverRows(r),
      notes: [
        `time from \`ip link set eth0 down\` in the node's namespace to FRR's bgpd no longer holding that node's path, polled every ${r.pollMs} ms`,
        `hold-timer case: hold ${r.hold.holdSeconds} s, keepalive ${r.hold.keepaliveSeconds} s; with the 90 s default the path would stay 60-90 s`,
      ],
    };
  },
};
