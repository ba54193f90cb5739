/** PURE. A growable buffer of prefixes encoded as NLRI, back to back, reused round after round. */

/** The most one prefix takes as NLRI: the length octet and 16 address bytes. */
const MAX_NLRI = 17;

/**
 * One group of a round (withdrawals of a family, or announcements sharing an attribute set):
 * its prefixes encoded as NLRI back to back, in a buffer kept from round to round.
 */
export class NlriRun {
  buf = new Uint8Array(4096);
  used = 0;

  room(): Uint8Array {
    if (this.used + MAX_NLRI > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
    }
    return this.buf;
  }
}
