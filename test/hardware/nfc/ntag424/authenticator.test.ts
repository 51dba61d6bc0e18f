/**
 * A whole tap through Ntag424Authenticator against the virtual NTAG 424 DNA: a genuine card, a
 * card on the previous master key, a clone that only answers its UID, a card of another site, a
 * flipped MAC, a replayed exchange, and a card pulled away at every step. Pure: no pcscd.
 */
import assert from 'node:assert/strict';
import { Ntag424Authenticator, type TapResult } from '../../../../src/hardware/nfc/ntag424/authenticator.js';
import { CONTACTLESS_ATR } from '../../../fixtures/virtual-card.js';
import { cloneCard, ISO14443_4_ATR, VirtualNtag424 } from '../../../fixtures/virtual-ntag424.js';
import { enrolledCard, KEYS, UID } from './keys.js';

const reason = (r: TapResult) => (r.ok ? 'genuine' : r.reason);

describe('Ntag424Authenticator', () => {
  const door = new Ntag424Authenticator({ keys: KEYS });

  it('accepts a genuine card in 6 APDUs and returns its real UID and key version', async () => {
    const card = enrolledCard(2);
    const r = await door.authenticate(card.transmit, ISO14443_4_ATR);
    assert.deepEqual(r, { ok: true, card: { uid: UID, keyVersion: 2 }, apdus: 6 });
    assert.deepEqual(
      card.apdus.map((a) => a.slice(0, 4)),
      ['FFCA', '00A4', '9064', '9071', '90AF', '9051'],
    );
  });

  it('still accepts a card on the previous master key version', async () => {
    const r = await door.authenticate(enrolledCard(1).transmit);
    assert.deepEqual(r.ok && r.card, { uid: UID, keyVersion: 1 });
  });

  it('refuses a retired master key version and a factory-fresh card as wrong_key', async () => {
    const onlyV2 = new Ntag424Authenticator({ keys: { ...KEYS, masterKeys: [KEYS.masterKeys[0]!] } });
    assert.equal(reason(await onlyV2.authenticate(enrolledCard(1).transmit)), 'wrong_key');
    const blank = new VirtualNtag424({ uid: UID });
    assert.equal(reason(await door.authenticate(blank.transmit)), 'wrong_key');
  });

  it('refuses a clone that answers only the UID', async () => {
    const clone = cloneCard(UID);
    assert.equal(reason(await door.authenticate(clone.transmit)), 'not_ntag424');
    assert.equal(reason(await door.authenticate(clone.transmit, CONTACTLESS_ATR)), 'not_ntag424');
  });

  it("refuses a card that claims our key version but holds another site's keys", async () => {
    const card = enrolledCard(2);
    card.keys[2] = Buffer.alloc(16, 0x42);
    const r = await door.authenticate(card.transmit);
    assert.equal(reason(r), 'wrong_key');
    assert.equal(r.apdus, 5);
  });

  it('refuses a genuine key on a card with a copied UID (key derived for another UID)', async () => {
    const other = enrolledCard(2, '04112233445566');
    const copy = new VirtualNtag424({ uid: UID, keys: other.keys, versions: other.versions });
    assert.equal(reason(await door.authenticate(copy.transmit)), 'wrong_key');
  });

  it('refuses an answer whose MAC or ciphertext has one bit flipped', async () => {
    for (const at of [0, 17, 23]) {
      const card = enrolledCard(2);
      card.tamper = (apdu, answer) => {
        if (apdu[1] !== 0x51 || answer.length < 24) return answer;
        const bad = Buffer.from(answer);
        bad[at] = bad[at]! ^ 0x80;
        return bad;
      };
      assert.equal(reason(await door.authenticate(card.transmit)), 'bad_mac', `byte ${at}`);
    }
  });

  it('refuses a replay of a recorded genuine exchange', async () => {
    const card = enrolledCard(2);
    assert.equal(reason(await door.authenticate(card.transmit)), 'genuine');
    const recorded = card.answers.map((a) => Buffer.from(a, 'hex'));
    let i = 0;
    const replay = async () => recorded[i++] ?? Buffer.from('6A82', 'hex');
    const r = await door.authenticate(replay);
    assert.equal(reason(r), 'auth_failed');
  });

  it('gives card_removed, never a throw, when the card leaves at any step', async () => {
    for (let n = 0; n < 6; n++) {
      const card = enrolledCard(2);
      card.removeAfter = n;
      const r = await door.authenticate(card.transmit);
      assert.equal(reason(r), 'card_removed', `removed after ${n} APDUs`);
      assert.equal(r.apdus, n + 1);
    }
    const throwsSync = () => {
      throw new Error('No card or connection available.');
    };
    assert.equal(reason(await door.authenticate(throwsSync)), 'card_removed');
  });

  it('draws a fresh RndA per tap', async () => {
    const card = enrolledCard(2);
    await door.authenticate(card.transmit);
    await door.authenticate(card.transmit);
    const part2 = card.apdus.filter((a) => a.startsWith('90AF'));
    assert.equal(part2.length, 2);
    assert.notEqual(part2[0], part2[1]);
  });
});
