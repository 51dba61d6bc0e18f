/**
 * Sign-in throttling and account changes, on the service (issue #11 §3, §4): attempts are counted
 * before scrypt runs, lock-outs are per account and address (never global), hashing is bounded,
 * and at least one active superadmin survives whatever arrives at once.
 */
import assert from 'node:assert/strict';
import { AppError } from '../../src/domain/errors.js';
import type { Actor } from '../../src/domain/types.js';
import { LoginThrottle } from '../../src/services/login-throttle.js';
import { HashLimiter } from '../../src/services/password.js';
import { seedPeople, startRig, type TestRig } from '../fixtures/runtime.js';

const codeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? r.reason.code : String(r.reason);

describe('user service: sign-in throttling', () => {
  let rig: TestRig;
  beforeEach(async () => {
    rig = await startRig();
    await seedPeople(rig);
  });
  afterEach(() => rig.stop());

  const events = (type: string) => rig.rt.journal.read(0, 10_000).filter((e) => e.type === type);

  it('counts each attempt before the password is checked: 41 concurrent guesses run scrypt at most 5 times', async () => {
    const users = rig.rt.users;
    const before = events('auth.login_failed').length;
    const results = await Promise.allSettled(
      Array.from({ length: 41 }, () => users.authenticate('kasi', 'wrong-password', '10.0.0.66')),
    );
    const codes = results.map(codeOf);
    assert.equal(codes.filter((c) => c === 'invalid_credentials').length, 5);
    assert.equal(codes.filter((c) => c === 'rate_limited').length, 36);
    assert.equal(events('auth.login_failed').length - before, 5, 'one journal line per evaluated guess');
    // The attacker's address is locked for this account, with the right password too …
    await assert.rejects(users.authenticate('kasi', 'kasi-password-1', '10.0.0.66'), {
      code: 'rate_limited',
    });
    // … but the real superadmin at the desk signs in.
    assert.equal((await users.authenticate('kasi', 'kasi-password-1', '10.0.0.10')).username, 'kasi');
  });

  it('journals auth.locked_out once per lock-out, and the delay grows with each further failure', async () => {
    const users = rig.rt.users;
    for (let i = 0; i < 5; i++)
      await assert.rejects(users.authenticate('sari', 'nope-nope-nope', '10.0.0.66'), {
        code: 'invalid_credentials',
      });
    const locked = events('auth.locked_out');
    assert.equal(locked.length, 1);
    assert.deepEqual(locked[0]!.data, {
      username: 'sari',
      scope: 'account_source',
      failures: 5,
      lockedSeconds: 60,
    });
    const refused = await users.authenticate('sari', 'nope', '10.0.0.66').catch((e: AppError) => e);
    assert.equal((refused as AppError).details?.retryAfterSeconds, 60);
    assert.equal(events('auth.locked_out').length, 1, 'a refused attempt is not another lock-out');
    rig.clock.advance(61_000);
    await assert.rejects(users.authenticate('sari', 'nope-again-1', '10.0.0.66'), {
      code: 'invalid_credentials',
    });
    assert.equal(events('auth.locked_out').at(-1)!.data.lockedSeconds, 120);
  });
});

describe('password hashing is bounded', () => {
  it('runs at most `concurrency` derivations and refuses past the queue without running them', async () => {
    const limiter = new HashLimiter(1, 2);
    let running = 0;
    let peak = 0;
    let ran = 0;
    const job = () =>
      limiter.run(async () => {
        running++;
        ran++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return 'done';
      });
    const results = await Promise.all(Array.from({ length: 6 }, job));
    assert.equal(peak, 1);
    assert.deepEqual(results, ['done', 'done', 'done', null, null, null]);
    assert.equal(ran, 3);
  });

  it('a login refused for load does not count as a failed guess', async () => {
    const rig = await startRig();
    try {
      await seedPeople(rig);
      // Swap in a tiny limiter: one derivation at a time, nobody waiting.
      const users = rig.rt.users as unknown as { hashing: HashLimiter };
      users.hashing = new HashLimiter(1, 0);
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () => rig.rt.users.authenticate('sari', 'wrong-password', '10.0.0.5')),
      );
      const codes = results.map(codeOf);
      assert.equal(codes.filter((c) => c === 'invalid_credentials').length, 1);
      assert.equal(codes.filter((c) => c === 'rate_limited').length, 3);
      // Only the one evaluated guess counted: four more may still be tried before the lock.
      for (let i = 0; i < 4; i++)
        await assert.rejects(rig.rt.users.authenticate('sari', 'wrong-password', '10.0.0.5'), {
          code: 'invalid_credentials',
        });
    } finally {
      await rig.stop();
    }
  });
});

