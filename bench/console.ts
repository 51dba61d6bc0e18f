/**
 * Console figures (issue #8): the desk page's first load with every asset it pulls, gzipped
 * (target < 100 KB); the server's render of a register page over 10,000 visits, p99 through the
 * whole fastify stack (target < 20 ms); the resident memory of the service with 5 live door
 * streams open (target < 100 MB). A whole service in a temp dir with simulated hardware.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { Runtime } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import type { Visit } from '../src/domain/types.js';
import { createLogger } from '../src/logger.js';
import { type Figure, pct } from './figures.js';

const VISITS = 10_000;
const RENDERS = 300;
const STREAMS = 5;

function fakeVisit(i: number, now: Date): Visit {
  const start = new Date(now.getTime() - (i % 365) * 86_400_000);
  const at = start.toISOString();
  return {
    id: `KNJ-${at.slice(0, 10).replace(/-/g, '')}-${i.toString(16).toUpperCase().padStart(6, '0')}`,
    state: 'closed',
    visitor: {
      name: `Pengunjung ${i}`,
      nik: '3319014507900003',
      organisation: `PT Mitra ${i % 50}`,
      phone: '081234567890',
    },
    purpose: 'Pemeliharaan server',
    window: { start: at, end: new Date(start.getTime() + 2 * 3600_000).toISOString() },
    letterNumber: `005/${i}/2026`,
    ticketRef: null,
    devicesIn: [{ type: 'laptop', model: 'ThinkPad', serial: `SN${i}` }],
    devicesOut: [{ type: 'laptop', model: 'ThinkPad', serial: `SN${i}` }],
    badgeId: null,
    escortIds: [],
    verification: null,
    decision: null,
    firstEntryAt: at,
    checkOut: null,
    history: [],
    createdAt: at,
    updatedAt: at,
  };
}

export async function benchConsole(log: (s: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'jk-bench-console-'));
  const now = new Date();
  let setupToken = '';
  const rt = new Runtime({
    config: loadConfig({
      env: {},
      overrides: {
        dataDir: dir,
        log: { level: 'silent' },
        mqtt: { enabled: false },
        http: { host: '127.0.0.1', port: 0 },
      },
    }),
    logger: createLogger('silent'),
    clock: () => now,
    announceSetupToken: (t) => (setupToken = t),
  });
  await rt.start();
  try {
    const app = rt.http!;
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const setup = await app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: {
        token: setupToken,
        username: 'kasi',
        displayName: 'Kasi',
        password: 'bench-password-1',
        escort: true,
      },
    });
    if (setup.statusCode !== 201) throw new Error(`setup: ${setup.body}`);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'kasi', password: 'bench-password-1' },
    });
    const cookie = `jk_session=${login.json().token as string}`;

    // 1. The desk page and everything it loads, gzipped as a compressing proxy would send it.
    const desk = await app.inject({ method: 'GET', url: '/console/queue', headers: { cookie } });
    const assets = [...desk.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    let gz = gzipSync(desk.body).length;
    let raw = desk.body.length;
    for (const a of assets) {
      const r = await app.inject({ method: 'GET', url: a });
      raw += r.rawPayload.length;
      gz += gzipSync(r.rawPayload).length;
    }
    log(`desk page + ${assets.length} assets: ${(raw / 1024).toFixed(1)} KB raw`);

    // 2. Memory with five live door streams, each having received its first fragment (before the
    // 10,000 visits below are loaded: the figure is the service's, not the register's).
    const before = process.memoryUsage().rss / 1024 / 1024;
    const streams = await Promise.all(
      Array.from(
        { length: STREAMS },
        () =>
          new Promise<() => void>((resolve, reject) => {
            const req = get(`${base}/console/door/stream`, { headers: { cookie } }, (res) => {
              res.once('data', () => resolve(() => req.destroy()));
            });
            req.on('error', reject);
          }),
      ),
    );
    rt.sim?.doorContact.set(true);
    rt.sim?.doorContact.set(false);
    await new Promise((r) => setTimeout(r, 200));
    const rss = process.memoryUsage().rss / 1024 / 1024;
    for (const close of streams) close();
    log(
      `resident memory: ${before.toFixed(1)} MB before the streams, ${rss.toFixed(1)} MB with them (tsx process)`,
    );

    // 3. A register page over 10,000 visits.
    await rt.store.commit({ visits: Array.from({ length: VISITS }, (_, i) => fakeVisit(i, now)) });
    const times: number[] = [];
    for (let i = 0; i < RENDERS + 30; i++) {
      const t0 = performance.now();
      const r = await app.inject({
        method: 'GET',
        url: `/console/register?page=${(i % 200) + 1}`,
        headers: { cookie },
      });
      const ms = performance.now() - t0;
      if (r.statusCode !== 200) throw new Error(`register: ${r.statusCode}`);
      if (i >= 30) times.push(ms); // after a warm-up
    }
    times.sort((a, b) => a - b);
    log(`register page over ${VISITS} visits: p50 ${pct(times, 50).toFixed(2)} ms`);

    return [
      {
        name: 'desk page first load, all assets, gzip',
        value: gz / 1024,
        unit: 'KB',
        target: '< 100 KB',
        ok: gz < 100 * 1024,
      },
      {
        name: `register page render p99 (${VISITS} visits)`,
        value: pct(times, 99),
        unit: 'ms',
        target: '< 20 ms',
        ok: pct(times, 99) < 20,
      },
      {
        name: `resident memory, ${STREAMS} SSE clients`,
        value: rss,
        unit: 'MB',
        target: '< 100 MB',
        ok: rss < 100,
      },
    ];
  } finally {
    await rt.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
