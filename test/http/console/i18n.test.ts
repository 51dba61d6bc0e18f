import assert from 'node:assert/strict';
import { DENY_REASONS } from '../../../src/domain/access-policy.js';
import { VISIT_STATES } from '../../../src/domain/types.js';
import { en } from '../../../src/http/console/i18n/en.js';
import {
  formatClock,
  formatDateTime,
  formatDuration,
  isoToLocalInput,
  localInputToIso,
} from '../../../src/http/console/i18n/format.js';
import { id } from '../../../src/http/console/i18n/id.js';
import {
  langCookie,
  langFromAcceptLanguage,
  langFromRequest,
  type Messages,
  readCookie,
  t,
} from '../../../src/http/console/i18n/index.js';

/** Every leaf path of a catalogue, with its kind. */
function shape(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? shape(v, `${prefix}${k}.`) : [`${prefix}${k}:${typeof v}`],
  );
}

describe('console i18n', () => {
  it('has the same keys and kinds in both catalogues', () => {
    assert.deepEqual(shape(en).sort(), shape(id).sort());
  });

  it('fails tsc for a catalogue with a key missing (checked by the ts-expect-error lines)', () => {
    const { product: _p, ...rest } = en;
    // @ts-expect-error a catalogue without `product` is not Messages
    const missing: Messages = rest;
    // @ts-expect-error every visit state needs a label
    const states: Messages['state'] = { submitted: 'x' };
    assert.ok(missing && states);
  });

  it('labels every visit state and deny reason in both languages', () => {
    for (const lang of ['id', 'en'] as const) {
      for (const s of VISIT_STATES) assert.ok(t(lang).state[s].length > 0, `${lang} ${s}`);
      for (const r of DENY_REASONS) assert.ok(t(lang).deny[r].length > 0, `${lang} ${r}`);
    }
    assert.equal(t('id').state.submitted, 'Diajukan');
    assert.equal(t('en').state.submitted, 'Submitted');
  });

  it('picks the language: jk_lang cookie, then ?lang, then Accept-Language, then Indonesian', () => {
    assert.equal(langFromRequest('a=1; jk_lang=en', 'id', 'id'), 'en');
    assert.equal(langFromRequest('jk_lang=xx', 'id', 'en'), 'en');
    assert.equal(langFromRequest(undefined, 'en-GB,en;q=0.9', undefined), 'en');
    assert.equal(langFromRequest(undefined, 'fr, en;q=0.5, id;q=0.8', undefined), 'id');
    assert.equal(langFromRequest(undefined, 'fr', 'de'), 'id');
    assert.equal(langFromRequest(undefined, undefined), 'id');
    assert.equal(langFromAcceptLanguage('in-ID'), 'id');
    assert.equal(langFromAcceptLanguage('en;q=0, id;q=0'), undefined);
    assert.equal(readCookie('x=%E2%9C%93; y=2', 'x'), '✓');
    assert.equal(readCookie('x=%E2', 'x'), undefined);
    assert.match(langCookie('en', true), /^jk_lang=en; Path=\/; Max-Age=\d+; SameSite=Lax; Secure$/);
  });

  it('formats date and time in the site time zone, per language', () => {
    const iso = '2025-03-04T02:05:00Z';
    assert.equal(formatDateTime(iso, 'id'), '4 Mar 2025, 09.05');
    assert.equal(formatDateTime(iso, 'en'), '4 Mar 2025, 09:05');
    assert.equal(formatDateTime(iso, 'en', 'UTC'), '4 Mar 2025, 02:05');
    assert.equal(formatDateTime('not a date', 'id'), '—');
    assert.equal(formatDateTime(null, 'en'), '—');
  });

  it('formats durations, never negative', () => {
    assert.equal(formatDuration(-5000, 'id'), '0 dtk');
    assert.equal(formatDuration(45_000, 'en'), '45 s');
    assert.equal(formatDuration(12 * 60_000 + 5000, 'id'), '12 mnt 5 dtk');
    assert.equal(formatDuration(3_900_000, 'en'), '1 h 5 min');
    assert.equal(formatDuration(2 * 86_400_000 + 3_600_000, 'id'), '2 hr 1 j');
    assert.equal(formatDuration(Number.NaN, 'en'), '0 s');
    assert.equal(formatClock(-1), '00:00');
    assert.equal(formatClock(905_000), '15:05');
    assert.equal(formatClock(3_723_000), '1:02:03');
  });

  it('reads datetime-local values as wall time in the site time zone', () => {
    assert.equal(localInputToIso('2025-03-04T09:05'), '2025-03-04T02:05:00.000Z');
    assert.equal(localInputToIso('2025-03-04T09:05', 'UTC'), '2025-03-04T09:05:00.000Z');
    assert.equal(localInputToIso('2025-02-30T09:05'), null);
    assert.equal(localInputToIso('09:05'), null);
    assert.equal(isoToLocalInput('2025-03-04T02:05:00.000Z'), '2025-03-04T09:05');
    assert.equal(isoToLocalInput('bad'), '');
  });
});
