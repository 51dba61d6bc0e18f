/** AN10922 key diversification: NXP's AES-128 vector, the 32-byte (K1) branch, and per-key inputs. */
import assert from 'node:assert/strict';
import { encryptBlock, xor } from '../../../../src/hardware/nfc/ntag424/aes.js';
import { aesCmac, cmacSubkeys } from '../../../../src/hardware/nfc/ntag424/cmac.js';
import { desfireCrc32 } from '../../../../src/hardware/nfc/ntag424/crc32.js';
import {
  an10922Diversify,
  cardKey,
  diversificationInput,
} from '../../../../src/hardware/nfc/ntag424/diversify.js';

const h = (s: string) => Buffer.from(s, 'hex');
const MASTER = h('00112233445566778899AABBCCDDEEFF');

describe('ntag424 AN10922 diversification', () => {
  it("matches AN10922's AES-128 example (UID 04782E21801D80, AID 3042F5, system id 'NXP Abu')", () => {
    const m = h('04782E21801D803042F54E585020416275');
    assert.equal(
      an10922Diversify(MASTER, m).toString('hex').toUpperCase(),
      'A8DD63A3B89D54B37CA802473FDA9175',
    );
  });

  it('a 31-byte input fills D exactly and uses K1 (plain CMAC over the 32 bytes)', () => {
    const m = Buffer.alloc(31, 0x5a);
    const d = Buffer.concat([Buffer.from([0x01]), m]);
    assert.deepEqual(an10922Diversify(MASTER, m), aesCmac(MASTER, d));
  });

  it('a short input is padded to 32 bytes, not 16, then XORed with K2', () => {
    const m = h('0102');
    const d = Buffer.alloc(32);
    d[0] = 0x01;
    m.copy(d, 1);
    d[3] = 0x80;
    const { k2 } = cmacSubkeys(MASTER);
    const x1 = encryptBlock(MASTER, d.subarray(0, 16));
    const want = encryptBlock(MASTER, xor(xor(x1, d.subarray(16)), k2));
    assert.deepEqual(an10922Diversify(MASTER, m), want);
    assert.notDeepEqual(an10922Diversify(MASTER, m), aesCmac(MASTER, d.subarray(0, 3)));
  });

  it('refuses inputs outside 1..31 bytes', () => {
    assert.throws(() => an10922Diversify(MASTER, Buffer.alloc(0)), RangeError);
    assert.throws(() => an10922Diversify(MASTER, Buffer.alloc(32)), RangeError);
  });

  it('gives each card and each key number its own key', () => {
    const sys = Buffer.from('jurukunci-kudus');
    const uid = h('04958CAA5C5E80');
    assert.equal(
      diversificationInput(uid, 2, sys).toString('hex'),
      `04958caa5c5e80000002${sys.toString('hex')}`,
    );
    const k0 = cardKey(MASTER, uid, 0, sys);
    const k2 = cardKey(MASTER, uid, 2, sys);
    const other = cardKey(MASTER, h('04958CAA5C5E81'), 2, sys);
    assert.notDeepEqual(k0, k2);
    assert.notDeepEqual(k2, other);
    assert.notDeepEqual(k2, cardKey(MASTER, uid, 2, Buffer.from('another-site')));
  });
});

describe('ntag424 ChangeKey CRC32', () => {
  it("matches AN12196's ChangeKey example (JAMCRC, LSB first)", () => {
    assert.equal(
      desfireCrc32(h('F3847D627727ED3BC9C4CC050489B966')).toString('hex').toUpperCase(),
      '789DFADC',
    );
  });
});
