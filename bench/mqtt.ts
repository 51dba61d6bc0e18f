/**
 * MQTT figures (issue #3), against a local Mosquitto started for the bench:
 *  - throughput: the journal publisher (QoS 1, same client options as the service) against
 *    `mosquitto_pub -l -q 1` sending the very same messages — every payload the publisher sends,
 *    in the same order, so an access event counts as its two messages (events/<type> and the Home
 *    Assistant `access` topic) on both sides. Rounds are interleaved; medians are reported.
 *      publisher:      first publish → last PUBACK, client already connected, journal read from disk.
 *      mosquitto_pub:  spawn → exit with N lines, minus spawn → exit with 1 line (process start,
 *                      connect, disconnect), i.e. the same first publish → last PUBACK span.
 *    (target ≥ 1.0× mosquitto_pub, issue #12 §5)
 *  - drain: the real service process (`node --max-semi-space-size=2 --max-old-space-size=128 dist/cli/main.js start`, as
 *    npm start and systemd run it) started on a data dir holding 100,000 unpublished events;
 *    time from spawn until `mosquitto_sub` has received every one of the 100,000 ids (target < 20 s)
 *  - memory: that process's VmRSS from /proc, sampled every 50 ms over the drain (target < 150 MB)
 *  - taps while that backlog drains (issue #12 §5): tap latency p99 through the HTTP sim API with
 *    100,000 events draining to Mosquitto (target < 50 ms), baseline the same taps with no backlog
 *  - flood (issue #11): the real service with its default embedded broker (own process); a client
 *    with the dashboard login sends 100,000 retained 50-byte messages while taps go through the sim
 *    API: tap latency p99 during the flood (target < 500 ms), door VmRSS (target < 150 MB), and
 *    whether both processes stayed up (target 1)
 *
 * Expects dist/ built (bench/run.ts builds it; run on its own, this file builds it first).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect } from 'mqtt';
import { pino } from 'pino';
import { batchClientWrites } from '../src/mqtt/batched-writes.js';
import { throughputClientOptions } from '../src/mqtt/mqtt-module.js';
import { EventPublisher, messagesFor } from '../src/mqtt/publisher.js';
import { Topics } from '../src/mqtt/topics.js';
import { CursorFile } from '../src/store/cursor.js';
import { Journal } from '../src/store/journal.js';
import { freePort, Mosquitto } from '../test/fixtures/mosquitto.js';
import { type Figure, pct } from './figures.js';

const DOOR = 'server-room';
const SEGMENT_BYTES = 16 << 20; // the config default (journal.maxFileBytes)
const QOS1 = { qos: 1 } as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Mosquitto and its clients, installed (saying so) when missing; nothing is installed silently. */
function ensureMosquitto(log: (s: string) => void): void {
  if (onPath('mosquitto') && onPath('mosquitto_pub') && onPath('mosquitto_sub')) return;
  log(
    'mosquitto or mosquitto-clients is missing; `scripts/ensure-system-packages.sh mosquitto mosquitto-clients` installs them — running it now',
  );
  execFileSync('bash', ['scripts/ensure-system-packages.sh', 'mosquitto', 'mosquitto-clients'], {
    stdio: 'inherit',
  });
}

/** A journal of `n` access.denied events (two messages each), bulk-written without fsync. */
function buildJournal(dir: string, n: number): Journal {
  const journal = new Journal({ dir, door: DOOR, maxFileBytes: SEGMENT_BYTES, fsync: false });
  journal.start();
  for (let i = 0; i < n; i++) {
    journal.append({
      type: 'access.denied',
      data: {
        reader: 'entry',
        direction: 'entry',
        credential: 'nfc',
        uid: '…BEEF',
        reason: 'unknown_credential',
      },
    });
  }
  return journal;
}

