import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import {
  base32Decode,
  base32Encode,
  decodePass,
  encodePass,
  MAX_PASS_TEXT,
  PASS_PREFIX,
  type PassClaims,
  verifyPass,
} from '../../src/domain/qr-pass.js';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const NOW = new Date('2026-11-28T03:00:00.000Z');
const claims = (over: Partial<PassClaims> = {}): PassClaims => ({
  passId: 'pas_0123456789abcdef',
  visitId: 'KNJ-20261128-7F3A9C',
  notBefore: new Date('2026-11-28T01:45:00.000Z'),
  expiresAt: new Date('2026-11-28T10:15:00.000Z'),
  ...over,
});

/** Re-encodes the token's bytes after `edit`, keeping the text well-formed. */
function editBytes(text: string, edit: (b: Buffer) => void): string {
  const b = base32Decode(text.slice(PASS_PREFIX.length))!;
  edit(b);
  return PASS_PREFIX + base32Encode(b);
}

/** The token with its last `n` bytes cut off, re-encoded. */
function truncated(text: string, n: number): string {
  const b = base32Decode(text.slice(PASS_PREFIX.length))!;
  return PASS_PREFIX + base32Encode(b.subarray(0, b.length - n));
}

describe('domain/qr-pass', () => {
  it('round-trips the claims and verifies with the public key', () => {
    const text = encodePass(claims(), keys.privateKey);
    assert.match(text, /^JK1:[A-Z2-7]+$/);
    const v = verifyPass(text, keys.publicKey, NOW);
    assert.equal(v.ok, true);
    assert.deepEqual(v.ok && v.claims, claims());
  });

  it('round-trips a visit id that is not in the compact form', () => {
    const c = claims({ visitId: 'KNJ-BENCH-42' });
    const v = verifyPass(encodePass(c, keys.privateKey), keys.publicKey, NOW);
    assert.deepEqual(v.ok && v.claims, c);
  });

  it('signs deterministically: the same claims give the same text', () => {
    assert.equal(encodePass(claims(), keys.privateKey), encodePass(claims(), keys.privateKey));
  });

  it('fits QR version ≤ 10 at ECC M (alphanumeric mode), for the longest visit id too', () => {
    for (const visitId of ['KNJ-20261128-7F3A9C', 'x'.repeat(64)]) {
      const text = encodePass(claims({ visitId }), keys.privateKey);
      const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
      assert.ok(qr.version <= 10, `version ${qr.version} for ${text.length} chars`);
    }
    const usual = QRCode.create(encodePass(claims(), keys.privateKey), { errorCorrectionLevel: 'M' });
    assert.equal(usual.segments.length, 1);
    assert.equal(usual.segments[0]?.mode.id, 'Alphanumeric');
    assert.ok(usual.version <= 6, `usual pass is version ${usual.version}`);
  });

  it('accepts scanner noise around a good pass: surrounding blanks, CR/LF, lower case', () => {
    const text = encodePass(claims(), keys.privateKey);
    for (const t of [` ${text}\r\n`, text.toLowerCase()]) {
      assert.equal(verifyPass(t, keys.publicKey, NOW).ok, true);
    }
  });

  describe('rejections, one reason each', () => {
    const good = () => encodePass(claims(), keys.privateKey);
    const reason = (t: unknown, now = NOW) => {
      const v = verifyPass(t, keys.publicKey, now);
      return v.ok ? 'ok' : v.reason;
    };

    it('not yet valid before not-before, expired after expiry, valid at both edges', () => {
      assert.equal(reason(good(), new Date('2026-11-28T01:44:59.999Z')), 'not_yet_valid');
      assert.equal(reason(good(), new Date('2026-11-28T01:45:00.000Z')), 'ok');
      assert.equal(reason(good(), new Date('2026-11-28T10:15:00.000Z')), 'ok');
      assert.equal(reason(good(), new Date('2026-11-28T10:15:00.001Z')), 'expired');
    });

    it('an invalid clock is not a pass to anything', () => {
      assert.notEqual(reason(good(), new Date(Number.NaN)), 'ok');
    });

    it('the door is signed in: a pass for one door is a bad signature at any other, the same key or not', () => {
      const forA = encodePass(claims(), keys.privateKey, 'server-room');
      assert.equal(verifyPass(forA, keys.publicKey, NOW, 'server-room').ok, true);
      for (const door of ['', 'server-room-2', 'server-roo', 'server-room\0'])
        assert.deepEqual(verifyPass(forA, keys.publicKey, NOW, door), {
          ok: false,
          reason: 'bad_signature',
          detail: 'signature',
        });
      assert.equal(forA.length, encodePass(claims(), keys.privateKey).length, 'no longer for it');
    });

    it('another key → bad signature', () => {
      const v = verifyPass(good(), other.publicKey, NOW);
      assert.deepEqual(v.ok ? 'ok' : v.reason, 'bad_signature');
      assert.equal(reason(encodePass(claims(), other.privateKey)), 'bad_signature');
    });

    it('every single tampered byte → bad signature (or malformed), never ok', () => {
      const text = good();
      const n = base32Decode(text.slice(PASS_PREFIX.length))!.length;
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        for (const flip of [0x01, 0x80, 0xff]) {
          const r = reason(editBytes(text, (b) => (b[i] = b[i]! ^ flip)));
          seen.add(r);
          assert.notEqual(r, 'ok', `byte ${i} ^ ${flip}`);
        }
      }
      // The dates, ids and signature bytes all fall to the signature check.
      assert.ok(seen.has('bad_signature'));
    });

    it('an extended validity (the usual forgery) → bad signature, not expired/valid', () => {
      const text = good();
      const n = base32Decode(text.slice(PASS_PREFIX.length))!.length;
      const forged = editBytes(text, (b) => b.writeUInt32BE(0xfffffff0, n - 64 - 4));
      assert.equal(reason(forged, new Date('2030-01-01T00:00:00Z')), 'bad_signature');
    });

    it('every tampered character → never ok', () => {
      const text = good();
      for (let i = PASS_PREFIX.length; i < text.length; i++) {
        const c = text[i] === 'A' ? 'B' : 'A';
        assert.notEqual(reason(text.slice(0, i) + c + text.slice(i + 1)), 'ok', `char ${i}`);
      }
    });

    it('malformed text, with a detail saying what', () => {
      const text = good();
      const cases: [unknown, string][] = [
        ['', 'empty'],
        ['   \r\n', 'empty'],
        [undefined, 'not_text'],
        [42, 'not_text'],
        ['x'.repeat(MAX_PASS_TEXT + 1), 'too_long'],
        ['https://example.com/', 'prefix'],
        ['JK2:' + text.slice(4), 'prefix'],
        ['JK1:', 'length'],
        [`${text}0`, 'encoding'],
        [`${text.slice(0, 40)}!${text.slice(41)}`, 'encoding'],
        // Dropping 8 characters (5 bytes) keeps the length valid base32; whether the new last
        // character's unused bits are zero depends on the random signature: either way malformed.
        [text.slice(0, -8), 'encoding|length'],
        [truncated(text, 5), 'length'],
        [truncated(text, 80), 'length'],
        [text + 'AAAAAAAA', 'length'],
        [editBytes(text, (b) => (b[0] = 2)), 'format'],
        [editBytes(text, (b) => (b[9] = 7)), 'visit_kind'],
        [editBytes(text, (b) => b.writeUInt32BE(20261399, 10)), 'visit_id'],
      ];
      for (const [t, detail] of cases) {
        const v = verifyPass(t, keys.publicKey, NOW);
        assert.equal(v.ok, false, String(t));
        assert.equal(v.ok ? null : v.reason, 'malformed', String(t).slice(0, 60));
        assert.ok(
          !v.ok && detail.split('|').includes(String(v.detail)),
          `${String(t).slice(0, 60)}: ${v.ok ? '' : v.detail}`,
        );
      }
    });

    it('a window that ends before it starts is malformed (even if signed)', () => {
      const text = good();
      const n = base32Decode(text.slice(PASS_PREFIX.length))!.length;
      const t = editBytes(text, (b) => b.writeUInt32BE(0, n - 64 - 4));
      assert.equal(reason(t), 'malformed');
    });

    it('non-canonical base32 (stray low bits) is malformed', () => {
      const text = good();
      // 89 bytes → 143 characters, the last carrying 2 unused bits.
      const last = text[text.length - 1]!;
      const idx = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(last);
      const bumped = text.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[idx | 1];
      if (bumped !== text) assert.equal(reason(bumped), 'malformed');
    });
  });

  it('encodePass refuses claims it cannot carry', () => {
    assert.throws(() => encodePass(claims({ passId: 'pas_xyz' }), keys.privateKey));
    assert.throws(() => encodePass(claims({ visitId: 'x'.repeat(65) }), keys.privateKey));
    assert.throws(() => encodePass(claims({ expiresAt: claims().notBefore }), keys.privateKey));
  });

  it('base32 round-trips random buffers of every length up to 100', () => {
    for (let n = 0; n <= 100; n++) {
      const b = randomBytes(n);
      assert.deepEqual(base32Decode(base32Encode(b)), b);
    }
  });

  it('decodePass never throws on random input', () => {
    for (let i = 0; i < 2000; i++) {
      const r = decodePass(PASS_PREFIX + base32Encode(randomBytes(i % 120)));
      assert.equal(typeof r.ok, 'boolean');
    }
  });
});
