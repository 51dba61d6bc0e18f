/**
 * A badge's UID is an NFC hex UID or a Wiegand card `FORMAT:facility:card`: both normalised to
 * the one spelling the store holds (src/domain/uid.ts), so a Wiegand read finds its badge.
 */
import assert from 'node:assert/strict';
import { normaliseBadgeUid, normaliseUid, normaliseWiegand } from '../../../src/domain/uid.js';

describe('domain/uid: Wiegand cards as badge UIDs', () => {
  it('spells a Wiegand card as the bridge reader does', () => {
    assert.equal(normaliseWiegand('H10301:123:4567'), 'H10301:123:4567');
    assert.equal(normaliseWiegand(' h10301:0123:04567 '), 'H10301:123:4567');
    assert.equal(normaliseWiegand('34-BIT:65535:1'), '34-bit:65535:1');
    assert.equal(normaliseWiegand('h10304:1000:524287'), 'H10304:1000:524287');
  });

  it('refuses unknown formats and numbers wider than the format', () => {
    for (const bad of [
      'H10301:256:1',
      'H10301:1:65536',
      'H10304:1:524288',
      'RAW:1:2',
      'H10301:1',
      '04A1B2C3',
    ])
      assert.equal(normaliseWiegand(bad), null, bad);
  });

  it('a badge UID is either; NFC UIDs are unchanged', () => {
    assert.equal(normaliseBadgeUid('04:a1:b2:c3:d4:e5:f6'), '04A1B2C3D4E5F6');
    assert.equal(normaliseBadgeUid('H10301:7:42'), 'H10301:7:42');
    assert.equal(normaliseBadgeUid('H10301-7-42'), null);
    // The NFC reader's own normalisation stays hex-only.
    assert.equal(normaliseUid('H10301:7:42'), null);
  });
});