describe('login throttle (unit)', () => {
  const settings = {
    maxAttempts: 5,
    windowMs: 15 * 60_000,
    sourceMaxFailures: 20,
    accountMaxFailures: 50,
    maxKeys: 100,
  };

  it('many usernames from one address slow that address only', () => {
    const t = new LoginThrottle(settings, () => 0);
    const results = Array.from({ length: 25 }, (_, i) => t.begin(`random${i}`, '10.0.0.99'));
    assert.equal(results.filter((r) => 'lockedOut' in r).length, 20);
    assert.ok(results.slice(20).every((r) => 'refused' in r && r.refused.scope === 'source'));
    assert.ok(results.some((r) => 'lockedOut' in r && r.lockedOut.some((l) => l.scope === 'source')));
    for (const u of ['kasi', 'sari', 'budi']) assert.ok('lockedOut' in t.begin(u, '10.0.0.20'), u);
  });

  it('a guess spread over many addresses slows the account, except where its owner signed in before', () => {
    const t = new LoginThrottle(settings, () => 0);
    t.begin('budi', '10.0.0.30');
    t.succeeded('budi', '10.0.0.30');
    for (let i = 0; i < 50; i++) t.begin('budi', `192.0.2.${i}`);
    const stranger = t.begin('budi', '192.0.2.200');
    assert.ok('refused' in stranger && stranger.refused.scope === 'account');
    assert.ok('lockedOut' in t.begin('budi', '10.0.0.30'), 'the desk it signed in from before');
  });

  it('forgets the oldest keys past its bound', () => {
    let now = 0;
    const t = new LoginThrottle(
      { maxAttempts: 1, windowMs: 60_000, sourceMaxFailures: 100, accountMaxFailures: 100, maxKeys: 3 },
      () => now,
    );
    for (const s of ['a', 'b', 'c', 'd']) t.begin('u', s);
    assert.equal(t.failures('u', 'a'), 0, 'evicted');
    assert.equal(t.failures('u', 'd'), 1);
    now += 1;
  });
});

describe('user service: at least one active superadmin', () => {
  it('two superadmins deactivating each other at once (with a password change): one wins, one superadmin stays', async () => {
    const rig = await startRig();
    try {
      await seedPeople(rig);
      const kasi = rig.rt.store.userByUsername('kasi')!;
      const system: Actor = { id: 'setup', role: 'system', name: 'test' };
      const wati = await rig.rt.users.create(
        {
          username: 'wati',
          displayName: 'Wati',
          role: 'superadmin',
          escort: false,
          password: 'wati-password-1',
        },
        { id: kasi.id, role: 'superadmin', name: kasi.displayName },
      );
      assert.equal(wati.createdBy, kasi.id, 'the creator is recorded');
      const asKasi: Actor = { id: kasi.id, role: 'superadmin', name: kasi.displayName };
      const asWati: Actor = { id: wati.id, role: 'superadmin', name: wati.displayName };
      const results = await Promise.allSettled([
        rig.rt.users.update(wati.id, { active: false, password: 'new-password-1' }, asKasi),
        rig.rt.users.update(kasi.id, { active: false, password: 'new-password-2' }, asWati),
      ]);
      assert.deepEqual(results.map(codeOf).sort(), ['forbidden', 'ok']);
      const active = rig.rt.store.listUsers().filter((u) => u.active && u.role === 'superadmin');
      assert.equal(active.length, 1);
      // The last one cannot be demoted or deactivated by anyone.
      const last = active[0]!;
      await assert.rejects(rig.rt.users.update(last.id, { role: 'admin' }, system), {
        code: 'precondition_failed',
      });
      await assert.rejects(rig.rt.users.update(last.id, { active: false }, system), {
        code: 'precondition_failed',
      });
    } finally {
      await rig.stop();
    }
  });
});
