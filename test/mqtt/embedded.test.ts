/**
 * The embedded broker (no URL configured), in its own supervised process: mosquitto_sub with the
 * dashboard login made at first start sees the door; only the door publishes its topics, operators
 * send signed requests; a broker process that dies is restarted; start failures leave nothing
 * running; the cursor file's problems show in health. ACL details: broker-acl.test.ts; crash and
 * flood against the real service: broker-process.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import type { DoorController } from '../../src/door/door-controller.js';
import { MqttModule } from '../../src/mqtt/mqtt-module.js';
import { Recorder, whenReady } from '../fixtures/mosquitto.js';
import { startRig, type TestRig } from '../fixtures/runtime.js';
import { until as waitUntil } from '../fixtures/wait.js';
import { OPERATOR_LIST, OPERATORS, signed } from './signing.js';

const ROOT = 'jurukunci/server-room';

const until = (check: () => boolean, what: string, ms = 15_000) => waitUntil(check, what, ms);

/** Connects without retrying; resolves with the client, or rejects with the broker's refusal. */
function dial(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

/**
 * Publishes at QoS 1: true when the broker drops the connection for it (MQTT 3.1.1 has no
 * negative PUBACK), false when it acknowledges it.
 */
async function publishIsRefused(c: MqttClient, topic: string, payload: string): Promise<boolean> {
  const outcome = await new Promise<boolean>((resolve) => {
    c.once('close', () => resolve(true));
    c.publish(topic, payload, { qos: 1 }, (err) => resolve(err !== undefined && err !== null));
  });
  c.end(true);
  return outcome;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The dashboard login the broker made at first start (<dataDir>/keys/mqtt-broker.json). */
function dashboardLogin(dataDir: string): { username: string; password: string } {
  return JSON.parse(readFileSync(join(dataDir, 'keys', 'mqtt-broker.json'), 'utf8')).dashboard;
}

function mosquittoSub(
  port: number,
  topic: string,
  count: number,
  login: { username: string; password: string },
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-u',
      login.username,
      '-P',
      login.password,
      '-t',
      topic,
      '-C',
      String(count),
      '-W',
      '15',
    ]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`mosquitto_sub exit ${code}`)),
    );
  });
}

