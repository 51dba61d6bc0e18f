/**
 * The transport seam: a tap or an enrolment talks to the card only through `Transmit` (nfc-pcsc's
 * `reader.transmit(apdu, max)` bound to a length, or the virtual card's `transmit`). CardLink
 * counts the APDUs and turns a transmit that throws or rejects — the card left the field — into a
 * typed `card_removed`.
 */
import { GET_ANTICOLLISION_UID, SELECT_NDEF_APP, SW, splitAnswer, swHex } from './apdu.js';
import { getKeyVersionCommand, readKeyVersion, UID_LEN } from './commands.js';
import { Ev2FirstAuth } from './ev2-auth.js';
import { fail, ok, type Step, type TapFailureReason } from './failure.js';
import type { SecureSession } from './session.js';

export type Transmit = (apdu: Buffer) => Promise<Buffer>;

export class CardLink {
  /** APDUs sent so far, answered or not. */
  sent = 0;

  constructor(private readonly transmit: Transmit) {}

  async send(apdu: Buffer): Promise<Step<Buffer, 'card_removed'>> {
    this.sent++;
    try {
      const resp = await this.transmit(apdu);
      if (!Buffer.isBuffer(resp)) return fail('card_removed', 'transmit returned no bytes');
      // Every card answer ends in a status word; a shorter one is the transport losing the card
      // (vpcd, and PC/SC readers, give an empty answer when the card leaves mid-command).
      if (resp.length < 2) return fail('card_removed', `answer of ${resp.length} bytes: the card left`);
      return ok(resp);
    } catch (err) {
      return fail('card_removed', `transmit failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /** The anticollision UID, as the reader reports it (FF CA 00 00 00). */
  async anticollisionUid(): Promise<Step<Buffer, TapFailureReason>> {
    const r = await this.send(GET_ANTICOLLISION_UID);
    if (!r.ok) return r;
    const a = splitAnswer(r.value);
    if (!a || a.sw !== SW.isoOk) return fail('not_ntag424', `UID not read: SW ${a ? swHex(a.sw) : 'none'}`);
    if (a.data.length !== UID_LEN) {
      const kind = a.data.length === 4 && a.data[0] === 0x08 ? 'a random ID' : `${a.data.length} bytes`;
      return fail('not_ntag424', `anticollision UID is ${kind}, not a 7-byte NTAG 424 DNA UID`);
    }
    return ok(Buffer.from(a.data));
  }

  async selectApplication(): Promise<Step<void, TapFailureReason>> {
    const r = await this.send(SELECT_NDEF_APP);
    if (!r.ok) return r;
    const a = splitAnswer(r.value);
    if (!a || a.sw !== SW.isoOk) {
      return fail('not_ntag424', `no NTAG 424 DNA application: SW ${a ? swHex(a.sw) : 'none'}`);
    }
    return ok(undefined);
  }

  async keyVersion(keyNo: number): Promise<Step<number, TapFailureReason>> {
    const r = await this.send(getKeyVersionCommand(keyNo));
    if (!r.ok) return r;
    return readKeyVersion(r.value);
  }

  /** AuthenticateEV2First with `key` as card key `keyNo` (two APDUs); RndA fresh unless injected. */
  async authenticate(
    key: Buffer,
    keyNo: number,
    rndA?: Buffer,
  ): Promise<Step<SecureSession, TapFailureReason>> {
    const auth = new Ev2FirstAuth({ key, keyNo, rndA });
    const r1 = await this.send(auth.start());
    if (!r1.ok) return r1;
    const cmd2 = auth.challenge(r1.value);
    if (!cmd2.ok) return cmd2;
    const r2 = await this.send(cmd2.value);
    if (!r2.ok) return r2;
    return auth.finish(r2.value);
  }
}
