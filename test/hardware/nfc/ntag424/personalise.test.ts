/**
 * Enrolment personalisation against the virtual NTAG 424 DNA: a blank card is keyed and then
 * passes the door's check; a card of another site, a card that is not NTAG 424 DNA and a card
 * pulled away halfway are refused with a clear reason; a half-keyed card and a card on the old
 * master version are (re-)keyed by running enrolment again.
 */
import assert from 'node:assert/strict';
import { Ntag424Authenticator } from '../../../../src/hardware/nfc/ntag424/authenticator.js';
import { cardKey } from '../../../../src/hardware/nfc/ntag424/diversify.js';
import { type EnrolResult, personaliseNtag424 } from '../../../../src/hardware/nfc/ntag424/personalise.js';
import { cloneCard, VirtualNtag424 } from '../../../fixtures/virtual-ntag424.js';
import { enrolledCard, KEYS, MASTER_V2, SYSTEM_ID, UID } from './keys.js';

const reason = (r: EnrolResult) => (r.ok ? 'enrolled' : r.reason);
const door = new Ntag424Authenticator({ keys: KEYS });

describe('personaliseNtag424', () => {
  it('keys a blank card (factory key 0) to diversified keys 0 and 2 at the enrolment version', async () => {
    const card = new VirtualNtag424({ uid: UID });
    const r = await personaliseNtag424(card.transmit, { keys: KEYS });
    assert.deepEqual(r, { ok: true, uid: UID, keyVersion: 2, apdus: r.apdus });
    const u = Buffer.from(UID, 'hex');
    assert.deepEqual(card.keys[0], cardKey(MASTER_V2, u, 0, SYSTEM_ID));
    assert.deepEqual(card.keys[2], cardKey(MASTER_V2, u, 2, SYSTEM_ID));
    assert.deepEqual(card.versions, [2, 0, 2, 0, 0]);
    assert.deepEqual(card.keys[1], Buffer.alloc(16));
    assert.equal((await door.authenticate(card.transmit)).ok, true);
    // 4 look-ups, auth (2), GetCardUID, 2 ChangeKeys, the door's tap (6), select + auth key 0 (3).
    assert.equal(r.apdus, 4 + 2 + 1 + 2 + 6 + 3);
  });

  it('refuses a card keyed by another site as already_keyed, and changes nothing', async () => {
    const card = new VirtualNtag424({ uid: UID });
    card.keys[0] = Buffer.alloc(16, 0x33);
    const r = await personaliseNtag424(card.transmit, { keys: KEYS });
    assert.equal(reason(r), 'already_keyed');
    assert.ok(!r.ok && /another site/.test(r.detail));
    assert.deepEqual(card.keys[2], Buffer.alloc(16));
    const foreignVersion = new VirtualNtag424({ uid: UID, versions: [7, 0, 7, 0, 0] });
    assert.equal(reason(await personaliseNtag424(foreignVersion.transmit, { keys: KEYS })), 'already_keyed');
  });

  it('refuses a card that is not an NTAG 424 DNA', async () => {
    assert.equal(reason(await personaliseNtag424(cloneCard(UID).transmit, { keys: KEYS })), 'not_ntag424');
    assert.equal(
      reason(await personaliseNtag424(cloneCard('0A0B0C0D').transmit, { keys: KEYS })),
      'not_ntag424',
    );
  });

  it('reports card_removed at every step, and a second enrolment finishes the half-keyed card', async () => {
    for (let n = 0; n < 18; n++) {
      const card = new VirtualNtag424({ uid: UID });
      card.removeAfter = n;
      const r = await personaliseNtag424(card.transmit, { keys: KEYS });
      assert.equal(reason(r), 'card_removed', `removed after ${n} APDUs`);
      card.removeAfter = Number.POSITIVE_INFINITY;
      const again = await personaliseNtag424(card.transmit, { keys: KEYS });
      assert.equal(
        reason(again),
        'enrolled',
        `re-enrolled after removal at ${n}: ${!again.ok && again.detail}`,
      );
      assert.equal((await door.authenticate(card.transmit)).ok, true);
    }
  });

  it('re-keys a card on the previous master version to the enrolment version', async () => {
    const card = enrolledCard(1);
    const r = await personaliseNtag424(card.transmit, { keys: KEYS });
    assert.equal(reason(r), 'enrolled');
    assert.deepEqual(card.versions, [2, 0, 2, 0, 0]);
    const t = await door.authenticate(card.transmit);
    assert.equal(t.ok && t.card.keyVersion, 2);
  });

  it('reports a refused ChangeKey as change_refused', async () => {
    const card = new VirtualNtag424({ uid: UID });
    card.tamper = (apdu, answer) => (apdu[1] === 0xc4 ? Buffer.from('919D', 'hex') : answer);
    assert.equal(reason(await personaliseNtag424(card.transmit, { keys: KEYS })), 'change_refused');
  });
});
