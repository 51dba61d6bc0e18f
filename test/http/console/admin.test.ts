/** The administration page (Super Admin): users, badges, the journal chain verified on demand. */
import assert from 'node:assert/strict';
import { seedPeople, startRig, type TestRig } from '../../fixtures/runtime.js';
import { ConsoleClient } from './console-client.js';

describe('console: administration', () => {
  let rig: TestRig;
  let kasi: ConsoleClient;
  let sari: ConsoleClient;
  before(async () => {
    rig = await startRig();
    await seedPeople(rig);
    kasi = await new ConsoleClient(rig).signIn('kasi', 'kasi-password-1');
    sari = await new ConsoleClient(rig).signIn('sari', 'sari-password-1');
  });
  after(() => rig.stop());

  it('is the Super Admin’s: an admin is refused', async () => {
    const page = await kasi.get('/console/users');
    assert.equal(page.statusCode, 200);
    for (const u of ['kasi', 'sari', 'budi']) assert.match(page.body, new RegExp(`<td>${u}</td>`));
    assert.equal((await sari.get('/console/users')).statusCode, 403);
  });

  it('creates a user (escaped, with its creator) and deactivates one; the last superadmin stays', async () => {
    const created = await kasi.post('/console/users', {
      username: 'wati',
      displayName: '<b>Wati</b>',
      role: 'admin',
      password: 'wati-password-1',
    });
    assert.equal(created.statusCode, 200, created.body);
    assert.match(created.body, /&lt;b&gt;Wati&lt;\/b&gt;/);
    const wati = rig.rt.store.userByUsername('wati')!;
    assert.equal(wati.createdBy, rig.rt.store.userByUsername('kasi')!.id);
    const off = await kasi.post('/console/users/active', { id: wati.id, active: 'false' });
    assert.equal(off.statusCode, 200);
    assert.equal(rig.rt.store.user(wati.id)?.active, false);
    // The one superadmin cannot be switched off (by themself or anyone): refused, nothing changes.
    const kasiId = rig.rt.store.userByUsername('kasi')!.id;
    const refused = await kasi.post('/console/users/active', { id: kasiId, active: 'false' });
    assert.ok(refused.statusCode >= 400, String(refused.statusCode));
    assert.equal(rig.rt.store.user(kasiId)?.active, true);
  });

  it('deactivates a lost staff badge and verifies the journal chain', async () => {
    const badge = rig.rt.store.listBadges().find((b) => b.kind === 'staff')!;
    const off = await kasi.post('/console/badges/active', { id: badge.id, active: 'false' });
    assert.equal(off.statusCode, 200);
    assert.equal(rig.rt.store.badge(badge.id)?.active, false);
    const v = await kasi.post('/console/journal/verify', {});
    assert.equal(v.statusCode, 200);
    assert.match(v.body, /Jurnal utuh: \d+ peristiwa/);
  });
});
