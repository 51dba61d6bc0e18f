import assert from 'node:assert/strict';
import { checkNik, maskNik, maskPhone, type NikRule } from '../../src/domain/nik.js';
import { NIK_FEMALE, NIK_MALE } from './builders.js';

/** Builds a NIK from its parts: region (6), DD MM YY, serial (4). */
const nik = (dd: string, mm: string, yy: string, serial = '0001', region = '331901') =>
  `${region}${dd}${mm}${yy}${serial}`;

function fails(value: string, rule: NikRule): void {
  const r = checkNik(value);
  assert.equal(r.ok, false, `${value} should fail ${rule}`);
  if (!r.ok) {
    assert.equal(r.rule, rule, `${value}: expected rule ${rule}, got ${r.rule}`);
    assert.ok(r.message.length > 0);
  }
}

function passes(value: string) {
  const r = checkNik(value);
  assert.equal(r.ok, true, `${value} should pass: ${JSON.stringify(r)}`);
  if (!r.ok) throw new Error('unreachable');
  return r;
}

describe('domain/nik checkNik', () => {
  describe('valid examples', () => {
    it('accepts a male NIK and reports sex and birth date', () => {
      assert.deepEqual(checkNik(NIK_MALE), { ok: true, sex: 'M', birthDate: { day: 15, month: 8, yy: 85 } });
    });

    it('accepts a female NIK (day + 40) and reports the real day', () => {
      assert.deepEqual(checkNik(NIK_FEMALE), {
        ok: true,
        sex: 'F',
        birthDate: { day: 15, month: 8, yy: 85 },
      });
    });

    it('accepts the first and last days of a month for both sexes', () => {
      assert.deepEqual(passes(nik('01', '01', '90')).birthDate, { day: 1, month: 1, yy: 90 });
      assert.equal(passes(nik('01', '01', '90')).sex, 'M');
      assert.deepEqual(passes(nik('31', '12', '99')).birthDate, { day: 31, month: 12, yy: 99 });
      const f1 = passes(nik('41', '01', '90'));
      assert.equal(f1.sex, 'F');
      assert.equal(f1.birthDate.day, 1);
      const f31 = passes(nik('71', '12', '99'));
      assert.equal(f31.sex, 'F');
      assert.equal(f31.birthDate.day, 31);
    });

    it('accepts 30-day months up to the 30th', () => {
      for (const mm of ['04', '06', '09', '11']) {
        passes(nik('30', mm, '80'));
        passes(nik('70', mm, '80'));
      }
    });

    it('accepts serial 9999 and region codes without zero pairs', () => {
      passes(nik('15', '08', '85', '9999'));
      passes(nik('15', '08', '85', '0001', '990101'));
      passes(nik('15', '08', '85', '0001', '101010'));
    });
  });

  describe('format', () => {
    for (const [label, value] of [
      ['empty', ''],
      ['15 digits', NIK_MALE.slice(0, 15)],
      ['17 digits', `${NIK_MALE}1`],
      ['a letter', `${NIK_MALE.slice(0, 15)}A`],
      ['a space inside', `${NIK_MALE.slice(0, 8)} ${NIK_MALE.slice(9)}`],
      ['leading whitespace', ` ${NIK_MALE}`],
      ['trailing newline', `${NIK_MALE}\n`],
      ['dashes', '33-19-01-150885-0001'],
      ['a sign', `+${NIK_MALE.slice(1)}`],
      ['full-width digits', '３３１９０１１５０８８５０００１'],
    ] as const) {
      it(`rejects ${label}`, () => fails(value, 'format'));
    }
  });

  describe('region codes', () => {
    it('rejects province 00', () => fails(nik('15', '08', '85', '0001', '001901'), 'province'));
    it('rejects regency 00', () => fails(nik('15', '08', '85', '0001', '330001'), 'regency'));
    it('rejects district 00', () => fails(nik('15', '08', '85', '0001', '331900'), 'district'));
    it('reports the first failing rule in order (province before regency, district, date, serial)', () => {
      fails('0000000000000000', 'province');
      fails(nik('00', '00', '00', '0000', '330000'), 'regency');
      fails(nik('00', '13', '00', '0000', '331900'), 'district');
      fails(nik('32', '01', '00', '0000'), 'birth_date');
    });
  });

  describe('birth_date', () => {
    it('rejects day 00 (male) and day 40 (neither a male nor a female day)', () => {
      fails(nik('00', '05', '85'), 'birth_date');
      fails(nik('40', '05', '85'), 'birth_date');
    });

    it('rejects day 32..39 for a man and 72+ for a woman', () => {
      for (const dd of ['32', '35', '39', '72', '80', '99']) fails(nik(dd, '01', '85'), 'birth_date');
    });

    it('rejects month 00 and month 13+', () => {
      fails(nik('15', '00', '85'), 'birth_date');
      fails(nik('15', '13', '85'), 'birth_date');
      fails(nik('55', '00', '85'), 'birth_date');
      fails(nik('55', '99', '85'), 'birth_date');
    });

    it('rejects 31 April (and every other 30-day month), also for women', () => {
      for (const mm of ['04', '06', '09', '11']) {
        fails(nik('31', mm, '85'), 'birth_date');
        fails(nik('71', mm, '85'), 'birth_date');
      }
    });

    it('accepts 31 in 31-day months', () => {
      for (const mm of ['01', '03', '05', '07', '08', '10', '12']) passes(nik('31', mm, '85'));
    });

    it('accepts 29 February when yy is divisible by 4 (incl. 00), for men and women', () => {
      for (const yy of ['00', '04', '88', '96']) {
        assert.deepEqual(passes(nik('29', '02', yy)).birthDate, { day: 29, month: 2, yy: Number(yy) });
        const f = passes(nik('69', '02', yy));
        assert.equal(f.sex, 'F');
        assert.equal(f.birthDate.day, 29);
      }
    });

    it('rejects 29 February in a non-leap yy, for men and women', () => {
      for (const yy of ['01', '85', '99']) {
        fails(nik('29', '02', yy), 'birth_date');
        fails(nik('69', '02', yy), 'birth_date');
      }
    });

    it('rejects 30 and 31 February always', () => {
      for (const dd of ['30', '31', '70', '71']) fails(nik(dd, '02', '00'), 'birth_date');
    });

    it('accepts 28 February in any year', () => {
      passes(nik('28', '02', '01'));
      passes(nik('68', '02', '01'));
    });
  });

  describe('serial', () => {
    it('rejects serial 0000 for a man and a woman', () => {
      fails(nik('15', '08', '85', '0000'), 'serial');
      fails(nik('55', '08', '85', '0000'), 'serial');
    });
    it('accepts serial 0001 and 1000', () => {
      passes(nik('15', '08', '85', '0001'));
      passes(nik('15', '08', '85', '1000'));
    });
  });

  it('names a different message for every rule', () => {
    const samples: [string, NikRule][] = [
      ['x', 'format'],
      [nik('15', '08', '85', '0001', '001901'), 'province'],
      [nik('15', '08', '85', '0001', '330001'), 'regency'],
      [nik('15', '08', '85', '0001', '331900'), 'district'],
      [nik('32', '08', '85'), 'birth_date'],
      [nik('15', '08', '85', '0000'), 'serial'],
    ];
    const messages = new Set<string>();
    for (const [value, rule] of samples) {
      const r = checkNik(value);
      assert.ok(!r.ok && r.rule === rule);
      if (!r.ok) messages.add(r.message);
    }
    assert.equal(messages.size, samples.length);
  });
});

describe('domain/nik masking', () => {
  it('maskNik keeps the region prefix and the last two digits only', () => {
    const m = maskNik(NIK_MALE);
    assert.equal(m, '3319**********01');
    assert.equal(m.length, 16);
    assert.ok(!m.includes('150885'));
  });

  it('maskNik fully masks very short input', () => {
    assert.equal(maskNik('12345'), '*****');
    assert.equal(maskNik(''), '');
    assert.equal(maskNik('123456'), '123456'.slice(0, 4) + '56');
  });

  it('maskPhone keeps 3 leading and 2 trailing digits and drops whitespace', () => {
    assert.equal(maskPhone('081234567890'), '081*******90');
    assert.equal(maskPhone('0812 3456 7890'), '081*******90');
    assert.equal(maskPhone('1234'), '****');
  });
});