/** The publisher from its cursor to the journal head: seconds from first publish to last PUBACK. */
/** The built service as `npm start` runs it (same V8 flags), on `data`, publishing to `brokerUrl`. */
function spawnService(data: string, port: number, brokerUrl: string) {
  return spawn(
    process.execPath,
    ['--max-semi-space-size=2', '--max-old-space-size=128', 'dist/cli/main.js', 'start'],
    {
      env: {
        ...process.env,
        JURUKUNCI_DATA_DIR: data,
        JURUKUNCI_HTTP__PORT: String(port),
        JURUKUNCI_MQTT__URL: brokerUrl,
        JURUKUNCI_LOG__LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

async function publisherRun(journal: Journal, dir: string, url: string, round: number): Promise<number> {
  const client = connect(url, {
    clientId: `bench-publisher-${round}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
    keepalive: 30,
    ...throughputClientOptions(),
  });
  batchClientWrites(client); // as the service's client does (mqtt-module.ts)
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  let lastAck = 0;
  const cursor = new CursorFile(dir, 200, `cursor-${round}.json`);
  const publisher = new EventPublisher({
    journal,
    cursor,
    topics: new Topics('bench', DOOR),
    logger: pino({ level: 'silent' }),
    sink: {
      get connected() {
        return client.connected;
      },
      publishQos1: (t, p, done) =>
        client.publish(t, p, QOS1, (err) => {
          lastAck = performance.now();
          done(err);
        }),
    },
  });
  const target = journal.seq;
  const t0 = performance.now();
  publisher.start();
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (publisher.acknowledgedSeq >= target) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  publisher.stop();
  await client.endAsync();
  return (lastAck - t0) / 1000;
}

/** `mosquitto_pub -l -q 1` over `input`: seconds from spawn to exit (it exits after the last PUBACK). */
function mosquittoPub(port: number, topic: string, input: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-q', '1', '-l'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve((performance.now() - t0) / 1000)
        : reject(new Error(`mosquitto_pub exit ${code}: ${err}`)),
    );
    p.stdin.end(input);
  });
}

async function throughput(
  broker: Mosquitto,
  dir: string,
  events: number,
  rounds: number,
  log: (s: string) => void,
): Promise<Figure[]> {
  // At most 32,000 events (64,000 messages): mosquitto_pub stops waiting for PUBACKs once the
  // message id of its last publish is acknowledged, and past 65,535 messages ids wrap, so it
  // would exit early and look faster than it is.
  const journal = buildJournal(join(dir, 'journal'), events);
  const topics = new Topics('bench', DOOR);
  // Exactly what the publisher sends: every message of every event, in order, one per line.
  const payloads = journal
    .read(0, events)
    .flatMap((e) => messagesFor(e, topics, 1 << 20).map((m) => m.payload));
  const messages = payloads.length;
  const bytes = payloads.reduce((n, p) => n + Buffer.byteLength(p), 0);
  const input = `${payloads.join('\n')}\n`;
  const pubTopic = topics.event('access.denied');
  log(
    `throughput: ${events} events = ${messages} QoS 1 messages, ${(bytes / 2 ** 20).toFixed(1)} MB of payload, same bytes both sides; ${rounds} interleaved rounds`,
  );
  const pub: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const overhead = median([
      await mosquittoPub(broker.port, pubTopic, `${payloads[0]}\n`),
      await mosquittoPub(broker.port, pubTopic, `${payloads[0]}\n`),
      await mosquittoPub(broker.port, pubTopic, `${payloads[0]}\n`),
    ]);
    const whole = await mosquittoPub(broker.port, pubTopic, input);
    pub.push(messages / (whole - overhead));
    ours.push(messages / (await publisherRun(journal, dir, broker.url, r)));
    log(
      `  round ${r + 1}: publisher ${ours[r]!.toFixed(0)} msg/s, mosquitto_pub ${pub[r]!.toFixed(0)} msg/s (its 1-line run: ${(overhead * 1000).toFixed(0)} ms)`,
    );
  }
  journal.stop();
  const p = median(ours);
  const m = median(pub);
  // Each round's two sides ran back to back, so the ratio is taken per round (paired), then the median.
  const ratios = ours.map((o, i) => o / pub[i]!);
  const ratio = median(ratios);
  log(
    '  publisher: first publish → last PUBACK, connected, journal read from its files; service client options',
  );
  log(
    '  mosquitto_pub -l -q 1 (default -M 20): spawn → exit minus a 1-line spawn → exit; one topic for all lines; it polls for its last PUBACK every 100 ms (±100 ms)',
  );
  return [
    {
      name: 'publisher, QoS 1 (first publish → last PUBACK)',
      value: p,
      unit: 'msg/s',
      target: `— (${(p / 2).toFixed(0)} events/s)`,
      ok: true,
    },
    {
      name: 'mosquitto_pub -l -q 1, the same messages',
      value: m,
      unit: 'msg/s',
      target: '—',
      ok: true,
    },
    {
      name: `publisher / mosquitto_pub (median of ${rounds})`,
      value: ratio,
      unit: '×',
      target: `≥ 1.0 (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
      ok: ratio >= 1.0,
    },
  ];
}

/** The real service draining `events` backlog events; RSS sampled from /proc every 50 ms. */
async function drain(
  broker: Mosquitto,
  dir: string,
  events: number,
  log: (s: string) => void,
): Promise<Figure[]> {
  const data = join(dir, 'service');
  const journal = buildJournal(join(data, 'journal'), events);
  const want = new Set(journal.read(0, events).map((e) => e.id));
  journal.stop();

  // The subscriber: mosquitto_sub (C, flushes per message), so counting costs the bench little.
  const sub = spawn(
    'mosquitto_sub',
    ['-h', '127.0.0.1', '-p', String(broker.port), '-q', '1', '-t', `jurukunci/${DOOR}/events/#`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const received = new Set<string>();
  let tail = '';
  let allIn: (() => void) | null = null;
  sub.stdout.on('data', (d: Buffer) => {
    const lines = (tail + d.toString()).split('\n');
    tail = lines.pop() ?? '';
    for (const line of lines) {
      const id = /^\{"id":"([^"]+)"/.exec(line)?.[1];
      if (id && want.has(id)) received.add(id);
    }
    if (received.size === want.size) allIn?.();
  });
  await new Promise((r) => setTimeout(r, 300)); // let it subscribe

  const port = await freePort();
  let service: ChildProcess | null = null;
  let sampler: NodeJS.Timeout | null = null;
  try {
    const t0 = performance.now();
    service = spawnService(data, port, broker.url);
    const pid = service.pid!;
    let out = '';
    let connectedAt = 0;
    service.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!connectedAt && out.includes('"msg":"mqtt connected"')) connectedAt = performance.now();
    });
    service.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const rss: number[] = [];
    const sample = () => {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
        if (kb) rss.push(kb / 1024);
      } catch {
        // exited: the exit handler below reports it
      }
    };
    sampler = setInterval(sample, 50);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`drain not done in 120 s (${received.size}/${want.size}):\n${out.slice(-2000)}`)),
        120_000,
      );
      allIn = () => {
        clearTimeout(timer);
        resolve();
      };
      service!.once('exit', (code) => reject(new Error(`service exited ${code}:\n${out.slice(-2000)}`)));
    });
    const done = performance.now();
    sample();
    const seconds = (done - t0) / 1000;
    const peak = Math.max(...rss);
    log(
      `drain: ${events} events (${(events * 2).toLocaleString('en')} messages) from the real service; mqtt connected ${((connectedAt - t0) / 1000).toFixed(2)} s after spawn, then ${((done - connectedAt) / 1000).toFixed(2)} s to the last id; ${rss.length} RSS samples`,
    );
    return [
      {
        name: `drain ${events.toLocaleString('en')} events (spawn → last id received)`,
        value: seconds,
        unit: 's',
        target: '< 20 s',
        ok: seconds < 20,
      },
      {
        name: 'service peak RSS during the drain (/proc, 50 ms)',
        value: peak,
        unit: 'MB',
        target: '< 150 MB',
        ok: peak < 150,
      },
    ];
  } finally {
    if (sampler) clearInterval(sampler);
    if (service && service.exitCode === null) {
      const s = service;
      await new Promise((r) => {
        s.once('exit', r);
        s.kill('SIGTERM');
      });
    }
    sub.kill('SIGTERM');
  }
}

