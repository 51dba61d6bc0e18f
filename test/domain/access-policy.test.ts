import assert from 'node:assert/strict';
import {
  type AccessSettings,
  admission,
  canEscort,
  DENY_REASONS,
  type DecideInput,
  type Decision,
  type DenyReason,
  decideEntry,
  expiredPendingReason,
  resolveSubject,
} from '../../src/domain/access-policy.js';
import { EscortPairing } from '../../src/domain/escort-pairing.js';
import { Occupancy } from '../../src/domain/occupancy.js';
import type { Badge, DoorMode, User, Visit, VisitState } from '../../src/domain/types.js';
import {
  at,
  deepFreeze,
  MIN,
  makeView,
  settings,
  staffBadge,
  user,
  visit,
  visitorBadge,
} from './builders.js';

const W = 10_000; // default escort window, ms
const NOW = at(90 * MIN); // inside the default window T0+60min .. T0+180min

const uid = (badgeId: string) => `UID-${badgeId}`.toUpperCase();

interface WorldOptions {
  settings?: Partial<AccessSettings>;
  users?: User[];
  badges?: Badge[];
  visits?: Visit[];
  v1State?: VisitState;
}

/** Staff: escort (named on v1), escort2 (escort, not named), plain admin, superadmin without and with the flag. */
function world(opts: WorldOptions = {}) {
  const users = [
    user('u-escort'),
    user('u-escort2'),
    user('u-plain', { escort: false }),
    user('u-boss', { role: 'superadmin', escort: false }),
    user('u-bossesc', { role: 'superadmin', escort: true }),
    user('u-gone', { active: false }),
    ...(opts.users ?? []),
  ];
  const badges = [
    staffBadge('b-escort', 'u-escort'),
    staffBadge('b-escort2', 'u-escort2'),
    staffBadge('b-plain', 'u-plain'),
    staffBadge('b-boss', 'u-boss'),
    staffBadge('b-bossesc', 'u-bossesc'),
    staffBadge('b-gone', 'u-gone'),
    visitorBadge('b-v1', 'v1'),
    visitorBadge('b-v2', 'v2'),
    ...(opts.badges ?? []),
  ];
  const visits = [
    visit('v1', opts.v1State ?? 'badge_issued', { escortIds: ['u-escort'], badgeId: 'b-v1' }),
    visit('v2', 'in_progress', { escortIds: ['u-escort'], badgeId: 'b-v2' }),
    ...(opts.visits ?? []),
  ];
  deepFreeze(users);
  deepFreeze(badges);
  deepFreeze(visits);
  const view = makeView({ users, badges, visits });
  const occupancy = new Occupancy();
  const pairing = new EscortPairing();
  const s = deepFreeze(settings(opts.settings));
  const tap = (
    badgeId: string,
    mono: number,
    extra: {
      now?: Date;
      mode?: DoorMode;
      uid?: string;
      clockTrusted?: boolean;
      latestTrusted?: Date;
      credential?: DecideInput['credential'];
    } = {},
  ): Decision =>
    decideEntry(view, occupancy, pairing, s, {
      uid: extra.uid ?? uid(badgeId),
      now: extra.now ?? NOW,
      mono,
      mode: extra.mode ?? 'normal',
      ...(extra.clockTrusted === undefined ? {} : { clockTrusted: extra.clockTrusted }),
      ...(extra.latestTrusted ? { latestTrusted: extra.latestTrusted } : {}),
      credential: extra.credential,
    });
  return { view, occupancy, pairing, settings: s, tap, users, badges, visits };
}

function denied(d: Decision, reason: DenyReason) {
  assert.equal(d.outcome, 'deny', `expected deny ${reason}, got ${JSON.stringify(d)}`);
  if (d.outcome === 'deny') assert.equal(d.reason, reason);
  return d as Extract<Decision, { outcome: 'deny' }>;
}

function granted(d: Decision) {
  assert.equal(d.outcome, 'grant', `expected grant, got ${JSON.stringify(d)}`);
  return d as Extract<Decision, { outcome: 'grant' }>;
}

function pending(d: Decision, awaiting: 'escort' | 'visitor') {
  assert.equal(d.outcome, 'pending', `expected pending, got ${JSON.stringify(d)}`);
  if (d.outcome === 'pending') assert.equal(d.awaiting, awaiting);
  return d as Extract<Decision, { outcome: 'pending' }>;
}

