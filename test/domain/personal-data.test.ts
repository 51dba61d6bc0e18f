/**
 * NIK and phone numbers in free text, in every format a person might type them (issue #11 §5):
 * generated spellings with separators, Unicode digit scripts and invisible characters never
 * survive `cleanFreeText`; ordinary numbers (dates, letter numbers, serials, amounts) do.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cleanFreeText,
  hasInvisibleCharacters,
  normaliseDigits,
  REDACTED,
  scrubText,
} from '../../src/domain/personal-data.js';

const NIKS = ['3319014507900003', '3319015507900004', '3374012303850001'];
const PHONES = ['081234567890', '+6281234567890', '6285712345678', '0857123456'];
/** Zero code points of digit scripts people in Indonesia may paste: full-width, Arabic-Indic, Javanese, Balinese, Devanagari, Thai. */
const DIGIT_ZEROS = [0x30, 0xff10, 0x660, 0x6f0, 0xa9d0, 0x1b50, 0x966, 0xe50];
const SEPARATORS = [' ', '-', '.', '/', '_', '\u00a0', '\u2009', '\u2013', '·', '  ', ' - '];
const INVISIBLES = ['', '', '\u200b', '\u200d', '\u202e', '\u2060', '\ufeff'];

const spelled = (digits: string) =>
  fc
    .record({
      zero: fc.constantFrom(...DIGIT_ZEROS),
      groups: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }),
      sep: fc.constantFrom(...SEPARATORS),
      invisible: fc.constantFrom(...INVISIBLES),
    })
    .map(({ zero, groups, sep, invisible }) => {
      const chars = [...digits].map((d) =>
        d === '+' ? '+' : String.fromCodePoint(zero + d.charCodeAt(0) - 48),
      );
      let out = '';
      let g = 0;
      let inGroup = 0;
      for (const ch of chars) {
        if (out && ch !== '+' && inGroup >= (groups[g % groups.length] as number)) {
          out += sep + invisible;
          g++;
          inGroup = 0;
        }
        out += ch;
        if (ch !== '+') inGroup++;
      }
      return out;
    });

const text = fc.constantFrom('', 'NIK saya ', 'Andi ', 'hubungi ', 'Perbaikan server; ', '(', 'no.');
const after = fc.constantFrom('', ' terima kasih', ' ya', ').', ' - PT Muria', '\n');

describe('personal data in free text', () => {
  it('masks a NIK in any spelling: separators, digit scripts, invisible characters (10,000 generated)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NIKS).chain((nik) => spelled(nik).map((s) => [nik, s] as const)),
        text,
        after,
        ([nik, s], a, b) => {
          const out = cleanFreeText(a + s + b, { multiline: true });
          const digitsOnly = out.replace(/\D/g, '');
          assert.ok(
            !digitsOnly.includes(nik.slice(0, 12)),
            `${JSON.stringify(a + s + b)} → ${JSON.stringify(out)}`,
          );
          assert.ok(out.includes(REDACTED));
        },
      ),
      { numRuns: 10_000, seed: 4242 },
    );
  });

  it('masks Indonesian phone numbers in any spelling (5,000 generated)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PHONES).chain((p) => spelled(p).map((s) => [p, s] as const)),
        text,
        after,
        ([phone, s], a, b) => {
          const out = cleanFreeText(a + s + b);
          assert.ok(!out.replace(/\D/g, '').includes(phone.replace(/\D/g, '').slice(-9)), `${s} → ${out}`);
        },
      ),
      { numRuns: 5_000, seed: 777 },
    );
  });

  it('the MQTT edge scrubber catches the same spellings', () => {
    for (const s of [
      '3319.0145.0790.0003',
      '3319/0145/0790/0003',
      '３３１９０１４５０７９００００３',
      'NIK 3319\u200b0145\u200b0790\u200b0003',
      '0812.3456.7890',
      '+62 812-3456-7890',
    ])
      assert.ok(scrubText(s).includes(REDACTED), s);
  });

  it('keeps ordinary numbers: dates, times, letter numbers, serials, amounts, short ids', () => {
    for (const s of [
      'Surat 005/123/2026 tanggal 01.12.2026 pukul 10.30',
      'Serial PF3ABC12, disk WD-WX12A3456789',
      'Biaya Rp 1.500.000',
      'Tiket HD-2026-00042',
      'Rak 12, unit 3-4',
      '2026-12-01T03:00:00.000Z',
    ])
      assert.equal(cleanFreeText(s), s);
  });

  it('removes control, bidi and zero-width characters and collapses whitespace', () => {
    assert.equal(cleanFreeText('Andi\u202e ilwan\u0000\u001b[31m  Pratama\r\nX'), 'Andi ilwan[31m Pratama X');
    assert.equal(cleanFreeText('baris 1\r\n\r\n\r\n\r\nbaris 2', { multiline: true }), 'baris 1\n\nbaris 2');
    assert.equal(cleanFreeText('Sa\u200bri'), 'Sari');
    assert.ok(hasInvisibleCharacters('a\u202eb'));
    assert.ok(hasInvisibleCharacters('a\nb'));
    assert.ok(!hasInvisibleCharacters('Andi Pratama'));
  });

  it('reads digits of every script as ASCII', () => {
    assert.equal(normaliseDigits('٣٣١٩ ꧓꧓꧑꧙ १२'), '3319 3319 12');
    assert.equal(normaliseDigits('plain ascii 123'), 'plain ascii 123');
  });
});
