/**
 * The reader side of AuthenticateEV2First, GetCardUID and ChangeKey against NXP AN12196's worked
 * examples, byte for byte; then the refusals: a wrong key, a card that does not return RndA, a
 * flipped MAC, and calls out of order.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { decryptCbc, encryptCbc, ZERO_IV } from '../../../../src/hardware/nfc/ntag424/aes.js';
import {
  changeKeyCommand,
  getCardUidCommand,
  readCardUid,
  readChangeKey,
} from '../../../../src/hardware/nfc/ntag424/commands.js';
import { Ev2FirstAuth, rotl } from '../../../../src/hardware/nfc/ntag424/ev2-auth.js';
import { SecureSession } from '../../../../src/hardware/nfc/ntag424/session.js';
import { AN12196 } from './an12196-vectors.js';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Buffer) => b.toString('hex').toUpperCase();

function expectOk<T>(r: { ok: true; value: T } | { ok: false; reason: string; detail: string }): T {
  if (!r.ok) assert.fail(`${r.reason}: ${r.detail}`);
  return r.value;
}

describe('ntag424 AuthenticateEV2First (AN12196 Table 14)', () => {
  const v = AN12196.auth;

  it('produces both commands and the session keys of the worked example', () => {
    const auth = new Ev2FirstAuth({ key: h(v.key), keyNo: 0, rndA: h(v.rndA) });
    assert.equal(hex(auth.start()), v.cmd1);
    assert.equal(hex(expectOk(auth.challenge(h(v.resp1)))), v.cmd2);
    const s = expectOk(auth.finish(h(v.resp2)));
    assert.equal(hex(s.ti), v.ti);
    assert.equal(hex(s.encKey), v.encKey);
    assert.equal(hex(s.macKey), v.macKey);
    assert.equal(s.cmdCtr, 0);
    assert.equal(s.keyNo, 0);
  });

  it('never shows the session keys when a session is logged', () => {
    const s = new SecureSession(h(v.ti), h(v.encKey), h(v.macKey), 0);
    for (const text of [inspect(s), JSON.stringify(s)]) {
      assert.ok(!text.toUpperCase().includes(v.encKey.slice(0, 8)), text);
      assert.ok(!text.toUpperCase().includes(v.macKey.slice(0, 8)), text);
    }
  });

  it('takes a fresh random RndA unless one is injected', () => {
    const a = new Ev2FirstAuth({ key: h(v.key), keyNo: 0 });
    const b = new Ev2FirstAuth({ key: h(v.key), keyNo: 0 });
    a.start();
    b.start();
    const cmdA = expectOk(a.challenge(h(v.resp1)));
    const cmdB = expectOk(b.challenge(h(v.resp1)));
    assert.notEqual(hex(cmdA), hex(cmdB));
  });

  it('refuses the recorded final answer when RndA was fresh (a replay)', () => {
    const auth = new Ev2FirstAuth({ key: h(v.key), keyNo: 0 });
    auth.start();
    expectOk(auth.challenge(h(v.resp1)));
    const r = auth.finish(h(v.resp2));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'auth_failed');
  });

  it('reports 91 AE as the wrong key', () => {
    const auth = new Ev2FirstAuth({ key: Buffer.alloc(16, 1), keyNo: 2 });
    auth.start();
    expectOk(auth.challenge(h(v.resp1)));
    const r = auth.finish(h('91AE'));
    assert.equal(!r.ok && r.reason, 'wrong_key');
  });

  it('refuses a final answer that carries another RndA, and a non-NTAG answer to the first command', () => {
    const key = h(v.key);
    const auth = new Ev2FirstAuth({ key, keyNo: 0, rndA: h(v.rndA) });
    auth.start();
    expectOk(auth.challenge(h(v.resp1)));
    const plain = decryptCbc(key, ZERO_IV, h(v.resp2).subarray(0, 32));
    plain[4] = plain[4]! ^ 1;
    const forged = Buffer.concat([encryptCbc(key, ZERO_IV, plain), h('9100')]);
    assert.equal(!auth.finish(forged).ok && 'refused', 'refused');

    const other = new Ev2FirstAuth({ key, keyNo: 0 });
    other.start();
    const r = other.challenge(h('6D00'));
    assert.equal(!r.ok && r.reason, 'not_ntag424');
  });

  it('checks the order of the steps', () => {
    const auth = new Ev2FirstAuth({ key: h(v.key), keyNo: 0 });
    assert.throws(() => auth.finish(h(v.resp2)));
    auth.start();
    assert.throws(() => auth.start());
  });

  it('rotates left by one byte', () => {
    assert.equal(hex(rotl(h(v.rndB))), 'E2FC789B64BF237CCCAA20EC7E6E48B9');
  });
});

describe('ntag424 GetCardUID in CommMode.Full (AN12196 Table 28)', () => {
  const v = AN12196.getCardUid;
  const session = () => new SecureSession(h(v.ti), h(v.encKey), h(v.macKey), 0);

  it('MACs the command with the counter and decrypts the real UID', () => {
    const s = session();
    assert.equal(hex(getCardUidCommand(s)), v.cmd);
    assert.equal(hex(expectOk(readCardUid(s, h(v.resp)))), v.uid);
    assert.equal(s.cmdCtr, 1);
  });

  it('refuses an answer with one bit of its MAC or its ciphertext flipped', () => {
    const resp = h(v.resp);
    for (const at of [0, 15, 16, 23]) {
      const bad = Buffer.from(resp);
      bad[at] = bad[at]! ^ 0x01;
      const r = readCardUid(session(), bad);
      assert.equal(!r.ok && r.reason, 'bad_mac', `byte ${at}`);
    }
  });

  it('refuses an answer MACed for another command counter', () => {
    const s = session();
    s.cmdCtr = 1;
    getCardUidCommand(s);
    const r = readCardUid(s, h(v.resp));
    assert.equal(!r.ok && r.reason, 'bad_mac');
  });
});

describe('ntag424 ChangeKey (AN12196 Tables 25 and 26)', () => {
  const v = AN12196.changeKey;
  const session = (ctr: number) => {
    const s = new SecureSession(h(v.ti), h(v.encKey), h(v.macKey), 0);
    s.cmdCtr = ctr;
    return s;
  };

  it('changes another key: (new ⊕ old) ‖ version ‖ CRC32(new), answered with a MAC', () => {
    const s = session(v.other.cmdCtr);
    const cmd = changeKeyCommand(s, {
      keyNo: v.other.keyNo,
      newKey: h(v.other.newKey),
      oldKey: Buffer.alloc(16),
      version: 1,
    });
    assert.equal(hex(cmd), v.other.cmd);
    expectOk(readChangeKey(s, v.other.keyNo, h(v.other.resp)));
    assert.equal(s.cmdCtr, 3);
    assert.equal(s.closed, false);
  });

  it("changes the session's own key: new ‖ version; the bare 91 00 closes the session", () => {
    const s = session(v.own.cmdCtr);
    const cmd = changeKeyCommand(s, { keyNo: v.own.keyNo, newKey: h(v.own.newKey), version: 1 });
    assert.equal(hex(cmd), v.own.cmd);
    expectOk(readChangeKey(s, v.own.keyNo, h(v.own.resp)));
    assert.equal(s.closed, true);
    assert.throws(() => getCardUidCommand(s));
  });

  it('refuses a ChangeKey answer whose MAC is wrong', () => {
    const s = session(v.other.cmdCtr);
    changeKeyCommand(s, { keyNo: 2, newKey: h(v.other.newKey), oldKey: Buffer.alloc(16), version: 1 });
    const r = readChangeKey(s, 2, h('203BB55D1089D5889100'));
    assert.equal(!r.ok && r.reason, 'bad_mac');
  });
});
