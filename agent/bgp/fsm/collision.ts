/**
 * PURE. Connection collision resolution (RFC 4271 §6.8): of two connections to one peer,
 * keep the one initiated by the speaker with the higher BGP Identifier (compared as
 * unsigned 32-bit integers); the other is closed with Cease 6/7.
 */
function idValue(id: string): number {
  const p = id.split('.').map(Number);
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0) as number;
}

/** Which connection survives: the one we initiated ('outgoing') or the peer's ('incoming'). */
export function collisionWinner(localId: string, remoteId: string): 'outgoing' | 'incoming' {
  return idValue(localId) > idValue(remoteId) ? 'outgoing' : 'incoming';
}