/**
 * Tap latency while a backlog drains (issue #12 §5): the real service on a data dir holding
 * `events` unpublished events, connected to the bench Mosquitto; taps through the HTTP sim API
 * (a denied tap: journal append with fsync, then the reply) while the health detail still shows a
 * backlog, then the same number of taps once it is drained, as the baseline (same process, same run).
 * Target p99 < 50 ms.
 */
async function tapsDuringDrain(
  broker: Mosquitto,
  dir: string,
  events: number,
  log: (s: string) => void,
): Promise<Figure[]> {
  const data = join(dir, 'taps');
  buildJournal(join(data, 'journal'), events).stop();
  const port = await freePort();
  const svc = spawnService(data, port, broker.url);
  let out = '';
  svc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  svc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  try {
    for (let i = 0; i < 1200 && !/jurukunci ready/.test(out); i++)
      await new Promise((r) => setTimeout(r, 25));
    const setupToken = /with token: (\S+)/.exec(out)?.[1];
    if (!setupToken) throw new Error(`taps: service not ready: ${out.slice(-2000)}`);
    await call('POST', '/api/setup', {
      token: setupToken,
      username: 'kasi',
      displayName: 'K',
      password: 'kasi-password-1',
      escort: false,
    });
    const token = (await call('POST', '/api/auth/login', { username: 'kasi', password: 'kasi-password-1' }))
      .json.token as string;
    const backlog = async () => {
      const h = await call('GET', '/healthz', undefined, token);
      const m = /backlog (\d+) event/.exec(JSON.stringify(h.json));
      return m ? Number(m[1]) : Number.NaN;
    };
    const tap = async () => {
      const t0 = performance.now();
      const r = await call('POST', '/api/sim/tap', { reader: 'entry', uid: 'DEADBEEF' }, token);
      if (r.status !== 200) throw new Error(`tap answered ${r.status}`);
      return performance.now() - t0;
    };
    const during: number[] = [];
    const startBacklog = await backlog();
    let left = startBacklog;
    while (left > 0) {
      for (let i = 0; i < 20; i++) during.push(await tap());
      left = await backlog();
    }
    // Drained: the same number of taps as the baseline.
    const idle: number[] = [];
    for (let i = 0; i < Math.max(during.length, 200); i++) idle.push(await tap());
    during.sort((a, b) => a - b);
    idle.sort((a, b) => a - b);
    log(
      `taps during a drain: backlog ${startBacklog} events when the taps began, ${during.length} taps until it was 0 (p50 ${pct(during, 50).toFixed(1)} ms), then ${idle.length} with no backlog (p50 ${pct(idle, 50).toFixed(1)} ms)`,
    );
    return [
      {
        name: `tap latency p99 while ${events.toLocaleString('en')} events drain (HTTP sim tap)`,
        value: pct(during, 99),
        unit: 'ms',
        target: '< 50 ms',
        ok: during.length > 0 && pct(during, 99) < 50,
        baseline: { name: 'same taps, no backlog', value: pct(idle, 99) },
      },
    ];
  } finally {
    if (svc.exitCode === null) {
      await new Promise((r) => {
        svc.once('exit', r);
        svc.kill('SIGTERM');
      });
    }
  }
}

