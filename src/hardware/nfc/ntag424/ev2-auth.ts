/**
 * AuthenticateEV2First, the reader (PCD) side, as a pure state machine: it produces each APDU and
 * consumes each answer; whoever owns the transport sends them (authenticator.ts, personalise.ts).
 *
 *   PCD → 90 71 00 00 02 keyNo 00 00                      PICC → E(K, RndB) 91 AF
 *   PCD → 90 AF 00 00 20 E(K, RndA ‖ RndB') 00             PICC → E(K, TI ‖ RndA' ‖ PDcap2 ‖ PCDcap2) 91 00
 *
 * X' is X rotated left by one byte; E is AES-128-CBC with a zero IV. The card proves it holds K by
 * returning RndA' for a RndA it has never seen: RndA is fresh from crypto.randomBytes on every run
 * (injectable only for NXP's worked example), so a recorded exchange replays to nothing.
 * Session keys per NT4H2421Gx §9.1.7 / AN12196: SesAuthENCKey = CMAC(K, SV1), SesAuthMACKey =
 * CMAC(K, SV2), SV = A55A|5AA5 ‖ 00 01 00 80 ‖ RndA[0..1] ‖ (RndA[2..7] ⊕ RndB[0..5]) ‖ RndB[6..15] ‖ RndA[8..15].
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BLOCK, decryptCbc, encryptCbc, ZERO_IV } from './aes.js';
import { INS, nativeApdu, SW, splitAnswer, swHex } from './apdu.js';
import { aesCmac } from './cmac.js';
import { fail, ok, type Step } from './failure.js';
import { SecureSession } from './session.js';

export const rotl = (b: Buffer): Buffer => Buffer.concat([b.subarray(1), b.subarray(0, 1)]);
export const rotr = (b: Buffer): Buffer => Buffer.concat([b.subarray(-1), b.subarray(0, -1)]);

function sessionVector(label: number, rndA: Buffer, rndB: Buffer): Buffer {
  const sv = Buffer.alloc(32);
  sv.writeUInt16BE(label, 0);
  Buffer.from([0x00, 0x01, 0x00, 0x80]).copy(sv, 2);
  rndA.copy(sv, 6, 0, 2);
  for (let i = 0; i < 6; i++) sv[8 + i] = rndA[2 + i]! ^ rndB[i]!;
  rndB.copy(sv, 14, 6, 16);
  rndA.copy(sv, 24, 8, 16);
  return sv;
}

export function deriveSessionKeys(
  key: Buffer,
  rndA: Buffer,
  rndB: Buffer,
): { encKey: Buffer; macKey: Buffer } {
  return {
    encKey: aesCmac(key, sessionVector(0xa55a, rndA, rndB)),
    macKey: aesCmac(key, sessionVector(0x5aa5, rndA, rndB)),
  };
}

export interface Ev2FirstOptions {
  key: Buffer;
  keyNo: number;
  /** Only for NXP's worked example and tests; otherwise fresh random bytes. */
  rndA?: Buffer;
}

type Phase = 'new' | 'started' | 'challenged' | 'done' | 'failed';

export class Ev2FirstAuth {
  private phase: Phase = 'new';
  private readonly rndA: Buffer;
  private rndB: Buffer | null = null;

  constructor(private readonly opts: Ev2FirstOptions) {
    if (opts.key.length !== BLOCK) throw new RangeError('AES-128 key must be 16 bytes');
    if (opts.rndA && opts.rndA.length !== BLOCK) throw new RangeError('RndA must be 16 bytes');
    this.rndA = opts.rndA ?? randomBytes(BLOCK);
  }

  /** The first command: AuthenticateEV2First with keyNo and no PCD capabilities. */
  start(): Buffer {
    if (this.phase !== 'new') throw new Error('AuthenticateEV2First already started');
    this.phase = 'started';
    return nativeApdu(INS.authenticateEv2First, Buffer.from([this.opts.keyNo, 0x00]));
  }

  /** The card's E(K, RndB) 91 AF → the second command, E(K, RndA ‖ RndB'). */
  challenge(resp: Buffer): Step<Buffer> {
    if (this.phase !== 'started') throw new Error('challenge() out of order');
    this.phase = 'failed';
    const a = splitAnswer(resp);
    if (!a) return fail('not_ntag424', `authentication answer of ${resp.length} bytes`);
    if (a.sw !== SW.more) {
      // A DESFire-family card refusing (91 xx) knows the command; anything else does not.
      const reason = a.sw >> 8 === 0x91 ? 'auth_failed' : 'not_ntag424';
      return fail(reason, `authentication refused: SW ${swHex(a.sw)}`);
    }
    if (a.data.length !== BLOCK) return fail('not_ntag424', `challenge of ${a.data.length} bytes, not 16`);
    this.rndB = decryptCbc(this.opts.key, ZERO_IV, a.data);
    this.phase = 'challenged';
    const body = encryptCbc(this.opts.key, ZERO_IV, Buffer.concat([this.rndA, rotl(this.rndB)]));
    return ok(nativeApdu(INS.additionalFrame, body));
  }

  /** The card's E(K, TI ‖ RndA' ‖ PDcap2 ‖ PCDcap2) 91 00 → the session, if it returned RndA'. */
  finish(resp: Buffer): Step<SecureSession> {
    if (this.phase !== 'challenged' || !this.rndB) throw new Error('finish() out of order');
    this.phase = 'failed';
    const a = splitAnswer(resp);
    if (!a) return fail('not_ntag424', `authentication answer of ${resp.length} bytes`);
    if (a.sw === SW.authError) return fail('wrong_key', 'the card refused our key (SW 91AE)');
    if (a.sw !== SW.ok) return fail('auth_failed', `authentication refused: SW ${swHex(a.sw)}`);
    if (a.data.length !== 2 * BLOCK)
      return fail('auth_failed', `final answer of ${a.data.length} bytes, not 32`);
    const plain = decryptCbc(this.opts.key, ZERO_IV, a.data);
    const rndAPrime = plain.subarray(4, 20);
    if (!timingSafeEqual(rndAPrime, rotl(this.rndA))) {
      return fail('auth_failed', 'the card did not return our RndA: it does not hold the key');
    }
    const { encKey, macKey } = deriveSessionKeys(this.opts.key, this.rndA, this.rndB);
    this.phase = 'done';
    return ok(new SecureSession(Buffer.from(plain.subarray(0, 4)), encKey, macKey, this.opts.keyNo));
  }
}
