/**
 * End to end: the real service process (`jurukunci start`), driven over HTTP with fetch through the
 * whole procedure, stopped with SIGTERM, and its journal verified by the CLI. Also `jurukunci demo`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { eventually } from '../fixtures/wait.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NIK = '3319014507900003';
const PHONE = '081234567890';
const VISITOR_UID = 'A1B2C3D4';
const ESCORT_UID = '04A1B2C3D4E5F6';

// biome-ignore lint/suspicious/noExplicitAny: API JSON read loosely, checked by assertions
type Json = Record<string, any>;

/** The caller's environment without any JURUKUNCI_* settings that would change what is tested. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JURUKUNCI_')));
  return { ...env, ...extra };
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** The shared poll (throw, undefined or false: not yet), at this file's pace. */
const until = <T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 20000,
) => eventually(what, fn, ms, 100);

describe('end to end: the real service process', function () {
  this.timeout(60_000);

  let dir: string;
  let child: ChildProcess | null = null;
  let output = '';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-e2e-'));
    output = '';
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    child = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('drives the whole procedure over HTTP, stops cleanly on SIGTERM, and leaves a valid journal', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
      cwd: ROOT,
      env: cleanEnv({
        JURUKUNCI_DATA_DIR: dir,
        JURUKUNCI_HTTP__PORT: String(port),
        JURUKUNCI_ACCESS__ESCORT_WINDOW_SECONDS: '1',
        JURUKUNCI_DOOR__UNLOCK_SECONDS: '1',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      proc.once('exit', (code, signal) => r({ code, signal })),
    );

    const token = await until('the setup token on stdout', async () => {
      if (proc.exitCode !== null) throw new Error(`service exited early:\n${output}`);
      return /token: (\S+)/.exec(stdout)?.[1];
    });
    const base = `http://127.0.0.1:${port}`;
    const health = await until('/healthz', async () => {
      const r = await fetch(`${base}/healthz`);
      return r.status === 200 ? ((await r.json()) as Json) : undefined;
    });
    assert.equal(health.ok, true);
    // Anonymous: up/down and module states only (who is inside needs a login).
    assert.equal(health.door, undefined);
    assert.equal((health.modules as Record<string, { state: string }>).door?.state, 'ok');
    assert.ok(existsSync(join(dir, 'jurukunci.pid')), 'the data dir is locked while running');

    const call = async (method: string, path: string, body?: unknown, auth?: string) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: (await res.json()) as Json };
    };
    const ok = async (
      method: string,
      path: string,
      body: unknown,
      auth: string | undefined,
      status = 200,
    ) => {
      const r = await call(method, path, body, auth);
      assert.equal(r.status, status, `${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    };
    const login = async (username: string, password: string) =>
      (await ok('POST', '/api/auth/login', { username, password }, undefined)).token as string;
    const journal = async (auth: string) => {
      const all: Json[] = [];
      let after = 0;
      for (;;) {
        const page = await ok('GET', `/api/journal?after=${after}&limit=1000`, undefined, auth);
        all.push(...page.events);
        if (page.events.length === 0 || page.next >= page.head) return all;
        after = page.next;
      }
    };

    // People.
    assert.equal((await call('GET', '/api/visits')).status, 401, 'no route without a login');
    await ok(
      'POST',
      '/api/setup',
      { token, username: 'kasi', displayName: 'Kepala Seksi TI', password: 'rahasia-kasi-1', escort: false },
      undefined,
      201,
    );
    assert.notEqual(
      (
        await call('POST', '/api/setup', {
          token,
          username: 'x',
          displayName: 'x',
          password: 'x-password-123',
        })
      ).status,
      201,
      'the setup token works once',
    );
    const kasi = await login('kasi', 'rahasia-kasi-1');
    const budiId = (
      await ok(
        'POST',
        '/api/users',
        { username: 'budi', displayName: 'Budi', role: 'admin', escort: true, password: 'rahasia-budi-1' },
        kasi,
        201,
      )
    ).user.id as string;
    await ok(
      'POST',
      '/api/users',
      { username: 'sari', displayName: 'Sari', role: 'admin', escort: false, password: 'rahasia-sari-1' },
      kasi,
      201,
    );
    const sari = await login('sari', 'rahasia-sari-1');
    await ok(
      'POST',
      '/api/badges',
      { uid: ESCORT_UID, label: 'Budi', kind: 'staff', userId: budiId },
      kasi,
      201,
    );
    const visitorBadge = (
      await ok('POST', '/api/badges', { uid: VISITOR_UID, label: 'TAMU-01', kind: 'visitor' }, sari, 201)
    ).badge.id as string;

    // The procedure: request → verify → approve → issue badge + escort.
    const now = Date.now();
    const submitted = await ok(
      'POST',
      '/api/visits',
      {
        visitor: { name: 'Andi Pratama', nik: NIK, organisation: 'PT Jaringan Muria', phone: PHONE },
        purpose: 'Ganti disk server',
        window: {
          start: new Date(now - 60_000).toISOString(),
          end: new Date(now + 2 * 3600_000).toISOString(),
        },
        letterNumber: '005/123/2026',
        devicesIn: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
      },
      sari,
      201,
    );
    const visitId = submitted.visit.id as string;
    assert.equal(submitted.visit.state, 'submitted');
    assert.ok(!JSON.stringify(submitted).includes(NIK), 'the API answer does not echo the NIK');
    assert.equal(
      (
        await ok(
          'POST',
          `/api/visits/${visitId}/verify`,
          { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
          sari,
        )
      ).visit.state,
      'verified',
    );
    assert.equal((await call('POST', `/api/visits/${visitId}/approve`, {}, sari)).status, 403);
    assert.equal((await ok('POST', `/api/visits/${visitId}/approve`, {}, kasi)).visit.state, 'approved');
    assert.equal(
      (
        await ok(
          'POST',
          `/api/visits/${visitId}/issue-badge`,
          { badgeId: visitorBadge, escortIds: [budiId] },
          sari,
        )
      ).visit.state,
      'badge_issued',
    );

    // The visitor alone: waits, then denied escort_required; the lock never opened.
    const alone = await ok('POST', '/api/sim/tap', { reader: 'entry', uid: VISITOR_UID }, sari);
    assert.equal(alone.result.outcome, 'pending');
    assert.equal(alone.door.lock, 'locked');
    const denial = await until('access.denied escort_required in the journal', async () =>
      (await journal(sari)).find((e) => e.type === 'access.denied' && e.data.reason === 'escort_required'),
    );
    assert.equal(denial.data.visitId, visitId);
    assert.equal((await journal(sari)).filter((e) => e.type === 'door.unlocked').length, 0);

    // Visitor and escort together: one unlock admits both.
    assert.equal(
      (await ok('POST', '/api/sim/tap', { reader: 'entry', uid: VISITOR_UID }, sari)).result.outcome,
      'pending',
    );
    const both = await ok('POST', '/api/sim/tap', { reader: 'entry', uid: ESCORT_UID }, sari);
    assert.equal(both.result.outcome, 'grant', JSON.stringify(both));
    assert.equal(both.result.admits.length, 2);
    assert.equal(both.door.lock, 'unlocked');
    await ok('POST', '/api/sim/door', { open: true }, sari);
    const closed = await ok('POST', '/api/sim/door', { open: false }, sari);
    assert.equal(closed.door.lock, 'locked', 'relocked as the door closed');
    assert.equal(closed.door.inside.length, 2);
    await until('visit in_progress', async () => {
      const v = await ok('GET', `/api/visits/${visitId}`, undefined, sari);
      return v.visit.state === 'in_progress' ? true : undefined;
    });

    // Both leave.
    assert.equal(
      (await ok('POST', '/api/sim/tap', { reader: 'exit', uid: VISITOR_UID }, sari)).result.outcome,
      'exit',
    );
    const out = await ok('POST', '/api/sim/tap', { reader: 'exit', uid: ESCORT_UID }, sari);
    assert.equal(out.result.outcome, 'exit');
    assert.equal(out.door.inside.length, 0);

    // Check-out with one device serial, then close.
    const co = await ok(
      'POST',
      `/api/visits/${visitId}/check-out`,
      {
        devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
        badgeReturned: true,
        ktpReturned: true,
      },
      sari,
    );
    assert.equal(co.visit.state, 'checked_out');
    assert.equal((await ok('POST', `/api/visits/${visitId}/close`, {}, sari)).visit.state, 'closed');
    const after = await ok('POST', '/api/sim/tap', { reader: 'entry', uid: VISITOR_UID }, sari);
    assert.equal(after.result.outcome, 'deny', 'the returned badge no longer opens the door');

    const events = await journal(sari);
    const types = events.map((e) => e.type);
    for (const t of [
      'access.awaiting_escort',
      'access.granted',
      'visit.entered',
      'visit.checked_out',
      'visit.closed',
    ])
      assert.ok(types.includes(t), `journal has ${t}`);
    // Every unlock follows its grant or exit.
    for (const [i, e] of events.entries()) {
      if (e.type !== 'door.unlocked') continue;
      const prev = events.slice(0, i).reverse();
      const cause = prev.find((p) => ['access.granted', 'access.exit', 'door.exit_request'].includes(p.type));
      const lastLock = prev.find((p) => p.type === 'door.locked' || p.type === 'door.unlocked');
      assert.ok(cause, `door.unlocked seq ${e.seq} has a cause`);
      assert.ok(!lastLock || lastLock.seq < cause.seq, `door.unlocked seq ${e.seq} follows its own cause`);
    }

    // SIGTERM: a clean exit, the pid file removed, the journal closed with system.stopped.
    proc.kill('SIGTERM');
    const { code, signal } = await Promise.race([
      exited,
      sleep(20_000).then(() => {
        throw new Error(`no exit after SIGTERM:\n${output}`);
      }),
    ]);
    assert.equal(signal, null);
    assert.equal(code, 0, output);
    assert.ok(!existsSync(join(dir, 'jurukunci.pid')), 'the pid file is removed on exit');

    const jdir = join(dir, 'journal');
    const verify = await run('npx', ['tsx', 'src/cli/main.ts', 'verify-journal', jdir]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /journal ok/);
    const lastLines = readdirSync(jdir)
      .sort()
      .map((f) => readFileSync(join(jdir, f), 'utf8'))
      .join('')
      .trim()
      .split('\n');
    assert.equal((JSON.parse(lastLines.at(-1)!) as Json).type, 'system.stopped');

    // Personal data never reached the console, nor the journal.
    assert.ok(output.length > 0);
    assert.ok(!output.includes(NIK), 'stdout/stderr hold the NIK');
    assert.ok(!output.includes(PHONE), 'stdout/stderr hold the phone number');
    const journalText = lastLines.join('\n');
    assert.ok(!journalText.includes(NIK), 'the journal holds the NIK');
    assert.ok(!journalText.includes(PHONE), 'the journal holds the phone number');
  });

  it('`jurukunci demo` exits 0', async () => {
    const r = await run('npx', ['tsx', 'src/cli/main.ts', 'demo']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Demo OK/);
    assert.doesNotMatch(r.stdout, /✘/);
  });
});
