/**
 * The NTAG 424 DNA commands a tap and an enrolment need, each as "build the APDU" and "read the
 * answer": GetKeyVersion (plain, before authenticating), GetCardUID (CommMode.Full) and ChangeKey
 * (CommMode.Full; NT4H2421Gx §10.6.1, AN12196 §6.16).
 */
import { BLOCK, xor } from './aes.js';
import { INS, nativeApdu, SW, splitAnswer, swHex } from './apdu.js';
import { desfireCrc32 } from './crc32.js';
import { fail, ok, type Step } from './failure.js';
import { openAnswer, secureCommand } from './secure-messaging.js';
import type { SecureSession } from './session.js';

export const UID_LEN = 7;

export function getKeyVersionCommand(keyNo: number): Buffer {
  return nativeApdu(INS.getKeyVersion, Buffer.from([keyNo]));
}

/** The key version byte, unauthenticated (CommMode.Plain). */
export function readKeyVersion(resp: Buffer): Step<number> {
  const a = splitAnswer(resp);
  if (!a) return fail('not_ntag424', `key version answer of ${resp.length} bytes`);
  if (a.sw !== SW.ok) return fail('not_ntag424', `GetKeyVersion refused: SW ${swHex(a.sw)}`);
  if (a.data.length !== 1) return fail('not_ntag424', `key version of ${a.data.length} bytes`);
  return ok(a.data[0]!);
}

export function getCardUidCommand(s: SecureSession): Buffer {
  return secureCommand(s, INS.getCardUid, 'full');
}

/** The card's real 7-byte UID, decrypted and MAC-checked. */
export function readCardUid(s: SecureSession, resp: Buffer): Step<Buffer> {
  const r = openAnswer(s, resp, 'full');
  if (!r.ok) return r;
  if (r.value.length !== UID_LEN) return fail('auth_failed', `card UID of ${r.value.length} bytes`);
  return r;
}

export interface KeyChange {
  keyNo: number;
  newKey: Buffer;
  /** The new key's version (1 byte). */
  version: number;
  /** The key's current value; needed unless keyNo is the key the session was opened with. */
  oldKey?: Buffer;
}

/**
 * ChangeKey: for the session's own key, NewKey ‖ KeyVer; for another key,
 * (NewKey ⊕ OldKey) ‖ KeyVer ‖ CRC32(NewKey). Both padded and encrypted; KeyNo in the header.
 */
export function changeKeyCommand(s: SecureSession, c: KeyChange): Buffer {
  if (c.newKey.length !== BLOCK) throw new RangeError('new key must be 16 bytes');
  const ver = Buffer.from([c.version & 0xff]);
  let data: Buffer;
  if (c.keyNo === s.keyNo) {
    data = Buffer.concat([c.newKey, ver]);
  } else {
    if (!c.oldKey || c.oldKey.length !== BLOCK) throw new RangeError('old key needed to change another key');
    data = Buffer.concat([xor(c.newKey, c.oldKey), ver, desfireCrc32(c.newKey)]);
  }
  return secureCommand(s, INS.changeKey, 'full', Buffer.from([c.keyNo]), data);
}

/**
 * Changing the session's own key ends the session: the card answers a bare 91 00 with no MAC.
 * Any other key is answered with a MAC.
 */
export function readChangeKey(s: SecureSession, keyNo: number, resp: Buffer): Step<void> {
  if (keyNo === s.keyNo) {
    const a = splitAnswer(resp);
    if (!a) return fail('not_ntag424', `ChangeKey answer of ${resp.length} bytes`);
    if (a.sw !== SW.ok) return fail('auth_failed', `ChangeKey refused: SW ${swHex(a.sw)}`);
    s.cmdCtr = (s.cmdCtr + 1) & 0xffff;
    s.closed = true;
    return ok(undefined);
  }
  const r = openAnswer(s, resp, 'mac');
  if (!r.ok) return r;
  if (r.value.length !== 0) return fail('auth_failed', `ChangeKey answered ${r.value.length} data bytes`);
  return ok(undefined);
}
