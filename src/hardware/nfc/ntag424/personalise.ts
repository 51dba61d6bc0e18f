/**
 * Enrolment personalisation of an NTAG 424 DNA over the same `Transmit` seam as a tap: the card's
 * application master key (0) and door key (2) become this site's diversified keys at
 * `enrolVersion`, then the card is checked the way the door will check it.
 *
 *   FF CA, SELECT, GetKeyVersion(0), GetKeyVersion(2)     what the card holds now
 *   AuthenticateEV2First(key 0, current key 0)            factory zeros at version 0, or ours at v
 *   GetCardUID                                            the real UID must be the anticollision UID
 *   ChangeKey(2): (new ⊕ old) ‖ ver ‖ CRC32(new)          answered with a MAC
 *   ChangeKey(0): new ‖ ver                               ends the session (bare 91 00)
 *   the door's tap (Ntag424Authenticator), then AuthenticateEV2First(key 0, new key 0)
 *
 * Key 2 changes before key 0, and the current keys are chosen from their key versions, so a card
 * pulled away halfway can simply be enrolled again. A card keyed by another site (key 0 neither the
 * factory key nor one of ours) is refused as `already_keyed`; a card on an older master version of
 * this site is re-keyed to the enrolment version.
 */

import {
  FACTORY_KEY_VERSION,
  masterKeyFor,
  NTAG424_KEY_NO,
  type Ntag424KeyMaterial,
} from '../../../domain/credential-keys.js';
import { Ntag424Authenticator } from './authenticator.js';
import { CardLink, type Transmit } from './card-link.js';
import { changeKeyCommand, getCardUidCommand, readCardUid, readChangeKey } from './commands.js';
import { cardKey } from './diversify.js';
import { type Failure, fail, type TapFailureReason } from './failure.js';

export type EnrolFailureReason =
  | TapFailureReason
  /** Key 0 is neither the factory key nor one of this site's: keyed by someone else. */
  | 'already_keyed'
  /** The card refused a ChangeKey. */
  | 'change_refused'
  /** The card was keyed but does not then pass the door's own check. */
  | 'verify_failed';

export type EnrolResult = ({ ok: true; uid: string; keyVersion: number } | Failure<EnrolFailureReason>) & {
  apdus: number;
};

export interface PersonaliseOptions {
  keys: Ntag424KeyMaterial;
  atr?: Buffer;
  /** Injected RndA for tests only. */
  rndA?: () => Buffer;
}

const FACTORY_KEY = Buffer.alloc(16);

export async function personaliseNtag424(transmit: Transmit, opts: PersonaliseOptions): Promise<EnrolResult> {
  const link = new CardLink(transmit);
  try {
    const r = await personalise(link, transmit, opts);
    return { ...r, apdus: link.sent };
  } catch (err) {
    return {
      ...fail('not_ntag424', `unexpected: ${(err as Error)?.message ?? String(err)}`),
      apdus: link.sent,
    };
  }
}

async function personalise(
  link: CardLink,
  transmit: Transmit,
  opts: PersonaliseOptions,
): Promise<{ ok: true; uid: string; keyVersion: number } | Failure<EnrolFailureReason>> {
  const { keys } = opts;
  const target = masterKeyFor(keys, keys.enrolVersion);
  if (!target) return fail('wrong_key', `no master key of enrolment version ${keys.enrolVersion}`);
  const uid = await link.anticollisionUid();
  if (!uid.ok) return uid;
  const selected = await link.selectApplication();
  if (!selected.ok) return selected;
  const v0 = await link.keyVersion(NTAG424_KEY_NO.appMaster);
  if (!v0.ok) return v0;
  const v2 = await link.keyVersion(NTAG424_KEY_NO.door);
  if (!v2.ok) return v2;
  const current = (version: number, keyNo: number): Buffer | null => {
    if (version === FACTORY_KEY_VERSION) return FACTORY_KEY;
    const m = masterKeyFor(keys, version);
    return m ? cardKey(m.key, uid.value, keyNo, keys.systemId) : null;
  };
  const old0 = current(v0.value, NTAG424_KEY_NO.appMaster);
  const old2 = current(v2.value, NTAG424_KEY_NO.door);
  if (!old0 || !old2)
    return fail('already_keyed', 'the card holds keys of a master key this site does not have');

  // Authenticate with the current key 0; a refusal means it is not the key its version says.
  const session = await link.authenticate(old0, NTAG424_KEY_NO.appMaster, opts.rndA?.());
  if (!session.ok) {
    if (session.reason === 'wrong_key') {
      const who = v0.value === FACTORY_KEY_VERSION ? 'the factory key' : `this site's key v${v0.value}`;
      return fail('already_keyed', `key 0 is not ${who}: keyed by another site`);
    }
    return session;
  }
  const s = session.value;
  const r = await link.send(getCardUidCommand(s));
  if (!r.ok) return r;
  const real = readCardUid(s, r.value);
  if (!real.ok) return real;
  if (!real.value.equals(uid.value))
    return fail('not_ntag424', 'random ID is on: the door cannot derive its key');

  const version = target.version;
  const new2 = cardKey(target.key, uid.value, NTAG424_KEY_NO.door, keys.systemId);
  const new0 = cardKey(target.key, uid.value, NTAG424_KEY_NO.appMaster, keys.systemId);
  const c2 = await link.send(
    changeKeyCommand(s, { keyNo: NTAG424_KEY_NO.door, newKey: new2, oldKey: old2, version }),
  );
  if (!c2.ok) return c2;
  const done2 = readChangeKey(s, NTAG424_KEY_NO.door, c2.value);
  if (!done2.ok) return changeFailure(done2, 2);
  const c0 = await link.send(changeKeyCommand(s, { keyNo: NTAG424_KEY_NO.appMaster, newKey: new0, version }));
  if (!c0.ok) return c0;
  const done0 = readChangeKey(s, NTAG424_KEY_NO.appMaster, c0.value);
  if (!done0.ok) return changeFailure(done0, 0);

  // Check it the way the door will, then that key 0 opens too (or the card could never be re-keyed).
  const door = new Ntag424Authenticator({ keys, rndA: opts.rndA });
  const tap = await door.authenticate(transmit);
  link.sent += tap.apdus;
  if (!tap.ok)
    return tap.reason === 'card_removed' ? tap : fail('verify_failed', `door check: ${tap.detail}`);
  if (tap.card.keyVersion !== version)
    return fail('verify_failed', `door check found version ${tap.card.keyVersion}`);
  const selectedAgain = await link.selectApplication();
  if (!selectedAgain.ok) return selectedAgain;
  const check0 = await link.authenticate(new0, NTAG424_KEY_NO.appMaster, opts.rndA?.());
  if (!check0.ok)
    return check0.reason === 'card_removed' ? check0 : fail('verify_failed', `key 0: ${check0.detail}`);
  return { ok: true, uid: tap.card.uid, keyVersion: version };
}

function changeFailure(f: Failure<string>, keyNo: number): Failure<EnrolFailureReason> {
  return fail('change_refused', `ChangeKey ${keyNo}: ${f.reason}: ${f.detail}`);
}
