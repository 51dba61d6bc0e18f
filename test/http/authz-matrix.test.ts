/**
 * Authorisation matrix: every route the app registers × every kind of caller. The table below is
 * the documentation of who may do what; a route registered without a row here fails the test.
 *
 *   401  refused: not signed in
 *   403  refused: signed in, role not allowed
 *   ok   allowed: the role check passes (the route may still answer 400/404/409 for the dummy input)
 */
import assert from 'node:assert/strict';
import { seedPeople, startRig, type TestRig } from '../fixtures/runtime.js';
import { isConsoleRoute } from './console/console-client.js';
import { type People, type RouteKey, registeredRoutes } from './helpers.js';

type Expect = 401 | 403 | 'ok';
type Caller = 'anonymous' | 'admin' | 'adminEscort' | 'superadmin';

const CALLERS: readonly Caller[] = ['anonymous', 'admin', 'adminEscort', 'superadmin'];

// Shorthands for the rows.
const PUBLIC = { anonymous: 'ok', admin: 'ok', adminEscort: 'ok', superadmin: 'ok' } as const;
const SIGNED_IN = { anonymous: 401, admin: 'ok', adminEscort: 'ok', superadmin: 'ok' } as const;
const ADMINS = SIGNED_IN; // both admin roles; the escort flag changes nothing on the API
const SUPER = { anonymous: 401, admin: 403, adminEscort: 403, superadmin: 'ok' } as const;

interface Row {
  who: Readonly<Record<Caller, Expect>>;
  /** Body sent with the probe; defaults to {} for POST/PATCH. */
  payload?: object;
  /** Query string appended to the probe's URL. */
  query?: string;
}

//                                                   anonymous  admin  admin+escort  superadmin
const MATRIX: Record<string, Row> = {
  'GET /healthz': { who: PUBLIC },
  'GET /docs/json': { who: PUBLIC },
  'POST /api/auth/login': { who: PUBLIC, payload: { username: 'budi', password: 'budi-password-1' } },
  'POST /api/setup': { who: PUBLIC },
  'POST /api/auth/logout': { who: SIGNED_IN },
  'GET /api/auth/me': { who: SIGNED_IN },

  'GET /api/visits': { who: ADMINS },
  'POST /api/visits': { who: ADMINS },
  'GET /api/visits/:id': { who: ADMINS },
  'GET /api/visits/:id/personal': { who: ADMINS },
  'POST /api/visits/:id/verify': { who: ADMINS },
  'POST /api/visits/:id/approve': { who: SUPER },
  'POST /api/visits/:id/reject': { who: SUPER },
  'POST /api/visits/:id/issue-badge': { who: ADMINS },
  'POST /api/visits/:id/check-out': { who: ADMINS },
  'POST /api/visits/:id/close': { who: ADMINS },
  'POST /api/visits/:id/cancel': { who: ADMINS },
  'GET /api/reports/sla': { who: ADMINS },

  'GET /api/users': { who: ADMINS },
  'POST /api/users': { who: SUPER },
  'PATCH /api/users/:id': { who: SUPER },

  'GET /api/badges': { who: ADMINS },
  // Route-level: both admin roles. A *staff* badge is further limited to the superadmin (below).
  'POST /api/badges': { who: ADMINS, payload: { uid: 'zz', label: 'x', kind: 'visitor' } },
  'POST /api/badges/:id/deactivate': { who: ADMINS },
  'POST /api/badges/:id/activate': { who: SUPER },

  'POST /api/visits/:id/passes': { who: ADMINS },
  'GET /api/passes': { who: ADMINS },
  'GET /api/passes/public-key': { who: SIGNED_IN },
  'GET /api/passes/:id.png': { who: ADMINS },
  'GET /api/passes/:id.svg': { who: ADMINS },
  'POST /api/passes/:id/revoke': { who: ADMINS },
  'POST /api/enrolments': { who: ADMINS, payload: { label: 'x', kind: 'visitor' } },
  'GET /api/enrolments/:id': { who: ADMINS },
  'DELETE /api/enrolments/:id': { who: ADMINS },

  'GET /api/door': { who: ADMINS },
  'POST /api/door/mode': { who: SUPER },
  'POST /api/door/unlock': { who: SUPER, payload: { reason: 'vendor at the door' } },
  'POST /api/door/occupancy/clear': { who: ADMINS },
  'POST /api/door/clock/confirm': { who: SUPER, payload: { reason: 'checked against a phone' } },
  'GET /api/journal': { who: ADMINS },

  'GET /api/visits/register': { who: ADMINS },
  'GET /api/ktp': { who: ADMINS },
  'POST /api/visits/:id/ktp-return': { who: ADMINS },
  // follow=false: the stream sends what is there and ends, so inject() returns
  'GET /api/events/stream': { who: ADMINS, query: '?follow=false' },
  'POST /api/roll-calls': { who: ADMINS },
  'GET /api/roll-calls/current': { who: ADMINS },
  'POST /api/roll-calls/:id/mark': { who: ADMINS, payload: { visitIds: ['x'], safe: true } },
  'POST /api/roll-calls/:id/close': { who: ADMINS },
  // Signed, not signed in (the signature is checked in the route's parser); off in the rig: 404 intake_disabled.
  'POST /api/intake': { who: PUBLIC },

  'POST /api/sim/tap': { who: ADMINS },
  'POST /api/sim/door': { who: ADMINS },
  'POST /api/sim/exit-button': { who: ADMINS },
};

const key = (r: RouteKey) => `${r.method} ${r.url}`;

