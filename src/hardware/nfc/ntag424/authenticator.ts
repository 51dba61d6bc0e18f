/**
 * One tap of an NTAG 424 DNA badge, start to end, over a `Transmit` function: is this a genuine
 * card of this site, and what is its real UID? 6 APDUs:
 *
 *   FF CA 00 00 00                 anticollision UID (7 bytes; the key is diversified from it)
 *   00 A4 04 0C 07 D2760000850101 00   select the NTAG 424 DNA application
 *   90 64 … 02                     GetKeyVersion(door key): which master key version keyed it
 *   90 71 … / 90 AF …              AuthenticateEV2First with the card's diversified door key (key 2)
 *   90 51 … MACt                   GetCardUID in CommMode.Full: the real UID, MAC-checked
 *
 * Genuine means: the card proved it holds AN10922(master[v], UID, key 2), its MACed answers verify,
 * and the UID it returns encrypted is the one the key was derived from. A copied UID ("magic"
 * card), a wrong key, a flipped MAC, a replayed exchange (RndA is fresh per tap) or a card pulled
 * away each give a typed failure; nothing here throws or logs key material.
 */

import { masterKeyFor, NTAG424_KEY_NO, type Ntag424KeyMaterial } from '../../../domain/credential-keys.js';
import { atrIsIso14443_4 } from './apdu.js';
import { CardLink, type Transmit } from './card-link.js';
import { getCardUidCommand, readCardUid } from './commands.js';
import { cardKey } from './diversify.js';
import { type Failure, fail, type TapFailureReason } from './failure.js';

export interface GenuineCard {
  /** The real UID, 14 upper-case hex digits (as normaliseUid spells it). */
  uid: string;
  /** The master key version the card's keys were derived from. */
  keyVersion: number;
}

export type TapResult = ({ ok: true; card: GenuineCard } | Failure<TapFailureReason>) & {
  /** APDUs sent during the tap. */
  apdus: number;
};

export interface Ntag424AuthenticatorOptions {
  keys: Ntag424KeyMaterial;
  /** Injected RndA for the vector tests only; otherwise crypto.randomBytes per tap. */
  rndA?: () => Buffer;
}

export class Ntag424Authenticator {
  constructor(private readonly opts: Ntag424AuthenticatorOptions) {}

  /**
   * Runs one tap. `atr`, when known, screens out ISO 14443-3 cards (nfc-pcsc's rule: byte 5 is
   * 0x4F) before any APDU.
   */
  async authenticate(transmit: Transmit, atr?: Buffer): Promise<TapResult> {
    const link = new CardLink(transmit);
    try {
      const r = await this.run(link, atr);
      return { ...r, apdus: link.sent };
    } catch (err) {
      // Not expected (every step returns its failure); a bug must still not open or crash the door.
      return {
        ...fail('not_ntag424', `unexpected: ${(err as Error)?.message ?? String(err)}`),
        apdus: link.sent,
      };
    }
  }

  private async run(
    link: CardLink,
    atr: Buffer | undefined,
  ): Promise<{ ok: true; card: GenuineCard } | Failure<TapFailureReason>> {
    if (atr && !atrIsIso14443_4(atr)) return fail('not_ntag424', 'ISO 14443-3 card (ATR byte 5 is 0x4F)');
    const uid = await link.anticollisionUid();
    if (!uid.ok) return uid;
    const selected = await link.selectApplication();
    if (!selected.ok) return selected;
    const version = await link.keyVersion(NTAG424_KEY_NO.door);
    if (!version.ok) return version;
    const master = masterKeyFor(this.opts.keys, version.value);
    if (!master) return fail('wrong_key', `card keyed to master key version ${version.value}, not held here`);

    const key = cardKey(master.key, uid.value, NTAG424_KEY_NO.door, this.opts.keys.systemId);
    const session = await link.authenticate(key, NTAG424_KEY_NO.door, this.opts.rndA?.());
    if (!session.ok) return session;

    const r3 = await link.send(getCardUidCommand(session.value));
    if (!r3.ok) return r3;
    const real = readCardUid(session.value, r3.value);
    if (!real.ok) return real;
    if (!real.value.equals(uid.value))
      return fail('auth_failed', 'the card reports another UID than it was keyed for');
    return { ok: true, card: { uid: real.value.toString('hex').toUpperCase(), keyVersion: master.version } };
  }
}