const admitted = (d: Decision) => granted(d).admits.map((a) => a.badgeId);

describe('domain/access-policy', () => {
  describe('resolveSubject', () => {
    it('resolves staff and visitor badges', () => {
      const { view } = world();
      const s = resolveSubject(view, uid('b-escort'));
      assert.ok(!('deny' in s) && s.kind === 'staff' && s.user.id === 'u-escort');
      const v = resolveSubject(view, uid('b-v1'));
      assert.ok(!('deny' in v) && v.kind === 'visitor' && v.visit.id === 'v1');
    });

    it('names why a credential does not resolve', () => {
      const { view } = world({
        badges: [
          staffBadge('b-orphan', 'u-nobody'),
          staffBadge('b-nouser', 'x', { userId: null }),
          visitorBadge('b-lost', 'v-missing'),
          visitorBadge('b-novisit', null, { active: true }),
          staffBadge('b-off', 'u-escort', { active: false }),
        ],
      });
      assert.deepEqual(resolveSubject(view, 'NOPE'), { deny: 'unknown_credential' });
      assert.deepEqual(resolveSubject(view, uid('b-off')), { deny: 'badge_inactive' });
      assert.deepEqual(resolveSubject(view, uid('b-gone')), { deny: 'user_inactive' });
      assert.deepEqual(resolveSubject(view, uid('b-orphan')), { deny: 'user_inactive' });
      assert.deepEqual(resolveSubject(view, uid('b-nouser')), { deny: 'user_inactive' });
      assert.deepEqual(resolveSubject(view, uid('b-lost')), { deny: 'visit_not_active' });
      assert.deepEqual(resolveSubject(view, uid('b-novisit')), { deny: 'visit_not_active' });
    });
  });

  describe('admission and canEscort', () => {
    it('describes staff and visitors admitted', () => {
      const { view } = world();
      const staff = resolveSubject(view, uid('b-escort'));
      const vis = resolveSubject(view, uid('b-v1'));
      assert.ok(!('deny' in staff) && !('deny' in vis));
      assert.deepEqual(admission(staff), {
        badgeId: 'b-escort',
        kind: 'staff',
        userId: 'u-escort',
        visitId: null,
        name: 'User u-escort',
      });
      assert.deepEqual(admission(vis, ['u-escort']), {
        badgeId: 'b-v1',
        kind: 'visitor',
        userId: null,
        visitId: 'v1',
        name: 'Budi Santoso',
        escortedBy: ['u-escort'],
      });
      assert.equal('escortedBy' in admission(vis), false);
    });

    it("'visit' scope: only active escorts named on the visit; 'any': every active escort-flag user", () => {
      const v = visit('v1', 'in_progress', { escortIds: ['u-escort', 'u-plain'] });
      const named = user('u-escort');
      const other = user('u-escort2');
      const plainNamed = user('u-plain', { escort: false });
      const inactiveNamed = user('u-escort', { active: false });
      const visitScope = settings({ escortScope: 'visit' });
      const anyScope = settings({ escortScope: 'any' });
      assert.equal(canEscort(named, v, visitScope), true);
      assert.equal(canEscort(other, v, visitScope), false);
      assert.equal(canEscort(other, v, anyScope), true);
      assert.equal(canEscort(plainNamed, v, visitScope), false);
      assert.equal(canEscort(plainNamed, v, anyScope), false);
      assert.equal(canEscort(inactiveNamed, v, anyScope), false);
    });
  });

  describe('deny reasons', () => {
    it('unknown_credential, with no subject', () => {
      const d = denied(world().tap('x', 0, { uid: 'DEADBEEF' }), 'unknown_credential');
      assert.equal(d.subject, null);
    });

    it('badge_inactive for a disabled staff badge and for a visitor badge back in the pool', () => {
      const w = world({
        badges: [staffBadge('b-off', 'u-escort', { active: false }), visitorBadge('b-pool', null)],
      });
      denied(w.tap('b-off', 0), 'badge_inactive');
      denied(w.tap('b-pool', 0), 'badge_inactive');
    });

    it('user_inactive for a badge of a deactivated user', () => {
      denied(world().tap('b-gone', 0), 'user_inactive');
    });

    for (const state of [
      'submitted',
      'verified',
      'approved',
      'rejected',
      'checked_out',
      'closed',
      'cancelled',
      'expired',
    ] as const) {
      it(`visit_not_active when the visit is ${state}`, () => {
        const d = denied(world({ v1State: state }).tap('b-v1', 0), 'visit_not_active');
        assert.equal(d.detail, state);
        assert.equal(d.subject?.kind, 'visitor');
      });
    }

    it('a visitor is considered for entry while badge_issued or in_progress', () => {
      pending(world({ v1State: 'badge_issued' }).tap('b-v1', 0), 'escort');
      pending(world({ v1State: 'in_progress' }).tap('b-v1', 0), 'escort');
    });

    describe('outside_window (window T0+60min .. T0+180min)', () => {
      const start = 60 * MIN;
      const end = 180 * MIN;
      for (const grace of [0, 15]) {
        it(`grace ${grace} min: edges are inside, 1 ms beyond is outside`, () => {
          const g = grace * MIN;
          const w = () => world({ settings: { windowGraceMinutes: grace } });
          denied(w().tap('b-v1', 0, { now: at(start - g - 1) }), 'outside_window');
          pending(w().tap('b-v1', 0, { now: at(start - g) }), 'escort');
          pending(w().tap('b-v1', 0, { now: at(end + g) }), 'escort');
          denied(w().tap('b-v1', 0, { now: at(end + g + 1) }), 'outside_window');
        });
      }

      it('an escort tap does not let a visitor in outside the window', () => {
        const w = world({ settings: { windowGraceMinutes: 0 } });
        granted(w.tap('b-escort', 0, { now: at(181 * MIN) }));
        denied(w.tap('b-v1', 1_000, { now: at(181 * MIN) }), 'outside_window');
      });
    });

    it('escort_required: a visitor alone waits for an escort, then is denied when the window runs out', () => {
      const w = world();
      const d = pending(w.tap('b-v1', 5_000), 'escort');
      assert.equal(d.expiresAtMono, 5_000 + W);
      assert.equal(d.subject.kind, 'visitor');
      assert.deepEqual(w.pairing.expire(5_000 + W, W), []);
      const expired = w.pairing.expire(5_000 + W + 1, W);
      assert.equal(expired.length, 1);
      assert.equal(expired[0]?.badgeId, 'b-v1');
      assert.equal(expiredPendingReason(expired[0]!), 'escort_required');
    });

    it('not_an_escort: staff without the escort flag cannot enter (nor escort)', () => {
      const w = world();
      const d = denied(w.tap('b-plain', 0), 'not_an_escort');
      assert.equal(d.subject?.kind, 'staff');
      // The denied tap is not remembered as an escort.
      pending(w.tap('b-v1', 1_000), 'escort');
      denied(world({ settings: { staffSoloEntry: false } }).tap('b-plain', 0), 'not_an_escort');
    });

    it('solo_entry_disabled: with staffSoloEntry false an escort alone waits for a visitor, then is denied', () => {
      const w = world({ settings: { staffSoloEntry: false } });
      const d = pending(w.tap('b-escort', 0), 'visitor');
      assert.equal(d.expiresAtMono, W);
      const expired = w.pairing.expire(W + 1, W);
      assert.equal(expired.length, 1);
      assert.equal(expiredPendingReason(expired[0]!), 'solo_entry_disabled');
    });

    describe('anti_passback', () => {
      function inside(w: ReturnType<typeof world>, badgeId: string) {
        const d = granted(w.tap(badgeId === 'b-v1' ? 'b-escort' : badgeId, -100 * W));
        w.occupancy.admit(d.admits, NOW);
        if (badgeId === 'b-v1') w.occupancy.admit(granted(w.tap('b-v1', -100 * W + 1)).admits, NOW);
        w.pairing.clear();
      }

      it('hard: a staff credential already inside is denied', () => {
        const w = world({ settings: { antiPassback: 'hard' } });
        inside(w, 'b-escort');
        denied(w.tap('b-escort', 0), 'anti_passback');
      });

      it('hard: a visitor credential already inside is denied even with an escort', () => {
        const w = world({ settings: { antiPassback: 'hard' } });
        inside(w, 'b-v1');
        assert.ok(w.occupancy.isInside('b-v1'));
        granted(w.tap('b-escort2', 0));
        denied(w.tap('b-v1', 1), 'anti_passback');
        // A denied escort does not admit a waiting visitor either.
        w.occupancy.leave('b-v1');
        w.occupancy.admit(
          [{ badgeId: 'b-escort', kind: 'staff', userId: 'u-escort', visitId: null, name: 'e' }],
          NOW,
        );
        pending(w.tap('b-v1', 2 * W), 'escort');
        denied(w.tap('b-escort', 2 * W + 1), 'anti_passback');
        assert.equal(w.pairing.pending().length, 1);
      });

      it('soft: grants but flags the violation', () => {
        const w = world({ settings: { antiPassback: 'soft' } });
        inside(w, 'b-escort');
        const d = granted(w.tap('b-escort', 0));
        assert.equal(d.passbackViolation, true);
        const fresh = granted(w.tap('b-escort2', 1));
        assert.equal('passbackViolation' in fresh, false);
      });

      it('soft: a visitor inside re-entering with an escort is granted and flagged', () => {
        const w = world({ settings: { antiPassback: 'soft' } });
        inside(w, 'b-v1');
        granted(w.tap('b-escort2', 0, {}));
        pending(w.tap('b-v1', 1), 'escort'); // escort2 is not named on v1
        const d = granted(w.tap('b-escort', 2));
        assert.equal(d.passbackViolation, true); // the escort is inside too
      });

      it('soft: a visitor inside who waits for an escort is still flagged when the escort admits them', () => {
        const w = world({ settings: { antiPassback: 'soft' } });
        w.occupancy.admit(
          [{ badgeId: 'b-v1', kind: 'visitor', userId: null, visitId: 'v1', name: 'v' }],
          NOW,
        );
        pending(w.tap('b-v1', 0), 'escort');
        const d = granted(w.tap('b-escort', 1));
        assert.deepEqual(
          d.admits.map((a) => a.badgeId),
          ['b-escort', 'b-v1'],
        );
        assert.equal(d.passbackViolation, true);
      });

      it('soft: an escort inside who waits for a visitor (solo entry off) is still flagged', () => {
        const w = world({ settings: { antiPassback: 'soft', staffSoloEntry: false } });
        w.occupancy.admit(
          [{ badgeId: 'b-escort', kind: 'staff', userId: 'u-escort', visitId: null, name: 'e' }],
          NOW,
        );
        pending(w.tap('b-escort', 0), 'visitor');
        const d = granted(w.tap('b-v1', 1));
        assert.equal(d.passbackViolation, true);
      });

      it('off: ignores occupancy', () => {
        const w = world({ settings: { antiPassback: 'off' } });
        inside(w, 'b-escort');
        const d = granted(w.tap('b-escort', 0));
        assert.equal('passbackViolation' in d, false);
      });
    });

    describe('lockdown', () => {
      it('denies escorts and visitors, grants superadmins with or without the escort flag', () => {
        const w = world();
        denied(w.tap('b-escort', 0, { mode: 'lockdown' }), 'lockdown');
        denied(w.tap('b-v1', 1, { mode: 'lockdown' }), 'lockdown');
        assert.deepEqual(admitted(w.tap('b-boss', 2, { mode: 'lockdown' })), ['b-boss']);
        assert.deepEqual(admitted(w.tap('b-bossesc', 3, { mode: 'lockdown' })), ['b-bossesc']);
      });

      it('a visitor is denied in lockdown even right after a superadmin escort', () => {
        const w = world({ settings: { escortScope: 'any' } });
        granted(w.tap('b-bossesc', 0, { mode: 'lockdown' }));
        denied(w.tap('b-v1', 1, { mode: 'lockdown' }), 'lockdown');
        assert.deepEqual(w.pairing.pending(), []);
      });

      it('credential problems are reported before lockdown (design: the most specific reason wins)', () => {
        const w = world();
        denied(w.tap('x', 0, { uid: 'NOPE', mode: 'lockdown' }), 'unknown_credential');
        denied(w.tap('b-plain', 0, { mode: 'lockdown' }), 'not_an_escort');
        denied(w.tap('b-v1', 0, { mode: 'lockdown', now: at(0) }), 'outside_window');
      });

      it('normal and emergency_release modes do not deny', () => {
        granted(world().tap('b-escort', 0, { mode: 'normal' }));
        granted(world().tap('b-escort', 0, { mode: 'emergency_release' }));
      });
    });

    it('every denial reason the policy gives comes from the fixed enumeration', () => {
      assert.deepEqual(new Set(DENY_REASONS).size, DENY_REASONS.length);
      const produced = new Set<DenyReason>();
      const collect = (d: Decision) => {
        if (d.outcome === 'deny') {
          assert.ok(DENY_REASONS.includes(d.reason));
          produced.add(d.reason);
        }
      };
      const w = world({ badges: [staffBadge('b-off', 'u-escort', { active: false })] });
      collect(w.tap('x', 0, { uid: 'NOPE' }));
      collect(w.tap('b-off', 0));
      collect(w.tap('b-gone', 0));
      collect(world({ v1State: 'closed' }).tap('b-v1', 0));
      collect(w.tap('b-v1', 0, { now: at(0) }));
      collect(w.tap('b-plain', 0));
      collect(w.tap('b-escort', 0, { mode: 'lockdown' }));
      collect(w.tap('b-v1', 0, { clockTrusted: false }));
      collect(w.tap('b-escort', 0, { credential: { proof: 'failed', accept: ['ntag424'] } }));
      collect(w.tap('b-escort', 0, { credential: { proof: 'uid', accept: ['ntag424'] } }));
      w.occupancy.admit(
        [{ badgeId: 'b-escort', kind: 'staff', userId: 'u-escort', visitId: null, name: 'e' }],
        NOW,
      );
      collect(w.tap('b-escort', 0));
      produced.add(expiredPendingReason({ ...pendingTap(), kind: 'visitor' }));
      produced.add(expiredPendingReason({ ...pendingTap(), kind: 'staff' }));
      // journal_unavailable and the pass_* reasons are given by the door controller, not this
      // policy; card_read_error by the service for a Wiegand read that is no card.
      const elsewhere = ['journal_unavailable', 'card_read_error'];
      assert.deepEqual(
        [...produced].sort(),
        DENY_REASONS.filter((r) => !elsewhere.includes(r) && !r.startsWith('pass_')).sort(),
      );
    });
  });

  describe('escort pairing', () => {
    describe('escort first, then visitor', () => {
      it('visitor exactly escortWindowSeconds after the escort is admitted', () => {
        const w = world();
        assert.deepEqual(admitted(w.tap('b-escort', 1_000)), ['b-escort']);
        const d = granted(w.tap('b-v1', 1_000 + W));
        assert.deepEqual(d.admits, [
          {
            badgeId: 'b-v1',
            kind: 'visitor',
            userId: null,
            visitId: 'v1',
            name: 'Budi Santoso',
            escortedBy: ['u-escort'],
          },
        ]);
      });

      it('visitor 1 ms beyond the window waits (pending) for an escort', () => {
        const w = world();
        granted(w.tap('b-escort', 1_000));
        const d = pending(w.tap('b-v1', 1_000 + W + 1), 'escort');
        assert.equal(d.expiresAtMono, 1_000 + W + 1 + W);
      });

      it('respects a configured escort window', () => {
        const w = world({ settings: { escortWindowSeconds: 3 } });
        granted(w.tap('b-escort', 0));
        granted(w.tap('b-v1', 3_000));
        const w2 = world({ settings: { escortWindowSeconds: 3 } });
        granted(w2.tap('b-escort', 0));
        pending(w2.tap('b-v1', 3_001), 'escort');
      });

      it('one escort tap can admit visitors of two visits that name the escort', () => {
        const w = world();
        granted(w.tap('b-escort', 0));
        assert.deepEqual(admitted(w.tap('b-v1', 1_000)), ['b-v1']);
        assert.deepEqual(admitted(w.tap('b-v2', 2_000)), ['b-v2']);
      });
    });

    describe('visitor first, then escort', () => {
      it('escort exactly escortWindowSeconds later: one unlock admits both', () => {
        const w = world();
        pending(w.tap('b-v1', 1_000), 'escort');
        const d = granted(w.tap('b-escort', 1_000 + W));
        assert.equal(d.subject.kind, 'staff');
        assert.deepEqual(d.admits, [
          { badgeId: 'b-escort', kind: 'staff', userId: 'u-escort', visitId: null, name: 'User u-escort' },
          {
            badgeId: 'b-v1',
            kind: 'visitor',
            userId: null,
            visitId: 'v1',
            name: 'Budi Santoso',
            escortedBy: ['u-escort'],
          },
        ]);
        assert.deepEqual(w.pairing.pending(), []);
        assert.deepEqual(w.pairing.expire(1_000 + 10 * W, W), [], 'nothing left to expire');
      });

      it('escort 1 ms beyond: the escort enters alone and the visitor expires (escort_required)', () => {
        const w = world();
        pending(w.tap('b-v1', 1_000), 'escort');
        assert.deepEqual(admitted(w.tap('b-escort', 1_000 + W + 1)), ['b-escort']);
        const expired = w.pairing.expire(1_000 + W + 1, W);
        assert.deepEqual(
          expired.map((t) => [t.badgeId, expiredPendingReason(t)]),
          [['b-v1', 'escort_required']],
        );
      });

      it('an escort admits every visitor waiting for them', () => {
        const w = world();
        pending(w.tap('b-v1', 0), 'escort');
        pending(w.tap('b-v2', 500), 'escort');
        assert.deepEqual(admitted(w.tap('b-escort', 1_000)), ['b-escort', 'b-v1', 'b-v2']);
      });

      it('a visitor tapping again restarts their own wait', () => {
        const w = world();
        pending(w.tap('b-v1', 0), 'escort');
        pending(w.tap('b-v1', 8_000), 'escort');
        assert.equal(w.pairing.pending().length, 1);
        assert.deepEqual(admitted(w.tap('b-escort', 8_000 + W)), ['b-escort', 'b-v1']);
      });
    });

    describe("escortScope 'visit' vs 'any'", () => {
      it("'visit': an escort not named on the visit neither admits nor is admitted with the visitor", () => {
        const w = world({ settings: { escortScope: 'visit' } });
        granted(w.tap('b-escort2', 0));
        pending(w.tap('b-v1', 1_000), 'escort');
        const w2 = world({ settings: { escortScope: 'visit' } });
        pending(w2.tap('b-v1', 0), 'escort');
        assert.deepEqual(admitted(w2.tap('b-escort2', 1_000)), ['b-escort2']);
        assert.equal(w2.pairing.pending().length, 1);
      });

      it("'any': any active escort-flag staff member admits the visitor", () => {
        const w = world({ settings: { escortScope: 'any' } });
        granted(w.tap('b-escort2', 0));
        assert.deepEqual(granted(w.tap('b-v1', 1_000)).admits[0]?.escortedBy, ['u-escort2']);
        const w2 = world({ settings: { escortScope: 'any' } });
        pending(w2.tap('b-v1', 0), 'escort');
        assert.deepEqual(admitted(w2.tap('b-escort2', 1_000)), ['b-escort2', 'b-v1']);
      });

      it("'any': a superadmin without the escort flag enters alone but does not escort", () => {
        const w = world({ settings: { escortScope: 'any' } });
        pending(w.tap('b-v1', 0), 'escort');
        assert.deepEqual(admitted(w.tap('b-boss', 1_000)), ['b-boss']);
        assert.equal(w.pairing.pending().length, 1);
        const w2 = world({ settings: { escortScope: 'any' } });
        granted(w2.tap('b-boss', 0));
        pending(w2.tap('b-v1', 1_000), 'escort');
      });

      it('every eligible escort tapped within the window is named', () => {
        const w = world({ settings: { escortScope: 'any' } });
        granted(w.tap('b-escort', 0));
        granted(w.tap('b-escort2', 1_000));
        assert.deepEqual(granted(w.tap('b-v1', 2_000)).admits[0]?.escortedBy, ['u-escort', 'u-escort2']);
      });
    });

    describe('staffSoloEntry false', () => {
      it('escort first: the escort waits; the visitor within the window admits both in one unlock', () => {
        const w = world({ settings: { staffSoloEntry: false } });
        const p = pending(w.tap('b-escort', 0), 'visitor');
        assert.equal(p.subject.kind, 'staff');
        const d = granted(w.tap('b-v1', W));
        assert.equal(d.subject.kind, 'visitor');
        assert.deepEqual(d.admits, [
          { badgeId: 'b-escort', kind: 'staff', userId: 'u-escort', visitId: null, name: 'User u-escort' },
          {
            badgeId: 'b-v1',
            kind: 'visitor',
            userId: null,
            visitId: 'v1',
            name: 'Budi Santoso',
            escortedBy: ['u-escort'],
          },
        ]);
        assert.deepEqual(w.pairing.pending(), []);
        assert.deepEqual(w.pairing.expire(10 * W, W), []);
      });

      it('escort first, visitor 1 ms too late: the escort expires solo_entry_disabled, the visitor waits', () => {
        const w = world({ settings: { staffSoloEntry: false } });
        pending(w.tap('b-escort', 0), 'visitor');
        pending(w.tap('b-v1', W + 1), 'escort');
        const expired = w.pairing.expire(W + 1, W);
        assert.deepEqual(
          expired.map((t) => [t.badgeId, expiredPendingReason(t)]),
          [['b-escort', 'solo_entry_disabled']],
        );
      });

      it('visitor first: the escort admits both', () => {
        const w = world({ settings: { staffSoloEntry: false } });
        pending(w.tap('b-v1', 0), 'escort');
        assert.deepEqual(admitted(w.tap('b-escort', W)), ['b-escort', 'b-v1']);
      });

      it('an escort not eligible for the waiting visitor still waits for their own visitor', () => {
        const w = world({ settings: { staffSoloEntry: false } });
        pending(w.tap('b-v1', 0), 'escort');
        pending(w.tap('b-escort2', 1_000), 'visitor');
        assert.equal(w.pairing.pending().length, 2);
      });

      it('superadmins still enter alone', () => {
        const w = world({ settings: { staffSoloEntry: false } });
        assert.deepEqual(admitted(w.tap('b-boss', 0)), ['b-boss']);
        assert.deepEqual(admitted(w.tap('b-bossesc', 1)), ['b-bossesc']);
      });
    });

    it('denied visitors are not remembered: a later escort does not admit them', () => {
      const w = world({ settings: { windowGraceMinutes: 0 } });
      denied(w.tap('b-v1', 0, { now: at(0) }), 'outside_window');
      assert.deepEqual(admitted(w.tap('b-escort', 1_000)), ['b-escort']);
    });

    it('decideEntry does not mutate the state it reads', () => {
      const w = world();
      const before = structuredClone({ users: w.users, badges: w.badges, visits: w.visits });
      pending(w.tap('b-v1', 0), 'escort');
      granted(w.tap('b-escort', 1));
      granted(w.tap('b-escort2', 2));
      denied(w.tap('b-plain', 3), 'not_an_escort');
      assert.deepEqual({ users: w.users, badges: w.badges, visits: w.visits }, before);
      assert.deepEqual(w.occupancy.entries(), [], 'admitting is the controller’s job');
    });
  });
});

