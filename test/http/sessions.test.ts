/** Sessions: idle and absolute expiry, a cap per user, hashes only on disk, and restarts survived. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sessions } from '../../src/http/sessions.js';
import { seedPeople, startRig } from '../fixtures/runtime.js';

describe('sessions', () => {
  let dir: string;
  let now: number;
  const make = (extra: Partial<ConstructorParameters<typeof Sessions>[0] & object> = {}) =>
    new Sessions({
      idleMs: 60_000,
      absoluteMs: 600_000,
      maxPerUser: 2,
      file: join(dir, 's.json'),
      now: () => now,
      ...extra,
    });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-sessions-'));
    now = 1_000_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends a session after the idle time, and after the absolute lifetime even when in use', () => {
    const s = make();
    const a = s.create('u1');
    now += 59_000;
    assert.equal(s.resolve(a), 'u1');
    now += 61_000;
    assert.equal(s.resolve(a), null, 'idle');
    const b = s.create('u1');
    for (let i = 0; i < 12; i++) {
      now += 50_000;
      assert.equal(s.resolve(b), 'u1');
    }
    now += 50_000;
    assert.equal(s.resolve(b), null, 'absolute lifetime of 10 minutes');
  });

  it('keeps at most maxPerUser sessions per user: the oldest goes', () => {
    const s = make();
    const [a, b, c] = [s.create('u1'), s.create('u1'), s.create('u1')];
    const other = s.create('u2');
    assert.equal(s.resolve(a), null);
    assert.equal(s.resolve(b), 'u1');
    assert.equal(s.resolve(c), 'u1');
    assert.equal(s.resolve(other), 'u2');
    assert.equal(s.countFor('u1'), 2);
  });

  it('survives a restart through its file, which holds token hashes only', () => {
    const s = make();
    const t = s.create('u1');
    s.flush();
    const file = readFileSync(join(dir, 's.json'), 'utf8');
    assert.ok(!file.includes(t), 'the token itself is not on disk');
    const again = make();
    assert.equal(again.resolve(t), 'u1');
    again.revoke(t);
    assert.equal(make().resolve(t), null, 'a logout survives the restart too');
  });

  it('a damaged session file signs everyone out and reports it, never stops the start', () => {
    writeFileSync(join(dir, 's.json'), '{not json');
    const errors: Error[] = [];
    const s = make({ onError: (e) => errors.push(e) });
    assert.equal(errors.length, 1);
    assert.equal(s.resolve('anything'), null);
  });

  it('an admin stays signed in across a restart of the whole service', async () => {
    const rig = await startRig();
    const p = await seedPeople(rig);
    await rig.rt.stop();
    const { Runtime } = await import('../../src/app.js');
    const { createLogger } = await import('../../src/logger.js');
    const rt2 = new Runtime({ config: rig.rt.config, logger: createLogger('silent'), listen: false });
    await rt2.start();
    try {
      const me = await rt2.http!.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { authorization: `Bearer ${p.sari}` },
      });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().user.username, 'sari');
    } finally {
      await rt2.stop();
      rmSync(rig.dir, { recursive: true, force: true });
    }
  });
});
