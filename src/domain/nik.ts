/**
 * NIK (Nomor Induk Kependudukan), the 16-digit number on an Indonesian KTP:
 *   PP KK DD  DDMMYY  NNNN
 *   province, regency, district | birth date (women: day + 40) | serial
 * The check is structural: it cannot prove a NIK was issued, only that it could have been.
 */
export type NikRule = 'format' | 'province' | 'regency' | 'district' | 'birth_date' | 'serial';

export type NikCheck =
  | { ok: true; sex: 'M' | 'F'; birthDate: { day: number; month: number; yy: number } }
  | { ok: false; rule: NikRule; message: string };

const MESSAGES: Record<NikRule, string> = {
  format: 'NIK must be exactly 16 digits',
  province: 'province code (digits 1-2) must not be 00',
  regency: 'regency/city code (digits 3-4) must not be 00',
  district: 'district code (digits 5-6) must not be 00',
  birth_date: 'digits 7-12 must be a real date DDMMYY (women: day + 40)',
  serial: 'serial number (digits 13-16) must not be 0000',
};

function fail(rule: NikRule): NikCheck {
  return { ok: false, rule, message: MESSAGES[rule] };
}

function daysInMonth(month: number, yy: number): number {
  if (month === 2) {
    // A two-digit year cannot tell 1900 from 2000; both 2000 and any yy % 4 === 0 in 19xx/20xx
    // are leap years except 1900, so accept 29 Feb whenever yy % 4 === 0.
    return yy % 4 === 0 ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function checkNik(nik: string): NikCheck {
  if (!/^\d{16}$/.test(nik)) return fail('format');
  if (nik.slice(0, 2) === '00') return fail('province');
  if (nik.slice(2, 4) === '00') return fail('regency');
  if (nik.slice(4, 6) === '00') return fail('district');
  let day = Number(nik.slice(6, 8));
  const month = Number(nik.slice(8, 10));
  const yy = Number(nik.slice(10, 12));
  let sex: 'M' | 'F' = 'M';
  if (day > 40) {
    day -= 40;
    sex = 'F';
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(month, yy)) return fail('birth_date');
  if (nik.slice(12) === '0000') return fail('serial');
  return { ok: true, sex, birthDate: { day, month, yy } };
}

/** Masked for lists and logs: region code and last two digits only. */
export function maskNik(nik: string): string {
  if (nik.length < 6) return '*'.repeat(nik.length);
  return `${nik.slice(0, 4)}${'*'.repeat(Math.max(0, nik.length - 6))}${nik.slice(-2)}`;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
}
