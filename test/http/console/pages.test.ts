import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { consoleAssetsDir, htmxAssetsDir } from '../../../src/http/console/assets-dir.js';
import { html } from '../../../src/http/console/html.js';
import { t } from '../../../src/http/console/i18n/index.js';
import { navItems } from '../../../src/http/console/layout.js';
import {
  checkOutInput,
  readCheckOutForm,
  reconcile,
} from '../../../src/http/console/pages/check-out-form.js';
import { registerCsv } from '../../../src/http/console/pages/register.js';
import {
  readRequestForm,
  requestFormPage,
  validateRequestForm,
} from '../../../src/http/console/pages/request-form.js';
import { sseFragment } from '../../../src/http/console/sse.js';
import { ctx, samplePages } from './sample-pages.js';

const m = t('id');
const filled = {
  name: 'Budi',
  nik: '3319015205900001',
  organisation: 'PT Contoh',
  phone: '0812 3456 789',
  purpose: 'Ganti disk',
  windowStart: '2025-03-04T09:00',
  windowEnd: '2025-03-04T12:00',
  letterNumber: '005/1',
  'device-rows': '1',
  'device-0-type': 'Laptop',
  'device-0-model': 'T14',
  'device-0-serial': 'SN1',
};

describe('console pages (pure)', () => {
  it('filters navigation by role', () => {
    const keys = (r: Parameters<typeof navItems>[0]) => navItems(r).map((n) => n.key);
    assert.deepEqual(keys(null), ['request', 'signIn']);
    assert.ok(keys('admin').includes('door') && !keys('admin').includes('users'));
    assert.ok(keys('superadmin').includes('users'));
  });

  it('turns a posted request form into SubmitInput in the site time zone', () => {
    const { values, action } = readRequestForm({ ...filled, action: 'submit' });
    assert.equal(action.kind, 'submit');
    const r = validateRequestForm(m, values, 'Asia/Jakarta');
    assert.ok(r.ok);
    assert.deepEqual(r.input.window, { start: '2025-03-04T02:00:00.000Z', end: '2025-03-04T05:00:00.000Z' });
    assert.deepEqual(r.input.devicesIn, [{ type: 'Laptop', model: 'T14', serial: 'SN1' }]);
    assert.equal(r.input.ticketRef, null);
  });

  it('adds and removes device rows without JavaScript, keeping the values', () => {
    const added = readRequestForm({ ...filled, action: 'add:device' }).values;
    assert.equal(added.devices.length, 2);
    assert.equal(added.name, 'Budi');
    const page = requestFormPage(ctx('/console/request', null), { values: added }).toString();
    assert.match(page, /name="device-1-serial"/);
    assert.match(page, /name="device-rows" value="2"/);
    const removed = readRequestForm({ ...filled, action: 'remove:device:0' }).values;
    assert.equal(removed.devices.length, 0);
  });

  it('puts field errors beside their fields with aria-describedby', () => {
    const { values } = readRequestForm({
      ...filled,
      nik: '123',
      windowEnd: '2025-03-04T08:00',
      'device-0-serial': '',
    });
    const r = validateRequestForm(m, values, 'Asia/Jakarta');
    assert.ok(!r.ok);
    assert.equal(r.errors['nik'], m.nikRule.format);
    assert.equal(r.errors['windowEnd'], m.validation.windowOrder);
    assert.equal(r.errors['device-0-serial'], m.validation.deviceIncomplete);
    const page = requestFormPage(ctx('/console/request', null), { values, errors: r.errors }).toString();
    assert.match(page, /id="f-nik"[^>]*aria-describedby="f-nik-hint f-nik-error" aria-invalid="true"/);
    assert.match(page, /<p class="field-error" id="f-nik-error">/);
    assert.match(page, /value="123"/);
  });

  it('reconciles devices at check-out and requires a confirmed note for undeclared ones', () => {
    const declared = [
      { type: 'Laptop', model: 'T14', serial: 'SN1' },
      { type: 'Disk', model: 'WD', serial: 'SN2' },
    ];
    const body = {
      'out-0': 'true',
      'extra-rows': '2',
      'extra-0-type': 'Disk',
      'extra-0-model': 'Seagate',
      'extra-0-serial': 'SN9',
      'extra-1-type': 'Disk',
      'extra-1-model': 'WD',
      'extra-1-serial': ' sn2 ',
      badgeReturned: 'true',
      ktpReturned: 'true',
    };
    const { draft } = readCheckOutForm(body, declared);
    const rec = reconcile(declared, draft);
    assert.deepEqual(rec.missing, []);
    assert.deepEqual(
      rec.unexpected.map((u) => u.device.serial),
      ['SN9'],
    );
    const refused = checkOutInput(m, declared, draft, 'Asia/Jakarta');
    assert.ok(!refused.ok && refused.errors['confirm-0'] && refused.errors['confirm-0-note']);
    const ok = checkOutInput(
      m,
      declared,
      readCheckOutForm({ ...body, 'confirm-0': 'true', 'confirm-0-note': 'disk rusak diganti' }, declared)
        .draft,
      'Asia/Jakarta',
    );
    assert.ok(ok.ok);
    assert.equal(ok.input.devicesOut.length, 3);
    assert.deepEqual(ok.input.devicesOut[1], {
      type: 'Disk',
      model: 'Seagate',
      serial: 'SN9',
      confirmUnexpected: true,
      note: 'disk rusak diganti',
    });
  });

  it('escapes visitor text on every page and shows the separation-of-duties notice', () => {
    for (const [path, { html: page }] of samplePages()) {
      assert.doesNotMatch(page.toString(), /<img src=x/, path);
    }
    const own = samplePages().get('/console/visits/decide-own')!.html.toString();
    assert.ok(own.includes(m.visit.separationOfDuties));
    assert.ok(!own.includes(`action="/console/visits/V-2025-0042/approve"`));
  });

  it('exports the register as CSV with formulas neutralised', () => {
    const csv = registerCsv('en', 'Asia/Jakarta', [
      {
        id: 'V1',
        state: 'closed',
        visitorName: '=cmd()',
        organisation: 'X',
        nikMasked: '33**01',
        purpose: 'p',
        window: { start: '2025-03-04T02:00:00Z', end: '2025-03-04T03:00:00Z' },
        firstEntryAt: null,
        exitAt: null,
        escortNames: [],
        devicesIn: 0,
        devicesOut: 0,
      },
    ]);
    assert.ok(csv.startsWith('\uFEFFVisitor,'));
    assert.match(csv, /\r\n'=cmd\(\),X,/);
  });

  it('frames SSE fragments line by line and finds its assets', () => {
    assert.equal(
      sseFragment(html`<p>a</p>\n<p>b</p>`, 7),
      'id: 7\nevent: fragment\ndata: <p>a</p>\ndata: <p>b</p>\n\n',
    );
    assert.ok(existsSync(join(consoleAssetsDir(), 'console.css')));
    assert.ok(existsSync(join(consoleAssetsDir(), 'console.js')));
    assert.ok(existsSync(join(htmxAssetsDir(), 'htmx.min.js')));
  });
});
