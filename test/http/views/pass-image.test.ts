/** The printable pass, rendered from a PassService printable record without a running service. */
import assert from 'node:assert/strict';
import { publicPass } from '../../../src/http/views/pass.js';
import { renderPass } from '../../../src/http/views/pass-image.js';
import { wib } from '../../../src/http/views/wib.js';
import type { PrintablePass } from '../../../src/services/pass-service.js';

const printable = (holder: PrintablePass['holder']): PrintablePass => ({
  token: 'JK1.example-token',
  pass: {
    id: 'pas_0123456789abcdef',
    visitId: 'KNJ-2026-0001',
    badgeId: 'bdg_1',
    notBefore: '2026-03-02T01:00:00.000Z',
    expiresAt: '2026-03-02T03:30:00.000Z',
    issuedAt: '2026-03-01T08:00:00.000Z',
    issuedBy: { id: 'u1', name: 'Sari' },
    revoked: null,
  },
  holder,
});

describe('pass views', () => {
  it('SVG: the holder, organisation and window in WIB under the code, names escaped', async () => {
    const svg = await renderPass(printable({ name: 'Andi <b>&"\'', organisation: 'PT Kudus' }), 'svg');
    assert.equal(typeof svg, 'string');
    assert.match(String(svg), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(String(svg).includes('>Andi &lt;b&gt;&amp;&quot;&apos;<'));
    assert.ok(!String(svg).includes('<b>'));
    assert.ok(String(svg).includes('>PT Kudus<'));
    assert.ok(String(svg).includes('2026-03-02 08:00 WIB – 2026-03-02 10:30 WIB'));
    assert.ok(String(svg).includes('KNJ-2026-0001 · pas_0123456789abcdef'));
  });

  it('SVG without a holder on record: empty name lines, still printable', async () => {
    const svg = String(await renderPass(printable(null), 'svg'));
    assert.match(svg, /font-weight="bold" text-anchor="middle"><\/text>/);
    assert.ok(svg.includes('pas_0123456789abcdef'));
  });

  it('PNG: a PNG image', async () => {
    const png = await renderPass(printable(null), 'png');
    assert.ok(Buffer.isBuffer(png));
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it('the API view carries no token and links to both images', () => {
    const view = publicPass(printable(null).pass);
    assert.deepEqual(view.links, {
      png: '/api/passes/pas_0123456789abcdef.png',
      svg: '/api/passes/pas_0123456789abcdef.svg',
    });
    assert.ok(!JSON.stringify(view).includes('JK1.'));
  });

  it('WIB is UTC+7, whatever the date', () => {
    assert.equal(wib('2026-12-31T20:15:00.000Z'), '2027-01-01 03:15 WIB');
  });
});
