/**
 * kill -9 at random moments (#12 §3): 100 cycles of a short burst of taps, procedure steps and
 * users over HTTP against the real service process, killed -9 at a moment drawn from a seeded
 * RNG — a few ms after it is ready (while it republishes its MQTT backlog), 0 ms after a request
 * was flushed to the socket, right as a 2xx response came back, or a random delay into the burst
 * (taps, state writes, fsyncs, PUBACKs and cursor writes all run then). After every kill and
 * restart:
 * - the journal verifies (store/journal-verify.ts) and still holds every event it held before;
 * - state.json parses;
 * - every change acknowledged with a 2xx before the kill is there: a visit created, each step
 *   verified/approved/badge issued/checked out/closed (in the visit's history and journaled: every
 *   one so far in state.json after each kill, the last life's through the API after the restart),
 *   a user created (the same), a tap's outcome (its access event, journaled by that life), and a
 *   grant's first entry of a visit (booked after the restart);
 * - every event reaches a real Mosquitto in journal order: after de-duplicating the at-least-once
 *   repeats by id, what was received is a prefix of the journal (no gap, no reordering), and at
 *   the end it is the whole journal.
 *
 * The seed is printed; KILL_SEED=<n> replays a run (the kill moments and the operation mix; the
 * service's own timing still varies), KILL_DEBUG=1 prints each cycle's plan. To keep 100 restarts cheap the service runs `warm`: the next
 * process loads its modules while the current one runs (test/fixtures/warm-main.mjs).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEvent } from '../../src/domain/events.js';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { freePort, Mosquitto, Recorder } from '../fixtures/mosquitto.js';
import { visitRequest } from '../fixtures/runtime.js';
import { ensureBuilt, journalEvents, ServiceProcess } from '../fixtures/service-process.js';
import { untilValue } from '../fixtures/wait.js';

const CYCLES = 100;
const ROOT = 'jurukunci/server-room';
const BUDI_UID = '04A1B2C3D4E5F6';
const VISITOR_UIDS = ['A1B2C301', 'A1B2C302', 'A1B2C303', 'A1B2C304'];
const UNKNOWN_UID = 'DEADBEEF';
const DEVICES = [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }];

/** mulberry32: small, seedable, good enough to pick moments and operations. */
function rngFrom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [lo, hi]. */
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
type Rng = ReturnType<typeof rngFrom>;

type KillPlan =
  | { kind: 'after-ready'; ms: number }
  | { kind: 'sent'; index: number }
  | { kind: 'acked'; index: number }
  | { kind: 'delay'; ms: number };

function drawPlan(rng: Rng, ops: number): KillPlan {
  const r = rng.next();
  if (r < 0.1) return { kind: 'after-ready', ms: rng.int(0, 40) };
  if (r < 0.4) return { kind: 'sent', index: rng.int(0, ops - 1) };
  if (r < 0.7) return { kind: 'acked', index: rng.int(0, ops - 1) };
  return { kind: 'delay', ms: rng.int(0, 200) };
}

interface Reply {
  status: number;
  json: Record<string, unknown>;
}

/**
 * HTTP to the service over one keep-alive agent per process life (a killed process's sockets are
 * not reused). `onFlushed` runs as the request leaves (0 ms after it was sent), `onReply` as the
 * whole response has come back, before the caller sees it. A request the kill cut off (or that
 * met no service) resolves to null: its outcome is unknown.
 */
class Client {
  private agent = new Agent({ keepAlive: true });
  constructor(private readonly port: number) {}

  reset(): void {
    this.agent.destroy();
    this.agent = new Agent({ keepAlive: true });
  }

  send(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    hooks: { onFlushed?: () => void; onReply?: (r: Reply) => void } = {},
  ): Promise<Reply | null> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => resolve(null));
          res.on('end', () => {
            if (!res.complete) return resolve(null);
            const text = Buffer.concat(chunks).toString();
            let json: Record<string, unknown> = {};
            try {
              json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              json = { raw: text };
            }
            const reply = { status: res.statusCode ?? 0, json };
            hooks.onReply?.(reply);
            resolve(reply);
          });
        },
      );
      req.on('error', () => resolve(null));
      if (hooks.onFlushed) req.on('finish', hooks.onFlushed);
      req.end(payload);
    });
  }
}

