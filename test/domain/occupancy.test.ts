import assert from 'node:assert/strict';
import type { Admission } from '../../src/domain/access-policy.js';
import { Occupancy, type Occupant } from '../../src/domain/occupancy.js';
import type { User, Visit } from '../../src/domain/types.js';
import { at, deepFreeze, MIN, settings, user, visit } from './builders.js';

const staff = (userId: string, badgeId = `b-${userId}`): Admission => ({
  badgeId,
  kind: 'staff',
  userId,
  visitId: null,
  name: userId,
});
const visitor = (visitId: string, escortedBy: string[] = []): Admission => ({
  badgeId: `b-${visitId}`,
  kind: 'visitor',
  userId: null,
  visitId,
  name: `visitor ${visitId}`,
  escortedBy,
});

describe('domain/occupancy', () => {
  describe('who is inside', () => {
    it('admit, isInside, get, entries, leave', () => {
      const o = new Occupancy();
      const t = at(0);
      o.admit([staff('u-escort'), visitor('v1', ['u-escort'])], t);
      assert.equal(o.isInside('b-u-escort'), true);
      assert.equal(o.isInside('b-v1'), true);
      assert.equal(o.isInside('b-other'), false);
      assert.deepEqual(o.get('b-v1'), { ...visitor('v1', ['u-escort']), since: t.toISOString() });
      assert.equal(o.entries().length, 2);
      assert.deepEqual(o.leave('b-v1'), { ...visitor('v1', ['u-escort']), since: t.toISOString() });
      assert.equal(o.isInside('b-v1'), false);
      assert.equal(o.leave('b-v1'), undefined, 'leaving twice is harmless');
      assert.equal(o.get('b-v1'), undefined);
    });

    it('re-admitting a badge keeps one entry with the newer time', () => {
      const o = new Occupancy();
      o.admit([staff('u1')], at(0));
      o.admit([staff('u1')], at(MIN));
      assert.equal(o.entries().length, 1);
      assert.equal(o.get('b-u1')?.since, at(MIN).toISOString());
    });

    it('restores from persisted entries and does not mutate them', () => {
      const saved: Occupant[] = deepFreeze([{ ...staff('u1'), since: at(0).toISOString() }]);
      const o = new Occupancy(saved);
      assert.equal(o.isInside('b-u1'), true);
      o.leave('b-u1');
      o.admit([staff('u2')], at(1));
      assert.equal(saved.length, 1);
      assert.equal(new Occupancy().entries().length, 0);
    });

    it('does not keep a reference to admitted admissions', () => {
      const o = new Occupancy();
      const a = deepFreeze(staff('u1'));
      o.admit([a], at(0));
      assert.notEqual(o.get('b-u1'), a);
    });

    it('entries() is a copy', () => {
      const o = new Occupancy();
      o.admit([staff('u1')], at(0));
      o.entries().pop();
      assert.equal(o.entries().length, 1);
    });

    it('clearVisit removes only that visit’s occupants; clear removes everyone', () => {
      const o = new Occupancy();
      o.admit([staff('u1'), visitor('v1'), visitor('v2')], at(0));
      assert.deepEqual(
        o.clearVisit('v1').map((x) => x.badgeId),
        ['b-v1'],
      );
      assert.deepEqual(o.clearVisit('v1'), []);
      assert.deepEqual(
        o.entries().map((x) => x.badgeId),
        ['b-u1', 'b-v2'],
      );
      assert.deepEqual(
        o
          .clear()
          .map((x) => x.badgeId)
          .sort(),
        ['b-u1', 'b-v2'],
      );
      assert.deepEqual(o.entries(), []);
    });
  });

  describe('unescortedVisits', () => {
    const users = new Map<string, User>(
      [
        user('u-escort'),
        user('u-escort2'),
        user('u-other'),
        user('u-plain', { escort: false }),
        user('u-gone', { active: false }),
      ].map((u) => [u.id, deepFreeze(u)]),
    );
    const visits = new Map<string, Visit>(
      [
        visit('v1', 'in_progress', { escortIds: ['u-escort', 'u-escort2', 'u-plain', 'u-gone'] }),
        visit('v2', 'in_progress', { escortIds: ['u-other'] }),
      ].map((v) => [v.id, deepFreeze(v)]),
    );
    const byVisit = (id: string) => visits.get(id);
    const byUser = (id: string) => users.get(id);
    const ids = (vs: Visit[]) => vs.map((v) => v.id);
    const visitScope = settings({ escortScope: 'visit' });
    const anyScope = settings({ escortScope: 'any' });

    it('none while the escort is inside with the visitor', () => {
      const o = new Occupancy();
      o.admit([staff('u-escort'), visitor('v1')], at(0));
      assert.deepEqual(o.unescortedVisits(byVisit, byUser, visitScope), []);
    });

    it('the last escort leaves while the visitor is inside → the visit is returned', () => {
      const o = new Occupancy();
      o.admit([staff('u-escort'), visitor('v1')], at(0));
      o.leave('b-u-escort');
      const result = o.unescortedVisits(byVisit, byUser, visitScope);
      assert.deepEqual(ids(result), ['v1']);
      assert.equal(result[0], visits.get('v1'));
    });

    it('another eligible escort of the visit still inside → none', () => {
      const o = new Occupancy();
      o.admit([staff('u-escort'), staff('u-escort2'), visitor('v1')], at(0));
      o.leave('b-u-escort');
      assert.deepEqual(o.unescortedVisits(byVisit, byUser, visitScope), []);
      o.leave('b-u-escort2');
      assert.deepEqual(ids(o.unescortedVisits(byVisit, byUser, visitScope)), ['v1']);
    });

    it("staff inside who cannot escort this visit do not count ('visit' scope, no flag, inactive)", () => {
      const o = new Occupancy();
      o.admit([staff('u-other'), staff('u-plain'), staff('u-gone'), visitor('v1')], at(0));
      assert.deepEqual(ids(o.unescortedVisits(byVisit, byUser, visitScope)), ['v1']);
    });

    it("'any' scope: any active escort-flag staff member inside counts", () => {
      const o = new Occupancy();
      o.admit([staff('u-other'), visitor('v1')], at(0));
      assert.deepEqual(o.unescortedVisits(byVisit, byUser, anyScope), []);
      o.leave('b-u-other');
      o.admit([staff('u-plain')], at(1));
      assert.deepEqual(ids(o.unescortedVisits(byVisit, byUser, anyScope)), ['v1']);
    });

    it('reports each unescorted visit separately', () => {
      const o = new Occupancy();
      o.admit([staff('u-escort'), visitor('v1'), visitor('v2')], at(0));
      assert.deepEqual(ids(o.unescortedVisits(byVisit, byUser, visitScope)), ['v2']);
      o.leave('b-u-escort');
      assert.deepEqual(ids(o.unescortedVisits(byVisit, byUser, visitScope)).sort(), ['v1', 'v2']);
    });

    it('none when no visitor is inside, or the visit is unknown; a staff badge of an unknown user is no escort', () => {
      const o = new Occupancy();
      o.admit([staff('u-escort')], at(0));
      assert.deepEqual(o.unescortedVisits(byVisit, byUser, visitScope), []);
      o.admit([visitor('v-unknown')], at(0));
      assert.deepEqual(o.unescortedVisits(byVisit, byUser, visitScope), []);
      const o2 = new Occupancy();
      o2.admit([staff('u-ghost'), visitor('v1')], at(0));
      assert.deepEqual(ids(o2.unescortedVisits(byVisit, byUser, visitScope)), ['v1']);
    });

    it('the visitor leaving clears the alarm condition', () => {
      const o = new Occupancy();
      o.admit([staff('u-escort'), visitor('v1')], at(0));
      o.leave('b-u-escort');
      o.leave('b-v1');
      assert.deepEqual(o.unescortedVisits(byVisit, byUser, visitScope), []);
    });
  });
});
