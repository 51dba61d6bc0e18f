/**
 * The NFC master key file and its rotation, and re-keying a stale badge by enrolment. The card is
 * the virtual NTAG 424 DNA over the Transmit seam, offered by a simulated enrol reader the way the
 * NFC driver offers it (a credential with `personalise`); the pcscd path is ntag424-pcsc.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ntag424KeyMaterial } from '../../../src/domain/credential-keys.js';
import type { Actor } from '../../../src/domain/types.js';
import type { Credential } from '../../../src/hardware/interfaces.js';
import { personaliseNtag424 } from '../../../src/hardware/nfc/ntag424/personalise.js';
import { BadgeService } from '../../../src/services/badge-service.js';
import {
  loadOrCreateNfcKeys,
  nfcKeyPath,
  rotateNfcKeys,
} from '../../../src/services/credential-keys-service.js';
import { startRig, type TestRig } from '../../fixtures/runtime.js';
import { VirtualNtag424 } from '../../fixtures/virtual-ntag424.js';

const UID = '04958CAA5C5E80';
const clock = () => new Date('2026-03-02T08:00:00Z');
const SU: Actor = { id: 'usr_su', role: 'superadmin', name: 'Kasi' };

describe('NFC master key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once, mode 600, at version 1; rotation adds a version and keeps the old one', () => {
    const a = loadOrCreateNfcKeys(dir, clock);
    assert.equal(a.created, true);
    assert.equal(statSync(nfcKeyPath(dir)).mode & 0o777, 0o600);
    assert.equal(a.material.enrolVersion, 1);
    const again = loadOrCreateNfcKeys(dir, clock);
    assert.equal(again.created, false);
    assert.ok(again.material.masterKeys[0]?.key.equals(a.material.masterKeys[0]?.key as Buffer));

    assert.deepEqual(rotateNfcKeys(dir, clock), { version: 2, previous: 1 });
    const b = loadOrCreateNfcKeys(dir, clock).material;
    assert.equal(b.enrolVersion, 2);
    assert.deepEqual(
      b.masterKeys.map((k) => k.version),
      [1, 2],
    );
    assert.ok(b.systemId.equals(a.material.systemId), 'the site stays the same site');
    assert.equal(statSync(nfcKeyPath(dir)).mode & 0o777, 0o600);
  });

  it('cannot be rotated before it exists', () => {
    assert.throws(() => rotateNfcKeys(dir, clock), /does not exist/);
  });
});

describe('re-keying a stale badge', () => {
  let rig: TestRig;
  let keyDir: string;

  beforeEach(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'jk-keys-'));
    rig = await startRig({
      readers: [
        { id: 'entry', role: 'entry', driver: 'sim' },
        { id: 'enrol', role: 'enrol', driver: 'sim' },
      ],
    });
  });
  afterEach(async () => {
    await rig.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  /** The card on the enrol reader, as the NFC driver offers it. */
  const present = (card: VirtualNtag424, keys: Ntag424KeyMaterial) => {
    const c: Credential = {
      kind: 'nfc',
      value: card.uid.toString('hex').toUpperCase(),
      readerId: 'enrol',
      proof: { kind: 'uid' },
      personalise: async () => {
        const r = await personaliseNtag424(card.transmit, { keys });
        return r.ok ? { ok: true, uid: r.uid, keyVersion: r.keyVersion } : r;
      },
    };
    rig.rt.enrolReaders[0]?.emit('credential', c);
  };
  const ended = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const e = rig.rt.enrolments.get(id);
      if (e.state !== 'waiting') return e;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('enrolment did not end');
  };

  it('moves a card from the old master key version to the new one; the badge is no longer stale', async () => {
    const v1 = loadOrCreateNfcKeys(keyDir, clock).material;
    const card = new VirtualNtag424({ uid: UID });
    const first = rig.rt.enrolments.begin({ label: 'TAMU-R', kind: 'visitor' }, SU);
    present(card, v1);
    const bound = await ended(first.id);
    assert.equal(bound.state, 'bound', JSON.stringify(bound.error));
    const badgeId = bound.badge?.id as string;
    assert.equal(rig.rt.store.badge(badgeId)?.keyVersion, 1);

    rotateNfcKeys(keyDir, clock);
    const v2 = loadOrCreateNfcKeys(keyDir, clock).material;
    const badges = (enrolVersion: number) =>
      new BadgeService({
        store: rig.rt.store,
        journal: rig.rt.journal,
        clock,
        enrolKeyVersion: () => enrolVersion,
      });
    assert.equal(
      badges(2)
        .list()
        .find((b) => b.id === badgeId)?.stale,
      true,
      'on v1 while v2 is enrolled',
    );

    // Another card presented for this badge is refused, and changes nothing.
    const wrong = rig.rt.enrolments.beginRekey(badgeId, SU);
    present(new VirtualNtag424({ uid: '04111111111111' }), v2);
    assert.equal((await ended(wrong.id)).error?.code, 'enrol_wrong_badge');
    assert.equal(rig.rt.store.badge(badgeId)?.keyVersion, 1);

    const rekey = rig.rt.enrolments.beginRekey(badgeId, SU);
    present(card, v2);
    const done = await ended(rekey.id);
    assert.equal(done.state, 'bound', JSON.stringify(done.error));
    assert.equal(rig.rt.store.badge(badgeId)?.keyVersion, 2);
    assert.equal(card.versions[2], 2, 'the card itself now holds version 2 keys');
    assert.equal(
      badges(2)
        .list()
        .find((b) => b.id === badgeId)?.stale,
      false,
    );
    const ev = rig.rt.journal
      .read(0, 1_000_000)
      .filter((e) => e.type === 'enrolment.completed')
      .at(-1);
    assert.equal(ev?.data.rekeyed, true);
    assert.equal(ev?.data.keyVersion, 2);
  });
});
