/**
 * The virtual NTAG 424 DNA (test/fixtures/virtual-ntag424.ts) replays NXP AN12196's worked
 * examples from the card's side, byte for byte: given the example's RndB and TI it answers the
 * example's commands with the example's answers. The reader side is tested against the same
 * bytes in ev2-auth.test.ts, so the two sides cannot agree on a private mistake.
 */
import assert from 'node:assert/strict';
import { atrIsIso14443_4 } from '../../../../src/hardware/nfc/ntag424/apdu.js';
import { CONTACTLESS_ATR } from '../../../fixtures/virtual-card.js';
import { ISO14443_4_ATR, VirtualNtag424 } from '../../../fixtures/virtual-ntag424.js';
import { AN12196 } from './an12196-vectors.js';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Buffer) => b.toString('hex').toUpperCase();

describe('virtual NTAG 424 DNA (card side)', () => {
  it('answers AuthenticateEV2First exactly as AN12196 Table 14', () => {
    const v = AN12196.auth;
    const card = new VirtualNtag424({ uid: '04958CAA5C5E80', rndB: () => h(v.rndB), ti: () => h(v.ti) });
    assert.equal(hex(card.answer(h(v.select))), '9000');
    assert.equal(hex(card.answer(h(v.cmd1))), v.resp1);
    assert.equal(hex(card.answer(h(v.cmd2))), v.resp2);
    assert.equal(card.authenticatedKey, 0);
  });

  it('answers GetCardUID exactly as AN12196 Table 28', () => {
    const v = AN12196.getCardUid;
    const card = new VirtualNtag424({ uid: v.uid });
    card.useSession({ ti: h(v.ti), encKey: h(v.encKey), macKey: h(v.macKey), keyNo: 0 });
    assert.equal(hex(card.answer(h(v.cmd))), v.resp);
  });

  it('takes ChangeKey exactly as AN12196 Tables 25 and 26', () => {
    const v = AN12196.changeKey;
    const card = new VirtualNtag424({ uid: '04958CAA5C5E80' });
    card.useSession({ ti: h(v.ti), encKey: h(v.encKey), macKey: h(v.macKey), keyNo: 0, cmdCtr: 2 });
    assert.equal(hex(card.answer(h(v.other.cmd))), v.other.resp);
    assert.equal(hex(card.keys[2]!), v.other.newKey);
    assert.equal(card.versions[2], 1);
    assert.equal(hex(card.answer(h(v.own.cmd))), v.own.resp);
    assert.equal(hex(card.keys[0]!), v.own.newKey);
    assert.equal(card.authenticatedKey, null, 'changing the session key ends the session');
  });

  it('refuses a second part for a key it does not hold (91 AE) and a command with a bad MAC (91 1E)', () => {
    const v = AN12196.auth;
    const card = new VirtualNtag424({ uid: '04958CAA5C5E80', rndB: () => h(v.rndB), keys: [] });
    card.keys.push(...Array.from({ length: 5 }, () => Buffer.alloc(16, 7)));
    card.answer(h(v.select));
    card.answer(h(v.cmd1));
    assert.equal(hex(card.answer(h(v.cmd2))), '91AE');
    const g = AN12196.getCardUid;
    card.useSession({ ti: h(g.ti), encKey: h(g.encKey), macKey: h(g.macKey), keyNo: 0 });
    const bad = h(g.cmd);
    bad[6] = bad[6]! ^ 1;
    assert.equal(hex(card.answer(bad)), '911E');
  });

  it('is ISO 14443-4 by its ATR; the plain virtual card is not', () => {
    assert.equal(atrIsIso14443_4(ISO14443_4_ATR), true);
    assert.equal(atrIsIso14443_4(CONTACTLESS_ATR), false);
  });
});