describe('mqtt embedded broker', () => {
  let rig: TestRig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('runs in its own process when no URL is set, and mosquitto_sub with the dashboard login sees availability, state and events', async () => {
    rig = await startRig({ mqtt: { url: '', embedded: { host: '127.0.0.1', port: 0 } } });
    const mqtt = rig.rt.mqtt!;
    if (!mqtt.connected) await new Promise<void>((res) => mqtt.once('connect', () => res()));
    const port = Number(new URL(mqtt.url).port);
    assert.ok(port > 0);
    assert.ok(mqtt.embedded?.pid && mqtt.embedded.pid !== process.pid, 'another process');
    const login = dashboardLogin(rig.dir);
    await assert.rejects(mosquittoSub(port, 'jurukunci/#', 1, { username: 'x', password: 'y' }));
    const [availability] = await mosquittoSub(port, 'jurukunci/server-room/availability', 1, login);
    assert.equal(availability, 'online');
    const state = JSON.parse((await mosquittoSub(port, 'jurukunci/server-room/state', 1, login))[0]!);
    assert.equal(state.lock, 'locked');
    let done = false;
    const sub = mosquittoSub(port, 'jurukunci/server-room/events/access.denied', 1, login).finally(
      () => (done = true),
    );
    // Tap until mosquitto_sub (whose subscribe time we cannot see) has one: no fixed sleep.
    while (!done) {
      rig.rt.sim!.readers.get('entry')!.present('nfc', 'DEADBEEF');
      await new Promise((r) => setTimeout(r, 100));
    }
    const [event] = await sub;
    assert.equal(JSON.parse(event!).type, 'access.denied');
    assert.equal(rig.rt.health().modules.mqtt?.state, 'ok');
  });

  it('refuses commands with no operator to sign them when the config is loaded', () => {
    assert.throws(
      () =>
        loadConfig({
          env: {},
          overrides: { mqtt: { url: '', embedded: { port: 0 }, commands: { enabled: true } } },
        }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.errors.some((e) => /^mqtt\.commands\.enabled needs at least one operator/.test(e)),
    );
  });

  it('a certificate that cannot be read at start: mqtt down with the reason, door running', async () => {
    rig = await startRig({ mqtt: { url: 'mqtts://127.0.0.1:1', ca: '/nonexistent/jurukunci-ca.pem' } });
    const h = rig.rt.health();
    assert.equal(h.modules.mqtt?.state, 'down');
    assert.match(h.modules.mqtt?.detail ?? '', /mqtt\.ca cannot be read/);
    assert.equal(rig.rt.mqtt?.embedded, null, 'no broker left listening');
    assert.equal(h.ok, true);
    rig.rt.sim!.readers.get('entry')!.present('nfc', 'DEADBEEF');
    assert.equal(rig.rt.journal.read(0).at(-1)?.type, 'access.denied');
  });

  it('takes signed requests from an operator login, and nothing from the dashboard login', async () => {
    rig = await startRig({
      mqtt: {
        url: '',
        embedded: { host: '127.0.0.1', port: 0, username: 'dash', password: 'dash-secret-1' },
        commands: { enabled: true },
        operators: OPERATOR_LIST,
      },
    });
    const mqtt = rig.rt.mqtt!;
    await whenReady(mqtt);
    assert.equal(rig.rt.health().modules.mqtt?.state, 'ok');
    const url = mqtt.url;
    const rec = await Recorder.connect(url, [`${ROOT}/#`], { username: 'dash', password: 'dash-secret-1' });
    const op = { username: OPERATORS.kasi.id, password: OPERATORS.kasi.key };
    try {
      await rec.until(() => rec.on(`${ROOT}/state`).length > 0, 'retained state');
      const seq0 = rig.rt.journal.seq;
      await assert.rejects(dial(url), /[Nn]ot authorized/, 'no anonymous client');
      assert.equal(await publishIsRefused(rec.client, `${ROOT}/request/unlock`, '{}'), true, 'dashboard');
      await assert.rejects(dial(url, { ...op, clientId: 'jurukunci-server-room' }), /[Ii]dentifier rejected/);
      assert.equal(mqtt.connected, true, 'the door keeps its session');
      assert.equal(rig.rt.journal.seq, seq0, 'nothing journaled for refused publishes');

      const rec2 = await Recorder.connect(url, [`${ROOT}/response/#`], op);
      try {
        const req = signed('server-room', 'unlock', { transaction: 'u1' });
        await rec2.client.publishAsync(`${ROOT}/request/unlock`, JSON.stringify(req), { qos: 1 });
        await rec2.until(() => rec2.on(`${ROOT}/response/unlock`).length === 1, 'unlock response');
        const res = JSON.parse(rec2.on(`${ROOT}/response/unlock`)[0]!.payload);
        assert.equal(res.status, 'ok');
        assert.equal(res.transaction, 'u1');
        // The same request again: a replay, refused and journaled.
        await rec2.client.publishAsync(`${ROOT}/request/unlock`, JSON.stringify(req), { qos: 1 });
        await rec2.until(() => rec2.on(`${ROOT}/response/unlock`).length === 2, 'replay response');
        assert.equal(
          JSON.parse(rec2.on(`${ROOT}/response/unlock`)[1]!.payload).error.code,
          'command_replayed',
        );
      } finally {
        await rec2.close();
      }
      const types = rig.rt.journal.read(seq0).map((e) => e.type);
      assert.ok(types.indexOf('command.executed') < types.indexOf('access.granted'), types.join());
      assert.ok(types.includes('command.refused'), types.join());
    } finally {
      await rec.close();
    }
  });

  it('restarts a broker process that dies, on the same port, and says so in health', async () => {
    rig = await startRig({ mqtt: { url: '', embedded: { host: '127.0.0.1', port: 0 } } });
    const mqtt = rig.rt.mqtt!;
    await whenReady(mqtt);
    const pid = mqtt.embedded!.pid!;
    const url = mqtt.url;
    process.kill(pid, 'SIGKILL');
    await until(() => mqtt.embedded!.status().restarts === 1, 'restarted', 60_000);
    assert.notEqual(mqtt.embedded!.pid, pid);
    assert.equal(mqtt.url, url, 'same port');
    await until(() => mqtt.connected, 'the door connected again', 30_000);
    assert.match(rig.rt.health().modules.mqtt?.detail ?? '', /embedded broker pid \d+, 1 restart/);
  });

  it('shows a cursor file that cannot be written in health, keeps publishing, and recovers', async () => {
    rig = await startRig({ mqtt: { url: '', embedded: { host: '127.0.0.1', port: 0 } } });
    const mqtt = rig.rt.mqtt!;
    await whenReady(mqtt);
    await until(() => mqtt.backlog === 0, 'caught up');
    // The cursor's temp file name taken by a directory: each write fails as ENOSPC would.
    const blocker = join(rig.dir, `.mqtt-cursor.json.${process.pid}.tmp`);
    mkdirSync(blocker);
    rig.rt.sim!.readers.get('entry')!.present('nfc', 'DEADBEEF');
    await until(() => /cursor not saved/.test(rig!.rt.health().modules.mqtt?.detail ?? ''), 'cursor error');
    assert.equal(rig.rt.health().modules.mqtt?.state, 'degraded');
    assert.equal(rig.rt.health().ok, true);
    await until(() => mqtt.backlog === 0, 'still publishing');
    rmSync(blocker, { recursive: true });
    await until(() => rig!.rt.health().modules.mqtt?.state === 'ok', 'cursor saved again');
    const saved = JSON.parse(readFileSync(join(rig.dir, 'mqtt-cursor.json'), 'utf8'));
    assert.equal(saved.seq, mqtt.acknowledgedSeq);
  });
});

describe('mqtt module start', () => {
  let rig: TestRig;
  let dataDir: string;
  beforeEach(async () => {
    rig = await startRig();
    dataDir = mkdtempSync(join(tmpdir(), 'jk-mqtt-start-'));
  });
  afterEach(async () => {
    await rig.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const moduleWith = (door: DoorController) =>
    new MqttModule({
      config: loadConfig({ env: {}, overrides: { mqtt: { url: '', embedded: { port: 0 } } } }).mqtt,
      doorId: 'server-room',
      dataDir,
      journal: rig.rt.journal,
      door,
      clock: () => new Date(),
      logger: pino({ level: 'silent' }),
      version: 'test',
    });

  it('treats a corrupt cursor file as seq 0 and publishes everything again', async () => {
    writeFileSync(join(dataDir, 'mqtt-cursor.json'), '{"seq": 4');
    const m = moduleWith(rig.rt.door);
    await m.start();
    try {
      assert.ok(rig.rt.journal.durableSeq > 0);
      await until(() => m.acknowledgedSeq === rig.rt.journal.durableSeq, 'everything republished');
      assert.equal(m.health().state, 'ok');
    } finally {
      await m.stop();
    }
    const saved = JSON.parse(readFileSync(join(dataDir, 'mqtt-cursor.json'), 'utf8'));
    assert.equal(saved.seq, rig.rt.journal.durableSeq);
  });

  it('on a start failure, closes the embedded broker and ends the client it started', async () => {
    const real = rig.rt.door;
    const door = new Proxy(real, {
      get(target, key) {
        if (key === 'on') {
          return () => {
            throw new Error('injected start failure');
          };
        }
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const m = moduleWith(door);
    await assert.rejects(m.start(), /injected start failure/);
    const port = Number(new URL(m.url).port);
    assert.ok(port > 0);
    assert.equal(await portOpen(port), false, 'the embedded broker is closed');
    assert.equal(m.connected, false);
    assert.equal(m.embedded, null);
    assert.equal(m.health().state, 'stopped');
    await m.stop(); // nothing to do, and no throw
  });
});
