/** UIDs arrive in many spellings (colons, spaces, lower case); the store holds one. */
export function normaliseUid(raw: string): string | null {
  const hex = raw.replace(/[\s:-]/g, '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex)) return null;
  if (![8, 14, 20].includes(hex.length)) return null;
  return hex;
}

/** Wiegand formats the bridge decodes (firmware-bridge/PROTOCOL.md, CARD), with field widths. */
const WIEGAND_FORMATS: Record<string, { name: string; facilityBits: number; cardBits: number }> = {
  H10301: { name: 'H10301', facilityBits: 8, cardBits: 16 },
  '34-BIT': { name: '34-bit', facilityBits: 16, cardBits: 16 },
  H10304: { name: 'H10304', facilityBits: 16, cardBits: 19 },
};

/**
 * A Wiegand card as `FORMAT:facility:card` (e.g. `H10301:123:4567`, as the bridge's reader spells
 * it): format case-insensitive, numbers decimal within the format's widths; null if not one.
 */
export function normaliseWiegand(raw: string): string | null {
  const m = /^\s*([A-Za-z0-9-]+):(\d{1,7}):(\d{1,7})\s*$/.exec(raw);
  const format = m ? WIEGAND_FORMATS[m[1]!.toUpperCase()] : undefined;
  if (!m || !format) return null;
  const facility = Number(m[2]);
  const card = Number(m[3]);
  if (facility >= 2 ** format.facilityBits || card >= 2 ** format.cardBits) return null;
  return `${format.name}:${facility}:${card}`;
}

/** A badge is an NFC UID (hex) or a Wiegand card: one store key for either. */
export function normaliseBadgeUid(raw: string): string | null {
  return normaliseWiegand(raw) ?? normaliseUid(raw);
}
