/**
 * EV2 secure messaging inside a session (NT4H2421Gx §9.1.9–9.1.10), for commands sent in
 * CommMode.MAC or CommMode.Full and their answers.
 *
 * Command:  MACt = CMAC(SesAuthMACKey, INS ‖ CmdCtr ‖ TI ‖ header ‖ E(data))[odd bytes];
 *           E(data) = AES-CBC(SesAuthENCKey, IV = E(SesAuthENCKey, A5 5A ‖ TI ‖ CmdCtr ‖ 0^8), data ‖ 80 00…).
 * Answer:   CmdCtr + 1; MACt = CMAC(SesAuthMACKey, 00 ‖ CmdCtr ‖ TI ‖ E(data)), the IV with 5A A5.
 */
import { timingSafeEqual } from 'node:crypto';
import { BLOCK, decryptCbc, encryptBlock, encryptCbc, padM2, unpadM2 } from './aes.js';
import { nativeApdu, SW, splitAnswer, swHex } from './apdu.js';
import { macT } from './cmac.js';
import { fail, ok, type Step } from './failure.js';
import type { SecureSession } from './session.js';

export type CommMode = 'mac' | 'full';

const EMPTY = Buffer.alloc(0);
const MACT_LEN = 8;

function iv(s: SecureSession, label: number, ctr: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.writeUInt16BE(label, 0);
  s.ti.copy(block, 2);
  s.ctrBytes(ctr).copy(block, 6);
  return encryptBlock(s.encKey, block);
}

/** The command APDU for `ins` with `header` in plain and `data` protected per `mode`. */
export function secureCommand(
  s: SecureSession,
  ins: number,
  mode: CommMode,
  header: Buffer = EMPTY,
  data: Buffer = EMPTY,
): Buffer {
  if (s.closed) throw new Error('secure session closed');
  const body =
    mode === 'full' && data.length > 0 ? encryptCbc(s.encKey, iv(s, 0xa55a, s.cmdCtr), padM2(data)) : data;
  const mac = macT(s.macKey, Buffer.concat([Buffer.from([ins]), s.ctrBytes(), s.ti, header, body]));
  return nativeApdu(ins, Buffer.concat([header, body, mac]));
}

/**
 * Checks an answer's status and MAC and, in CommMode.Full, decrypts it. Advances CmdCtr: the card
 * has counted the command once it answers 91 00.
 */
export function openAnswer(s: SecureSession, resp: Buffer, mode: CommMode): Step<Buffer> {
  const a = splitAnswer(resp);
  if (!a) return fail('not_ntag424', `answer of ${resp.length} bytes`);
  if (a.sw !== SW.ok) return fail('auth_failed', `command refused: SW ${swHex(a.sw)}`);
  if (a.data.length < MACT_LEN) return fail('bad_mac', `answer of ${a.data.length} bytes has no MAC`);
  s.cmdCtr = (s.cmdCtr + 1) & 0xffff;
  const body = a.data.subarray(0, -MACT_LEN);
  const mac = a.data.subarray(-MACT_LEN);
  const want = macT(s.macKey, Buffer.concat([Buffer.from([0x00]), s.ctrBytes(), s.ti, body]));
  if (!timingSafeEqual(mac, want)) return fail('bad_mac', 'answer MAC does not verify');
  if (mode === 'mac' || body.length === 0) return ok(Buffer.from(body));
  if (body.length % BLOCK !== 0) return fail('auth_failed', `encrypted answer of ${body.length} bytes`);
  const plain = unpadM2(decryptCbc(s.encKey, iv(s, 0x5aa5, s.cmdCtr), body));
  if (!plain) return fail('auth_failed', 'encrypted answer is not padded');
  return ok(Buffer.from(plain));
}
