/**
 * `jurukunci demo`: the whole procedure on simulated hardware, in a fresh temp data dir, driven
 * through the real HTTP API. Each step prints what it did and what came back; exit 0 only if
 * every step behaved as the SOP says it should.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runtime } from '../app.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../logger.js';
import { verifyJournal } from '../store/journal-verify.js';

// biome-ignore lint/suspicious/noExplicitAny: the demo reads loosely typed API JSON
type Json = Record<string, any>;

class Step {
  failures = 0;
  n = 0;
  check(ok: boolean, title: string, detail = ''): void {
    this.n++;
    if (!ok) this.failures++;
    process.stdout.write(
      `${ok ? '  ✔' : '  ✘'} ${String(this.n).padStart(2)}. ${title}${detail ? `  — ${detail}` : ''}\n`,
    );
  }
}

export async function runDemo(opts: { keep?: boolean } = {}): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'jurukunci-demo-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0 },
      access: { escortWindowSeconds: 1 },
      door: { unlockSeconds: 1 },
      log: { level: 'warn' },
      // Its own broker on a free port: the demo must not depend on 1883 being free.
      mqtt: { url: '', embedded: { host: '127.0.0.1', port: 0 } },
    },
  });
  let token = '';
  const rt = new Runtime({ config, logger: createLogger('warn'), announceSetupToken: (t) => (token = t) });
  const s = new Step();
  process.stdout.write(`jurukunci demo — data in ${dir}\n`);
  await rt.start();
  const base = rt.address() as string;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    auth?: string,
  ): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        'accept-language': 'id',
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const login = async (username: string, password: string) =>
    (await call('POST', '/api/auth/login', { username, password })).json.token as string;

  try {
    // People: the Head of Section (superadmin), an escort, and a desk admin.
    let r = await call('POST', '/api/setup', {
      token,
      username: 'kasi',
      displayName: 'Kepala Seksi TI',
      password: 'rahasia-kasi-1',
      escort: false,
    });
    s.check(r.status === 201, 'first superadmin created with the one-time setup token', 'kasi');
    const kasi = await login('kasi', 'rahasia-kasi-1');
    r = await call(
      'POST',
      '/api/users',
      {
        username: 'budi',
        displayName: 'Budi (pendamping)',
        role: 'admin',
        escort: true,
        password: 'rahasia-budi-1',
      },
      kasi,
    );
    const budiId = r.json.user?.id as string;
    await call(
      'POST',
      '/api/users',
      {
        username: 'sari',
        displayName: 'Sari (admin)',
        role: 'admin',
        escort: false,
        password: 'rahasia-sari-1',
      },
      kasi,
    );
    const sari = await login('sari', 'rahasia-sari-1');
    await call(
      'POST',
      '/api/badges',
      { uid: '04A1B2C3D4E5F6', label: 'Budi', kind: 'staff', userId: budiId },
      kasi,
    );
    r = await call('POST', '/api/badges', { uid: 'A1B2C3D4', label: 'TAMU-01', kind: 'visitor' }, sari);
    const visitorBadge = r.json.badge?.id as string;
    s.check(
      !!budiId && !!visitorBadge,
      'escort Budi has a staff badge; visitor badge TAMU-01 is in the pool',
    );

    // SOP 1: the request, with the KTP handed over.
    const now = Date.now();
    r = await call(
      'POST',
      '/api/visits',
      {
        visitor: {
          name: 'Andi Pratama',
          nik: '3319014507900003',
          organisation: 'PT Jaringan Muria',
          phone: '081234567890',
        },
        purpose: 'Ganti disk server aplikasi SIMPEG',
        window: {
          start: new Date(now - 60_000).toISOString(),
          end: new Date(now + 2 * 3600_000).toISOString(),
        },
        letterNumber: '005/123/2026',
        ticketRef: 'HD-2026-0042',
        devicesIn: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
      },
      sari,
    );
    const visitId = r.json.visit?.id as string;
    s.check(
      r.status === 201 && r.json.visit.state === 'submitted',
      'SOP 1 — request submitted',
      `${visitId}, NIK shown as ${r.json.visit?.visitor?.nikMasked}`,
    );

    // SOP 2: the admin checks the form and holds the KTP.
    r = await call(
      'POST',
      `/api/visits/${visitId}/verify`,
      { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
      sari,
    );
    s.check(
      r.json.visit?.state === 'verified',
      'SOP 2 — form complete, NIK checked, KTP held',
      r.json.visit?.state,
    );

    // SOP 3: the Head of Section approves.
    r = await call('POST', `/api/visits/${visitId}/approve`, { reason: 'Pemeliharaan terjadwal' }, sari);
    s.check(r.status === 403, 'an admin cannot approve', `${r.status} ${r.json.error?.code}`);
    r = await call('POST', `/api/visits/${visitId}/approve`, { reason: 'Pemeliharaan terjadwal' }, kasi);
    s.check(
      r.json.visit?.state === 'approved',
      'SOP 3 — approved by the Head of Section',
      r.json.visit?.state,
    );

    r = await call(
      'POST',
      `/api/visits/${visitId}/issue-badge`,
      { badgeId: visitorBadge, escortIds: [budiId] },
      sari,
    );
    s.check(
      r.json.visit?.state === 'badge_issued',
      'SOP 3 — badge TAMU-01 issued, Budi assigned as escort',
      r.json.visit?.state,
    );

    // SOP 4 at the door: never alone.
    r = await call('POST', '/api/sim/tap', { reader: 'entry', uid: 'A1B2C3D4' }, sari);
    s.check(
      r.json.result?.outcome === 'pending',
      'visitor taps alone — the door waits for the escort',
      r.json.result?.outcome,
    );
    await sleep(1300);
    const denied = rt.journal.read(0, 10_000).filter((e) => e.type === 'access.denied');
    s.check(
      denied.at(-1)?.data.reason === 'escort_required',
      'no escort within the window — denied',
      String(denied.at(-1)?.data.reason),
    );
    s.check(r.json.door?.lock === 'locked', 'the lock stayed shut', r.json.door?.lock);

    r = await call('POST', '/api/sim/tap', { reader: 'entry', uid: 'A1B2C3D4' }, sari);
    const r2 = await call('POST', '/api/sim/tap', { reader: 'entry', uid: '04:a1:b2:c3:d4:e5:f6' }, sari);
    const admits = (r2.json.result?.admits ?? []) as Json[];
    s.check(
      r2.json.result?.outcome === 'grant' && admits.length === 2,
      'visitor then escort within the window — one unlock admits both',
      admits.map((a) => a.name).join(' + '),
    );
    await call('POST', '/api/sim/door', { open: true }, sari);
    await call('POST', '/api/sim/door', { open: false }, sari);
    r = await call('GET', '/api/door', undefined, sari);
    s.check(
      r.json.door?.inside?.length === 2 && r.json.door?.lock === 'locked',
      'both inside; the lock shut as the door closed',
      `${r.json.door?.inside?.length} inside`,
    );
    r = await call('GET', `/api/visits/${visitId}`, undefined, sari);
    s.check(r.json.visit?.state === 'in_progress', 'the visit is in progress', r.json.visit?.state);

    // Leaving: both through the exit reader.
    await call('POST', '/api/sim/tap', { reader: 'exit', uid: 'A1B2C3D4' }, sari);
    await call('POST', '/api/sim/tap', { reader: 'exit', uid: '04A1B2C3D4E5F6' }, sari);
    r = await call('GET', '/api/door', undefined, sari);
    s.check(
      r.json.door?.inside?.length === 0,
      'both left through the exit reader',
      `${r.json.door?.inside?.length} inside`,
    );

    // SOP 5: devices and serials, exit time, badge back for the KTP.
    r = await call(
      'POST',
      `/api/visits/${visitId}/check-out`,
      {
        devicesOut: [{ type: 'laptop', model: 'ThinkPad T14', serial: 'PF3ABC12' }],
        badgeReturned: true,
        ktpReturned: true,
      },
      sari,
    );
    s.check(
      r.json.visit?.state === 'checked_out',
      'SOP 5 — checked out: laptop PF3ABC12 out, badge returned, KTP returned',
      r.json.visit?.state,
    );
    r = await call('POST', `/api/visits/${visitId}/close`, {}, sari);
    s.check(r.json.visit?.state === 'closed', 'visit closed', r.json.visit?.state);
    r = await call('POST', '/api/sim/tap', { reader: 'entry', uid: 'A1B2C3D4' }, sari);
    s.check(
      r.json.result?.reason === 'badge_inactive',
      'the returned badge no longer opens the door',
      r.json.result?.reason,
    );

    const sla = await call('GET', '/api/reports/sla', undefined, sari);
    s.check(
      sla.json.count === 1,
      'SLA report',
      `submit→verify ${sla.json.submitToVerify?.maxSeconds}s, verify→decision ${sla.json.verifyToDecision?.maxSeconds}s`,
    );
  } finally {
    await rt.stop();
  }
  const v = verifyJournal(join(dir, 'journal'));
  s.check(v.ok, 'journal hash chain verified', `${v.events} events`);
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    s.failures === 0
      ? `\nDemo OK: ${s.n} steps behaved.\n`
      : `\nDemo FAILED: ${s.failures} of ${s.n} steps misbehaved.\n`,
  );
  return s.failures === 0 ? 0 : 1;
}
