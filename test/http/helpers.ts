/** Helpers for the HTTP tests, on top of test/fixtures/runtime.ts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { JournalEvent } from '../../src/domain/events.js';
import { type seedPeople, type TestRig, visitRequest } from '../fixtures/runtime.js';

export type People = Awaited<ReturnType<typeof seedPeople>>;

export interface RouteKey {
  method: string;
  url: string;
}

/**
 * Every route the app registered, read back from fastify's own route tree (printRoutes), so a
 * route added later shows up here without anyone listing it. HEAD routes fastify derives from GET
 * routes are left out: they share the GET route's config.
 */
export function registeredRoutes(app: FastifyInstance): RouteKey[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: RouteKey[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?$/.exec(line.trimEnd());
    if (!m) continue;
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + m[2];
    stack.push(url);
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method && method !== 'HEAD') out.push({ method, url });
    }
  }
  return out;
}

export function stateBytes(rig: TestRig): Buffer {
  return readFileSync(join(rig.dir, 'state.json'));
}

/** Runs `fn` and asserts that neither the state file nor the journal changed. */
export async function assertUntouched<T>(rig: TestRig, fn: () => Promise<T>): Promise<T> {
  const before = stateBytes(rig);
  const seq = rig.rt.journal.seq;
  const r = await fn();
  assert.ok(stateBytes(rig).equals(before), 'state.json changed');
  assert.equal(rig.rt.journal.seq, seq, 'journal grew');
  return r;
}

export interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Asserts a coded error response and returns its body. */
export function assertError(res: LightMyRequestResponse, status: number, code: string): ErrorJson['error'] {
  assert.equal(res.statusCode, status, `expected ${status} ${code}, got ${res.statusCode} ${res.body}`);
  const body = res.json() as ErrorJson;
  assert.equal(body.error?.code, code, res.body);
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

export function allEvents(rig: TestRig): JournalEvent[] {
  return rig.rt.journal.read(0, 1_000_000);
}

export async function post(rig: TestRig, url: string, token: string, payload: object) {
  const r = await rig.inject({ method: 'POST', url, token, payload });
  if (r.statusCode >= 300) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
  return r.json();
}

/** A submitted visit; returns its id. */
export async function submittedVisit(rig: TestRig, p: People, extra: Record<string, unknown> = {}) {
  const v = await post(rig, '/api/visits', p.sari, visitRequest(rig.clock.now, extra));
  return v.visit.id as string;
}

/** A visit verified by sari (an admin); returns its id. */
export async function verifiedVisit(rig: TestRig, p: People) {
  const id = await submittedVisit(rig, p);
  await post(rig, `/api/visits/${id}/verify`, p.sari, { formComplete: true, ktpHeld: true, ktpTray: 'A1' });
  return id;
}

/** A visit approved by kasi; returns its id. */
export async function approvedVisit(rig: TestRig, p: People) {
  const id = await verifiedVisit(rig, p);
  await post(rig, `/api/visits/${id}/approve`, p.kasi, {});
  return id;
}

let uidCounter = 0x10000000;

/** A fresh visitor badge in the pool; returns its id and UID. */
export async function newVisitorBadge(rig: TestRig, p: People): Promise<{ id: string; uid: string }> {
  const uid = (uidCounter++).toString(16).toUpperCase();
  const b = await post(rig, '/api/badges', p.sari, { uid, label: `TAMU-${uid}`, kind: 'visitor' });
  return { id: b.badge.id as string, uid };
}

/** A visit with a fresh badge issued and budi as escort; returns the visit and badge ids. */
export async function issued(rig: TestRig, p: People): Promise<{ id: string; badgeId: string; uid: string }> {
  const id = await approvedVisit(rig, p);
  const badge = await newVisitorBadge(rig, p);
  await post(rig, `/api/visits/${id}/issue-badge`, p.sari, { badgeId: badge.id, escortIds: [p.budiId] });
  return { id, badgeId: badge.id, uid: badge.uid };
}

export const CHECK_OUT_OK = {
  devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
  badgeReturned: true,
  ktpReturned: true,
};