describe('authorisation matrix (route × role)', () => {
  let rig: TestRig;
  let p: People;
  let routes: RouteKey[];
  const logins: Record<Exclude<Caller, 'anonymous'>, [string, string]> = {
    admin: ['sari', 'sari-password-1'],
    adminEscort: ['budi', 'budi-password-1'],
    superadmin: ['kasi', 'kasi-password-1'],
  };

  before(async () => {
    rig = await startRig();
    // The console's pages answer in HTML (redirects, pages): their matrix is test/http/console/routes.test.ts.
    routes = registeredRoutes(rig.rt.http!).filter((r) => !isConsoleRoute(r.url));
    p = await seedPeople(rig);
  });
  after(async () => {
    await rig?.stop();
  });

  it('collects the routes from the running app', () => {
    assert.ok(routes.length >= 30, `only ${routes.length} routes found`);
    assert.ok(routes.some((r) => r.method === 'POST' && r.url === '/api/visits/:id/approve'));
  });

  it('has exactly one matrix row for every registered route', () => {
    const registered = routes.map(key).sort();
    const documented = Object.keys(MATRIX).sort();
    const missing = registered.filter((k) => !MATRIX[k]);
    const stale = documented.filter((k) => !registered.includes(k));
    assert.deepEqual(missing, [], `routes without a matrix row: ${missing.join(', ')}`);
    assert.deepEqual(stale, [], `matrix rows for routes that do not exist: ${stale.join(', ')}`);
  });

  it('the seeded users have the roles the columns claim', async () => {
    const users = (await rig.inject({ method: 'GET', url: '/api/users', token: p.kasi })).json().users as {
      username: string;
      role: string;
      escort: boolean;
    }[];
    const u = (n: string) => users.find((x) => x.username === n);
    assert.deepEqual([u('sari')?.role, u('sari')?.escort], ['admin', false]);
    assert.deepEqual([u('budi')?.role, u('budi')?.escort], ['admin', true]);
    assert.equal(u('kasi')?.role, 'superadmin');
  });

  for (const caller of CALLERS) {
    it(`enforces every row for ${caller}`, async () => {
      const failures: string[] = [];
      const tokens: Record<string, string> = { admin: p.sari, adminEscort: p.budi, superadmin: p.kasi };
      for (const r of routes) {
        const row = MATRIX[key(r)];
        if (!row) continue; // reported by the completeness test
        const expected = row.who[caller];
        let token: string | undefined;
        if (caller !== 'anonymous') {
          // logout revokes the session it is called with: give it a session of its own
          token =
            r.url === '/api/auth/logout' ? await rig.login(...logins[caller]) : (tokens[caller] as string);
        }
        const url = r.url.replace(/:id\b/g, 'no-such-id') + (row.query ?? '');
        const hasBody = r.method === 'POST' || r.method === 'PATCH';
        const res = await rig.inject({
          method: r.method as 'GET',
          url,
          ...(token ? { token } : {}),
          ...(hasBody ? { payload: row.payload ?? {} } : {}),
        });
        const code = String(res.headers['content-type'] ?? '').includes('json')
          ? res.json()?.error?.code
          : undefined;
        const got = res.statusCode;
        if (expected === 'ok') {
          if (got === 401 || got === 403 || code === 'not_found')
            failures.push(`${key(r)}: expected allowed, got ${got} ${code ?? ''}`);
        } else if (got !== expected) {
          failures.push(`${key(r)}: expected ${expected}, got ${got} ${code ?? ''}`);
        } else if (code !== (expected === 401 ? 'unauthenticated' : 'forbidden')) {
          failures.push(`${key(r)}: ${got} with code ${code}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('refuses a made-up bearer token and a made-up cookie on every non-public route', async () => {
    const failures: string[] = [];
    for (const r of routes) {
      if (MATRIX[key(r)]?.who.anonymous === 'ok') continue;
      const url = r.url.replace(/:id\b/g, 'no-such-id');
      for (const headers of [
        { authorization: 'Bearer not-a-session' },
        { cookie: 'jk_session=not-a-session' },
      ]) {
        const res = await rig.inject({ method: r.method as 'GET', url, headers });
        if (res.statusCode !== 401) failures.push(`${key(r)} ${Object.keys(headers)[0]}: ${res.statusCode}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('lets only the superadmin register a staff badge', async () => {
    const payload = { uid: '0A0B0C0D', label: 'Staff X', kind: 'staff', userId: p.sariId };
    for (const token of [p.sari, p.budi]) {
      const res = await rig.inject({ method: 'POST', url: '/api/badges', token, payload });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'forbidden');
    }
    const ok = await rig.inject({ method: 'POST', url: '/api/badges', token: p.kasi, payload });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  it('lets only the superadmin start a staff badge enrolment (the same rule, asked of the badge service)', async () => {
    const payload = { label: 'Staff Y', kind: 'staff', userId: p.sariId };
    for (const token of [p.sari, p.budi]) {
      const res = await rig.inject({ method: 'POST', url: '/api/enrolments', token, payload });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'forbidden');
      assert.equal(res.json().error.details.rule, 'staff badges are registered by a superadmin');
    }
    const kasi = await rig.inject({ method: 'POST', url: '/api/enrolments', token: p.kasi, payload });
    assert.notEqual(kasi.statusCode, 403, kasi.body);
  });

  it('answers an unknown route with 404 not_found, signed in or not', async () => {
    for (const token of [undefined, p.sari]) {
      const res = await rig.inject({ method: 'GET', url: '/api/nope', ...(token ? { token } : {}) });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'not_found');
    }
  });
});