const rssMb = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

/** A retained flood against the default embedded broker while taps are decided (issue #11). */
async function flood(dir: string, log: (s: string) => void): Promise<Figure[]> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const data = join(dir, 'flood');
  const configFile = join(dir, 'flood-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      version: 1,
      dataDir: data,
      http: { host: '127.0.0.1', port: httpPort },
      mqtt: { embedded: { host: '127.0.0.1', port: mqttPort } },
      log: { level: 'warn' },
    }),
  );
  const svc = spawn(
    process.execPath,
    [
      '--max-semi-space-size=2',
      '--max-old-space-size=128',
      'dist/cli/main.js',
      'start',
      '--config',
      configFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  svc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  svc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const api = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  try {
    for (let i = 0; i < 1200 && !/jurukunci ready/.test(out); i++)
      await new Promise((r) => setTimeout(r, 50));
    const login = /username: (\S+)\s+password: (\S+)/.exec(out);
    const setupToken = /with token: (\S+)/.exec(out)?.[1];
    if (!login || !setupToken) throw new Error(`flood: service not ready: ${out}`);
    await api('/api/setup', {
      token: setupToken,
      username: 'kasi',
      displayName: 'K',
      password: 'kasi-password-1',
      escort: false,
    });
    const token = (await api('/api/auth/login', { username: 'kasi', password: 'kasi-password-1' })).json
      .token as string;
    const brokerPid = (JSON.parse(readFileSync(join(data, 'mqtt-broker.pid'), 'utf8')) as { pid: number })
      .pid;
    let stop = false;
    const lat: number[] = [];
    let maxRss = 0;
    let failedTaps = 0;
    const taps = (async () => {
      while (!stop) {
        const t0 = performance.now();
        const r = await api('/api/sim/tap', { reader: 'entry', uid: 'DEADBEEF' }, token).catch(() => null);
        lat.push(performance.now() - t0);
        if (r?.status !== 200) failedTaps++;
        maxRss = Math.max(maxRss, rssMb(svc.pid!));
      }
    })();
    let sent = 0;
    let connections = 0;
    const t0 = performance.now();
    while (sent < 100_000) {
      const c = connect(`mqtt://127.0.0.1:${mqttPort}`, {
        username: login[1]!,
        password: login[2]!,
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      const ok = await new Promise<boolean>((r) => {
        c.once('connect', () => r(true));
        c.once('error', () => r(false));
      });
      if (!ok) break;
      connections++;
      for (let i = 0; i < 5000 && sent < 100_000; i++)
        c.publish(`flood/${sent++}`, 'x'.repeat(50), { qos: 0, retain: true });
      await new Promise<void>((r) => (c.connected ? c.once('close', () => r()) : r()));
      c.end(true);
    }
    const floodMs = performance.now() - t0;
    stop = true;
    await taps;
    lat.sort((a, b) => a - b);
    const up = svc.exitCode === null && rssMb(brokerPid) > 0 ? 1 : 0;
    log(
      `flood: ${sent} retained publishes in ${floodMs.toFixed(0)} ms over ${connections} connections (each closed at its first refused publish); ${lat.length} taps (${failedTaps} failed), p50 ${pct(lat, 50).toFixed(1)} ms; broker VmRSS ${rssMb(brokerPid).toFixed(1)} MB`,
    );
    return [
      {
        name: 'flood: tap latency p99',
        value: pct(lat, 99),
        unit: 'ms',
        target: '< 500',
        ok: pct(lat, 99) < 500 && failedTaps === 0,
      },
      { name: 'flood: door VmRSS max', value: maxRss, unit: 'MB', target: '< 150', ok: maxRss < 150 },
      { name: 'flood: door and broker up', value: up, unit: '', target: '1', ok: up === 1 },
    ];
  } finally {
    svc.kill('SIGTERM');
    await new Promise((r) => (svc.exitCode !== null ? r(null) : svc.once('exit', r)));
  }
}

export async function runMqttBench(
  log: (s: string) => void = (s) => process.stdout.write(`  · ${s}\n`),
  opts: {
    events?: number;
    throughputEvents?: number;
    rounds?: number;
    only?: 'flood' | 'throughput';
  } = {},
): Promise<Figure[]> {
  ensureMosquitto(log);
  if (opts.only === 'flood') {
    const d = mkdtempSync(join(tmpdir(), 'jk-bench-flood-'));
    try {
      return await flood(d, log);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'jk-bench-mqtt-'));
  // Mosquitto drops QoS 1 messages for a subscriber more than 1,000 behind (max_queued_messages):
  // the drain's subscriber must see every id, so the bench broker queues without limit.
  const broker = new Mosquitto({ extraConfig: ['max_queued_messages 0'] });
  try {
    await broker.start();
    const figures = await throughput(
      broker,
      dir,
      Math.min(opts.throughputEvents ?? 32_000, 32_000),
      opts.rounds ?? 3,
      log,
    );
    if (opts.only === 'throughput') return figures;
    figures.push(...(await drain(broker, dir, opts.events ?? 100_000, log)));
    figures.push(...(await tapsDuringDrain(broker, dir, opts.events ?? 100_000, log)));
    figures.push(...(await flood(dir, log)));
    return figures;
  } finally {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // --flood or --throughput runs that part alone (while working on it); --rounds N.
  const only = process.argv.includes('--flood')
    ? ('flood' as const)
    : process.argv.includes('--throughput')
      ? ('throughput' as const)
      : undefined;
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : undefined;
  for (const f of await runMqttBench(undefined, {
    ...(only ? { only } : {}),
    ...(rounds ? { rounds } : {}),
  })) {
    process.stdout.write(
      `  ${f.ok ? 'PASS' : 'MISS'}  ${f.name.padEnd(50)} ${f.value.toFixed(f.value >= 100 ? 0 : 2)} ${f.unit}   target ${f.target}\n`,
    );
  }
}
