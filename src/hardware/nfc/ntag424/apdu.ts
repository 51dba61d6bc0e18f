/**
 * NTAG 424 DNA command framing: native commands wrapped in ISO/IEC 7816-4 APDUs
 * (`90 INS 00 00 Lc data 00`), the ISO SELECT of the NDEF application, and status words.
 */

/** ISO SELECT by DF name D2760000850101 (the NTAG 424 DNA application), no FCI returned. */
export const SELECT_NDEF_APP: Buffer = Buffer.from('00A4040C07D276000085010100', 'hex');

/** PC/SC part 3 GET DATA: the anticollision UID, answered by the reader (random with random ID). */
export const GET_ANTICOLLISION_UID: Buffer = Buffer.from('FFCA000000', 'hex');

export const INS = {
  authenticateEv2First: 0x71,
  additionalFrame: 0xaf,
  getCardUid: 0x51,
  getKeyVersion: 0x64,
  changeKey: 0xc4,
} as const;

export const SW = {
  isoOk: 0x9000,
  ok: 0x9100,
  more: 0x91af,
  authError: 0x91ae,
} as const;

/** `90 INS 00 00 [Lc data] 00`. */
export function nativeApdu(ins: number, data: Buffer = Buffer.alloc(0)): Buffer {
  if (data.length > 255) throw new RangeError('short APDUs only');
  const head = Buffer.from([0x90, ins, 0x00, 0x00]);
  if (data.length === 0) return Buffer.concat([head, Buffer.from([0x00])]);
  return Buffer.concat([head, Buffer.from([data.length]), data, Buffer.from([0x00])]);
}

export interface CardAnswer {
  data: Buffer;
  sw: number;
}

/** Splits a response into its data and status word; null when it is too short to have one. */
export function splitAnswer(resp: Buffer): CardAnswer | null {
  if (resp.length < 2) return null;
  return { data: resp.subarray(0, -2), sw: resp.readUInt16BE(resp.length - 2) };
}

export const swHex = (sw: number) => sw.toString(16).toUpperCase().padStart(4, '0');

/** nfc-pcsc's rule: an ATR whose byte 5 is 0x4F is ISO 14443-3 (no APDUs beyond the reader's). */
export function atrIsIso14443_4(atr: Buffer): boolean {
  return atr.length > 5 && atr[5] !== 0x4f;
}
