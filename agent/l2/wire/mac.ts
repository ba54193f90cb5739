/** PURE. Ethernet (EUI-48) addresses as 6 bytes, and their text form aa:bb:cc:dd:ee:ff. */
export type Mac = Uint8Array;

export const MAC_LENGTH = 6;
export const BROADCAST_MAC: Mac = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
export const ZERO_MAC: Mac = new Uint8Array(MAC_LENGTH);

export function formatMac(mac: Mac): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** "aa:bb:cc:dd:ee:ff" (or with dashes) → 6 bytes, or undefined. */
export function parseMac(text: string): Mac | undefined {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== MAC_LENGTH || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

export function macEquals(a: Mac, b: Mac): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