type Step = 'submit' | 'verify' | 'approve' | 'issue_badge' | 'check_out' | 'close';
const STEP_EVENT: Record<Step, string> = {
  submit: 'visit.submitted',
  verify: 'visit.verified',
  approve: 'visit.approved',
  issue_badge: 'visit.badge_issued',
  check_out: 'visit.checked_out',
  close: 'visit.closed',
};
const TAP_EVENT: Record<string, string> = {
  grant: 'access.granted',
  pending: 'access.awaiting_escort',
  deny: 'access.denied',
  exit: 'access.exit',
};

interface VisitView {
  id: string;
  state: string;
  badgeId: string | null;
  history: { step: string }[];
}

/** What the test knows: the visits as last seen, and every change a 2xx acknowledged. */
class Model {
  readonly visits = new Map<string, { state: string; badgeId: string | null }>();
  /** visit id → steps acknowledged (all cycles). */
  readonly ackedSteps = new Map<string, Set<Step>>();
  /** user id → username, acknowledged. */
  readonly ackedUsers = new Map<string, string>();
  /** Visits a grant admitted (acknowledged): their first entry must be booked. */
  readonly ackedEntries = new Set<string>();
  /** Taps acknowledged in this process life: journal type|reader|short uid. */
  lifeTaps: string[] = [];
  /** Acknowledged in this process life, for the API check after the restart. */
  lifeSteps: [string, Step][] = [];
  lifeUsers: string[] = [];

  ackStep(id: string, step: Step, v: VisitView): void {
    const set = this.ackedSteps.get(id) ?? new Set<Step>();
    set.add(step);
    this.ackedSteps.set(id, set);
    this.lifeSteps.push([id, step]);
    this.visits.set(id, { state: v.state, badgeId: v.badgeId });
  }

  ackUser(id: string, username: string): void {
    this.ackedUsers.set(id, username);
    this.lifeUsers.push(id);
  }

  inState(...states: string[]): string[] {
    return [...this.visits].filter(([, v]) => states.includes(v.state)).map(([id]) => id);
  }
}

const shortUid = (uid: string) => (uid.length <= 4 ? uid : `…${uid.slice(-4)}`);

