/**
 * Per-card keys from a site master key, NXP AN10922 §2.2 (AES-128): CMAC over
 * D = 0x01 ‖ M ‖ padding, where the padding (0x80 then zeros) fills D to 32 bytes and then the last
 * block is XORed with K2; a D that is already 32 bytes uses K1. M (1–31 bytes) is
 * UID ‖ AID ‖ system identifier. A key read out of one card opens nothing else: every card's M differs.
 *
 * NTAG 424 DNA has one application, so the 3-byte AID slot names the key instead: 00 00 keyNo.
 * App key 0 and the door key 2 of one card are therefore different keys (see domain/credential-keys.ts).
 */
import { cbcMacWithSubkey, cmacSubkeys } from './cmac.js';

const D_LEN = 32;

/** AN10922 AES-128 diversification of `master` with diversification input `m`. */
export function an10922Diversify(master: Buffer, m: Buffer): Buffer {
  if (m.length < 1 || m.length > 31) throw new RangeError('AN10922 input must be 1 to 31 bytes');
  const { k1, k2 } = cmacSubkeys(master);
  const d = Buffer.alloc(D_LEN);
  d[0] = 0x01;
  m.copy(d, 1);
  if (m.length === 31) return cbcMacWithSubkey(master, d, k1);
  d[1 + m.length] = 0x80;
  return cbcMacWithSubkey(master, d, k2);
}

/** The AN10922 input for one key of one card: UID ‖ 00 00 keyNo ‖ systemId. */
export function diversificationInput(uid: Buffer, keyNo: number, systemId: Buffer): Buffer {
  if (uid.length !== 7) throw new RangeError('NTAG 424 DNA UID must be 7 bytes');
  if (!Number.isInteger(keyNo) || keyNo < 0 || keyNo > 4) throw new RangeError('key number must be 0 to 4');
  return Buffer.concat([uid, Buffer.from([0x00, 0x00, keyNo]), systemId]);
}

/** The key `keyNo` of the card `uid` under `master`. */
export function cardKey(master: Buffer, uid: Buffer, keyNo: number, systemId: Buffer): Buffer {
  return an10922Diversify(master, diversificationInput(uid, keyNo, systemId));
}
