/** UIDs arrive in many spellings (colons, spaces, lower case); the store holds one. */
export function normaliseUid(raw: string): string | null {
  const hex = raw.replace(/[\s:-]/g, '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex)) return null;
  if (![8, 14, 20].includes(hex.length)) return null;
  return hex;
}
