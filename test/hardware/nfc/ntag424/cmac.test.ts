/** AES-CMAC against RFC 4493 §4's vectors, MACt truncation, and the M2 padding the card uses. */
import assert from 'node:assert/strict';
import { padM2, unpadM2 } from '../../../../src/hardware/nfc/ntag424/aes.js';
import { aesCmac, cmacSubkeys, truncateMac } from '../../../../src/hardware/nfc/ntag424/cmac.js';

const h = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const K = h('2b7e1516 28aed2a6 abf71588 09cf4f3c');
const M64 = h(
  '6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51' +
    '30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710',
);

describe('ntag424 AES-CMAC (RFC 4493)', () => {
  it('derives the subkeys K1 and K2', () => {
    const { k1, k2 } = cmacSubkeys(K);
    assert.equal(k1.toString('hex'), 'fbeed618357133667c85e08f7236a8de');
    assert.equal(k2.toString('hex'), 'f7ddac306ae266ccf90bc11ee46d513b');
  });

  for (const [len, mac] of [
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ] as const) {
    it(`example with a ${len}-byte message`, () => {
      assert.equal(aesCmac(K, M64.subarray(0, len)).toString('hex'), mac);
    });
  }

  it('truncates to MACt: the odd-indexed bytes', () => {
    assert.equal(truncateMac(h('000102030405060708090a0b0c0d0e0f')).toString('hex'), '01030507090b0d0f');
  });

  it('pads with 0x80 and zeros, always, and refuses a missing pad', () => {
    assert.equal(padM2(h('01')).toString('hex'), `0180${'00'.repeat(14)}`);
    assert.equal(padM2(Buffer.alloc(16)).length, 32);
    assert.deepEqual(unpadM2(padM2(h('0102'))), h('0102'));
    assert.equal(unpadM2(Buffer.alloc(16)), null);
    assert.equal(unpadM2(h(`01${'00'.repeat(14)}ff`)), null);
  });
});