describe('kill -9 at random moments (real service process, real mosquitto, 100 cycles)', function () {
  // Bounds a hang only; the run is a fraction of this.
  this.timeout(400_000);
  const seed = process.env.KILL_SEED ? Number(process.env.KILL_SEED) : randomInt(2 ** 31);
  const dir = mkdtempSync(join(tmpdir(), 'jk-kill-'));
  let broker: Mosquitto;
  let service: ServiceProcess;
  let client: Client;
  let rec: Recorder;

  before(async () => {
    assert.ok(Number.isInteger(seed), `KILL_SEED is an integer: ${process.env.KILL_SEED}`);
    console.log(`      kill-random seed ${seed} (replay: KILL_SEED=${seed})`);
    const built = ensureBuilt();
    if (built) console.log(`      built dist/ in ${built} ms`);
    const [brokerPort, httpPort] = [await freePort(), await freePort()];
    // No queue limit: a restart republishes a backlog faster than the recorder may ack it.
    broker = new Mosquitto({ port: brokerPort, extraConfig: ['max_queued_messages 0'] });
    await broker.start();
    rec = await Recorder.connect(broker.url, [`${ROOT}/events/#`]);
    service = new ServiceProcess({
      env: {
        JURUKUNCI_DATA_DIR: dir,
        JURUKUNCI_HTTP__PORT: String(httpPort),
        JURUKUNCI_MQTT__URL: broker.url,
        JURUKUNCI_LOG__LEVEL: 'info',
      },
      httpPort,
      warm: true,
      runner: 'dist',
    });
    client = new Client(httpPort);
  });

  after(async () => {
    await service?.destroy();
    client?.reset();
    await rec?.close();
    await broker?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged change, a verifying journal and in-order MQTT delivery through 100 kills', async () => {
    const rng = rngFrom(seed);
    const model = new Model();
    const timing = { start: 0, burst: 0, checks: 0 };
    const t0 = Date.now();
    let cycle = -1;
    let plan: KillPlan | null = null;
    const where = () =>
      `seed ${seed}, cycle ${cycle}, plan ${JSON.stringify(plan)}\n--- service output (tail) ---\n${service.out.slice(-3000)}`;

    // --- first start: the people, the badges ---
    await service.start();
    const ok = async (method: string, path: string, body: unknown, token?: string) => {
      const r = await client.send(method, path, body, token);
      assert.ok(r && r.status < 300, `${method} ${path}: ${r?.status} ${JSON.stringify(r?.json)}`);
      return r.json;
    };
    await ok('POST', '/api/setup', {
      token: service.setupToken(),
      username: 'kasi',
      displayName: 'Kepala Seksi',
      password: 'kasi-password-1',
      escort: false,
    });
    const login = async (u: string) =>
      (await ok('POST', '/api/auth/login', { username: u, password: `${u}-password-1` })).token as string;
    const kasi = await login('kasi');
    const mkUser = async (username: string, escort: boolean) => {
      const body = {
        username,
        displayName: username,
        role: 'admin',
        escort,
        password: `${username}-password-1`,
      };
      const id = ((await ok('POST', '/api/users', body, kasi)).user as { id: string }).id;
      model.ackUser(id, username);
      return id;
    };
    const budiId = await mkUser('budi', true);
    await mkUser('sari', false);
    const sari = await login('sari');
    await ok('POST', '/api/badges', { uid: BUDI_UID, label: 'Budi', kind: 'staff', userId: budiId }, kasi);
    const uidOfBadge = new Map<string, string>();
    for (const [i, uid] of VISITOR_UIDS.entries()) {
      const b = await ok('POST', '/api/badges', { uid, label: `TAMU-0${i + 1}`, kind: 'visitor' }, sari);
      uidOfBadge.set((b.badge as { id: string }).id, uid);
    }
    let usersMade = 0;

    // --- one burst of operations, killed per the plan ---
    type Op = { name: string; run: (hooks: Parameters<Client['send']>[4]) => Promise<void> };
    const step = (id: string, s: Step, path: string, body: unknown, token: string): Op => ({
      name: `${s} ${id}`,
      run: async (hooks) => {
        const r = await client.send('POST', path, body, token, hooks);
        if (r && r.status < 300) model.ackStep(id, s, r.json.visit as VisitView);
        if (r) assert.ok(r.status < 500, `${s}: ${r.status} ${JSON.stringify(r.json)}\n${where()}`);
      },
    });
    const tap = (reader: 'entry' | 'exit', uid: string): Op => ({
      name: `tap ${reader} ${uid}`,
      run: async (hooks) => {
        const r = await client.send('POST', '/api/sim/tap', { reader, uid }, sari, hooks);
        if (!r) return;
        assert.equal(r.status, 200, `tap: ${r.status} ${JSON.stringify(r.json)}\n${where()}`);
        const result = r.json.result as { outcome: string; admits?: { visitId?: string | null }[] };
        const type = TAP_EVENT[result.outcome];
        assert.ok(type, `tap outcome ${result.outcome}`);
        model.lifeTaps.push(`${type}|${reader}|${shortUid(uid)}`);
        for (const a of result.admits ?? []) if (a.visitId) model.ackedEntries.add(a.visitId);
      },
    });
    const drawOp = (): Op => {
      const open = model.inState('submitted', 'verified', 'approved', 'badge_issued', 'in_progress');
      const atDoor = model.inState('badge_issued', 'in_progress');
      const used = new Set(
        [...model.visits.values()]
          .filter((v) => ['badge_issued', 'in_progress'].includes(v.state))
          .map((v) => v.badgeId),
      );
      const free = [...uidOfBadge.keys()].filter((b) => !used.has(b));
      const choices: [number, () => Op][] = [
        [
          open.length < 3 ? 2 : 0,
          () => ({
            name: 'submit',
            run: async (hooks) => {
              const r = await client.send('POST', '/api/visits', visitRequest(new Date()), sari, hooks);
              if (r) assert.equal(r.status, 201, `submit: ${r.status} ${JSON.stringify(r.json)}\n${where()}`);
              if (r) {
                const v = r.json.visit as VisitView;
                model.ackStep(v.id, 'submit', v);
              }
            },
          }),
        ],
        [
          model.inState('submitted').length ? 2 : 0,
          () => {
            const id = rng.pick(model.inState('submitted'));
            return step(
              id,
              'verify',
              `/api/visits/${id}/verify`,
              { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
              sari,
            );
          },
        ],
        [
          model.inState('verified').length ? 2 : 0,
          () => {
            const id = rng.pick(model.inState('verified'));
            return step(id, 'approve', `/api/visits/${id}/approve`, {}, kasi);
          },
        ],
        [
          model.inState('approved').length && free.length ? 2 : 0,
          () => {
            const id = rng.pick(model.inState('approved'));
            return step(
              id,
              'issue_badge',
              `/api/visits/${id}/issue-badge`,
              { badgeId: rng.pick(free), escortIds: [budiId] },
              sari,
            );
          },
        ],
        [
          atDoor.length ? 3 : 0,
          () => tap('entry', uidOfBadge.get(model.visits.get(rng.pick(atDoor))!.badgeId!)!),
        ],
        [
          atDoor.length ? 2 : 0,
          () => tap('exit', uidOfBadge.get(model.visits.get(rng.pick(atDoor))!.badgeId!)!),
        ],
        [2, () => tap('entry', BUDI_UID)],
        [1.5, () => tap('exit', BUDI_UID)],
        [1, () => tap('entry', UNKNOWN_UID)],
        [
          atDoor.length ? 1 : 0,
          () => {
            const id = rng.pick(atDoor);
            return step(
              id,
              'check_out',
              `/api/visits/${id}/check-out`,
              { devicesOut: DEVICES, badgeReturned: true, ktpReturned: true, confirmLeftRoom: true },
              sari,
            );
          },
        ],
        [
          model.inState('checked_out').length ? 1 : 0,
          () => {
            const id = rng.pick(model.inState('checked_out'));
            return step(id, 'close', `/api/visits/${id}/close`, {}, sari);
          },
        ],
        [
          0.4,
          () => {
            const username = `petugas${++usersMade}`;
            return {
              name: `user ${username}`,
              run: async (hooks) => {
                const r = await client.send(
                  'POST',
                  '/api/users',
                  {
                    username,
                    displayName: username,
                    role: 'admin',
                    escort: false,
                    password: `${username}-password-1`,
                  },
                  kasi,
                  hooks,
                );
                if (r) assert.equal(r.status, 201, `user: ${r.status} ${JSON.stringify(r.json)}\n${where()}`);
                if (r) model.ackUser((r.json.user as { id: string }).id, username);
              },
            };
          },
        ],
      ];
      const total = choices.reduce((s, [w]) => s + w, 0);
      let x = rng.next() * total;
      for (const [w, make] of choices) {
        x -= w;
        if (x < 0) return make();
      }
      return choices[6]![1]();
    };

    /** Runs one burst; resolves once the service is dead (killed per the plan, or at the end). */
    const burst = async (p: KillPlan, ops: number): Promise<void> => {
      let killing: Promise<void> | null = null;
      const kill = () => {
        killing ??= service.kill9();
        return killing;
      };
      if (p.kind === 'after-ready') {
        await new Promise((r) => setTimeout(r, p.ms));
        return kill();
      }
      const timer =
        p.kind === 'delay'
          ? new Promise<void>((r) =>
              setTimeout(() => {
                void kill();
                r();
              }, p.ms),
            )
          : null;
      const inflight: Promise<void>[] = [];
      let acked = 0;
      for (let i = 0; i < ops && !killing; i++) {
        const op = drawOp();
        const hooks: Parameters<Client['send']>[4] = {};
        if (p.kind === 'sent' && p.index === i) hooks.onFlushed = () => void kill();
        if (p.kind === 'acked')
          hooks.onReply = (r) => {
            if (r.status < 300 && i >= p.index && acked++ === 0) void kill();
          };
        const running = op.run(hooks);
        inflight.push(running);
        // Now and then the next operation goes out before this one is answered.
        if (rng.next() >= 0.35) await Promise.all(inflight);
      }
      await Promise.all(inflight);
      // A delay past the burst's end kills it idle: publishing, cursor and door.json writes.
      if (timer) await timer;
      await kill();
    };

    let before: JournalEvent[] = journalEvents(dir);
    const firsts: string[] = [];
    const seen = new Set<string>();
    let recIndex = 0;
    const received = () => {
      for (; recIndex < rec.messages.length; recIndex++) {
        const id = (JSON.parse(rec.messages[recIndex]!.payload) as { id: string }).id;
        if (!seen.has(id)) {
          seen.add(id);
          firsts.push(id);
        }
      }
      return firsts;
    };

    /** The checks on the files a kill left, before the next start. */
    const afterKill = () => {
      const verified = verifyJournal(join(dir, 'journal'));
      assert.ok(verified.ok, `journal verifies: ${JSON.stringify(verified.firstBad)}\n${where()}`);
      const now = journalEvents(dir);
      assert.equal(verified.events, now.length);
      // Every event journaled before is still there, in place.
      assert.deepEqual(
        now.slice(0, before.length).map((e) => e.id),
        before.map((e) => e.id),
        `the journal still holds every earlier event\n${where()}`,
      );
      const life = now.slice(before.length);
      const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
        users: { id: string }[];
        visits: VisitView[];
        outbox?: { type: string; data: unknown }[];
      };
      // Acknowledged steps: in state.json and journaled.
      const visits = new Map(state.visits.map((v) => [v.id, v]));
      const journaled = new Set(now.map((e) => `${e.type}|${String(e.data.visitId ?? e.data.userId ?? '')}`));
      for (const [id, steps] of model.ackedSteps) {
        const v = visits.get(id);
        assert.ok(v, `acknowledged visit ${id} is in state.json\n${where()}`);
        for (const s of steps) {
          assert.ok(
            v.history.some((h) => h.step === s),
            `acknowledged ${s} of ${id} in state.json\n${where()}`,
          );
          assert.ok(
            journaled.has(`${STEP_EVENT[s]}|${id}`),
            `acknowledged ${s} of ${id} journaled\n${where()}`,
          );
        }
      }
      // Every step the state holds — acknowledged or not (the kill may have come between the
      // state write and the journal append) — is journaled, or waits in the state's outbox for
      // the next start to append it (services/transaction.ts): no change goes unrecorded.
      const outboxed = new Set(
        (state.outbox ?? []).map(
          (e) => `${e.type}|${String((e.data as { visitId?: unknown }).visitId ?? '')}`,
        ),
      );
      for (const v of state.visits)
        for (const h of v.history) {
          const type = STEP_EVENT[h.step as Step];
          if (!type) continue;
          const key = `${type}|${v.id}`;
          assert.ok(
            journaled.has(key) || outboxed.has(key),
            `${h.step} of ${v.id} in state.json is journaled or in the outbox\n${where()}`,
          );
        }
      const users = new Set(state.users.map((u) => u.id));
      for (const id of model.ackedUsers.keys()) {
        assert.ok(users.has(id), `acknowledged user ${id} is in state.json\n${where()}`);
        assert.ok(journaled.has(`user.created|${id}`), `acknowledged user ${id} journaled\n${where()}`);
      }
      // Acknowledged taps: each outcome's event, written by this process.
      const tapEvents = new Map<string, number>();
      for (const e of life) {
        const key = `${e.type}|${String(e.data.reader)}|${String(e.data.uid)}`;
        tapEvents.set(key, (tapEvents.get(key) ?? 0) + 1);
      }
      for (const key of model.lifeTaps) {
        const n = tapEvents.get(key) ?? 0;
        assert.ok(n > 0, `acknowledged tap ${key} journaled\n${where()}`);
        tapEvents.set(key, n - 1);
      }
      model.lifeTaps = [];
      // MQTT: what arrived, de-duplicated by id, is the journal's beginning.
      const got = received();
      assert.ok(got.length <= now.length, `no more events received than journaled\n${where()}`);
      assert.deepEqual(
        got,
        now.slice(0, got.length).map((e) => e.id),
        `MQTT delivery is the journal in order, without gaps\n${where()}`,
      );
      // The next cycles draw from the visits as they are now.
      model.visits.clear();
      for (const v of state.visits) model.visits.set(v.id, { state: v.state, badgeId: v.badgeId });
      before = now;
    };

    /**
     * The checks through the restarted service's API: what the lives before it acknowledged (the
     * state.json check after each kill covers every change since the first). `everything`: all.
     */
    const afterStart = async (everything = false) => {
      const ids = everything
        ? [...model.ackedSteps.keys()]
        : [...new Set([...model.lifeSteps.map(([id]) => id), ...model.ackedEntries])];
      for (const id of ids) {
        const r = await client.send('GET', `/api/visits/${id}`, undefined, sari);
        assert.equal(r?.status, 200, `acknowledged visit ${id} after the restart\n${where()}`);
        const v = r.json.visit as VisitView;
        for (const s of model.ackedSteps.get(id) ?? [])
          assert.ok(
            v.history.some((h) => h.step === s),
            `acknowledged ${s} of ${id} after the restart\n${where()}`,
          );
        // A grant's first entry is booked (from the journal, if the kill came first): it may
        // still be on its way when the service says it is ready.
        if (model.ackedEntries.has(id) && !v.history.some((h) => h.step === 'enter'))
          await untilValue(
            `first entry of ${id} booked after the restart\n${where()}`,
            async () => {
              const again = (await ok('GET', `/api/visits/${id}`, undefined, sari)).visit as VisitView;
              return again.history.some((h) => h.step === 'enter') || undefined;
            },
            10_000,
          );
        model.ackedEntries.delete(id);
      }
      if (everything || model.lifeUsers.length > 0) {
        const listed = (await ok('GET', '/api/users', undefined, kasi)).users as { id: string }[];
        const users = new Set(listed.map((u) => u.id));
        for (const id of everything ? model.ackedUsers.keys() : model.lifeUsers)
          assert.ok(users.has(id), `acknowledged user ${id} after the restart\n${where()}`);
      }
      model.lifeSteps = [];
      model.lifeUsers = [];
    };

    // The setup itself was acknowledged: the first kill comes now.
    await service.kill9();
    afterKill();

    for (cycle = 0; cycle < CYCLES; cycle++) {
      const ops = rng.int(2, 6);
      plan = drawPlan(rng, ops);
      let t = Date.now();
      client.reset();
      await service.start();
      timing.start += Date.now() - t;
      t = Date.now();
      if (plan.kind !== 'after-ready') await afterStart();
      timing.checks += Date.now() - t;
      t = Date.now();
      await burst(plan, ops);
      timing.burst += Date.now() - t;
      t = Date.now();
      afterKill();
      timing.checks += Date.now() - t;
      // KILL_DEBUG=1: each cycle's plan, to follow a replayed seed.
      if (process.env.KILL_DEBUG)
        console.log(`      cycle ${cycle} ${JSON.stringify(plan)}, ${before.length} events`);
    }

    // The last start: everything journaled reaches the broker.
    cycle = CYCLES;
    plan = null;
    client.reset();
    await service.start();
    await afterStart(true);
    const journaled = before.map((e) => e.id);
    await rec.until(
      () => received().length >= journaled.length,
      `all ${journaled.length} events on the broker\n${where()}`,
      60_000,
    );
    await service.kill9();
    afterKill();
    assert.deepEqual(received().slice(0, journaled.length), journaled);
    const total = Date.now() - t0;
    console.log(
      `      ${CYCLES} cycles in ${total} ms (${Math.round(total / CYCLES)} ms/cycle): start ${Math.round(timing.start / CYCLES)}, burst+kill ${Math.round(timing.burst / CYCLES)}, checks ${Math.round(timing.checks / CYCLES)} ms/cycle; ${before.length} events, ${rec.messages.length} deliveries`,
    );
  });
});