function pendingTap() {
  return {
    badgeId: 'b',
    kind: 'visitor' as const,
    userId: null,
    visitId: 'v',
    mono: 0,
    status: 'pending' as const,
    admission: { badgeId: 'b', kind: 'visitor' as const, userId: null, visitId: 'v', name: 'n' },
  };
}

describe('access policy: a waiting visitor is checked again when the escort taps', () => {
  it('admits the waiting visitor when nothing changed (control)', () => {
    const w = world();
    pending(w.tap('b-v1', 0), 'escort');
    const d = w.tap('b-escort', 2_000);
    assert.equal(d.outcome, 'grant');
    if (d.outcome === 'grant') assert.deepEqual(d.admits.map((a) => a.badgeId).sort(), ['b-escort', 'b-v1']);
  });

  it('does not admit a waiting visitor whose visit was cancelled within the window', () => {
    const visits: Visit[] = [visit('v1', 'badge_issued', { escortIds: ['u-escort'], badgeId: 'b-v1' })];
    const w = world();
    pending(w.tap('b-v1', 0), 'escort');
    // Same pairing, a new view where v1 is cancelled and its badge back in the pool.
    visits[0] = visit('v1', 'cancelled', { escortIds: ['u-escort'], badgeId: 'b-v1' });
    const view2 = makeView({
      users: [user('u-escort')],
      badges: [staffBadge('b-escort', 'u-escort'), visitorBadge('b-v1', null, { active: false })],
      visits,
    });
    const d = decideEntry(view2, w.occupancy, w.pairing, settings(), {
      uid: uid('b-escort'),
      now: NOW,
      mono: 2_000,
      mode: 'normal',
    });
    assert.equal(d.outcome, 'grant');
    if (d.outcome === 'grant')
      assert.deepEqual(
        d.admits.map((a) => a.badgeId),
        ['b-escort'],
      );
  });
});
