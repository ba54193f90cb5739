/**
 * Splits a generated frr.conf (integrated config) into what bgpd and bfdd each read when
 * they run as separate daemons with their own files, as the tests start them: the `bfd`
 * block goes to bfdd, everything else to bgpd.
 */
export function splitFrr(text: string): { bgpd: string; bfdd: string } {
  const bgpd: string[] = [];
  const bfdd: string[] = [];
  let inBfd = false;
  for (const line of text.split('\n')) {
    if (line === 'bfd') inBfd = true;
    (inBfd ? bfdd : bgpd).push(line);
    if (inBfd && line === 'exit') inBfd = false;
  }
  return { bgpd: `${bgpd.join('\n')}\n`, bfdd: `${bfdd.join('\n')}\n` };
}
