/**
 * The embedded broker (no URL configured) serves mosquitto_sub with no other setup; only the door
 * publishes its topics, only authenticated clients send requests; start failures leave nothing
 * running; the cursor file's problems show in health.
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

const ROOT = 'jurukunci/server-room';

function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

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

function mosquittoSub(port: number, topic: string, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
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

  it('runs in-process when no URL is set, and mosquitto_sub sees availability, state and events', async () => {
    rig = await startRig({ mqtt: { url: '', embedded: { host: '127.0.0.1', port: 0 } } });
    const mqtt = rig.rt.mqtt!;
    if (!mqtt.connected) await new Promise<void>((res) => mqtt.once('connect', () => res()));
    const port = Number(new URL(mqtt.url).port);
    assert.ok(port > 0);
    const [availability] = await mosquittoSub(port, 'jurukunci/server-room/availability', 1);
    assert.equal(availability, 'online');
    const state = JSON.parse((await mosquittoSub(port, 'jurukunci/server-room/state', 1))[0]!);
    assert.equal(state.lock, 'locked');
    let done = false;
    const sub = mosquittoSub(port, 'jurukunci/server-room/events/access.denied', 1).finally(
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

  it('refuses commands with the embedded broker and no credentials when the config is loaded', () => {
    assert.throws(
      () =>
        loadConfig({
          env: {},
          overrides: { mqtt: { url: '', embedded: { port: 0 }, commands: { enabled: true } } },
        }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.errors.some((e) => /^mqtt\.commands\.enabled needs credentials/.test(e)),
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

  it('lets only authenticated clients send requests, and only the door publish its own topics', async () => {
    rig = await startRig({
      mqtt: {
        url: '',
        embedded: { host: '127.0.0.1', port: 0, username: 'dash', password: 'dash-secret-1' },
        commands: { enabled: true },
      },
    });
    const mqtt = rig.rt.mqtt!;
    await whenReady(mqtt);
    assert.equal(rig.rt.health().modules.mqtt?.state, 'ok');
    const url = mqtt.url;
    const user = { username: 'dash', password: 'dash-secret-1' };
    const rec = await Recorder.connect(url, [`${ROOT}/#`], user);
    try {
      await rec.until(() => rec.on(`${ROOT}/state`).length > 0, 'retained state');
      const seq0 = rig.rt.journal.seq;

      // Anonymous: may subscribe, may not send a request (dropped, nothing answered or done).
      const anon = await dial(url);
      assert.equal(await publishIsRefused(anon, `${ROOT}/request/unlock`, '{}'), true);
      // Nor forge the door's state, availability, events or responses.
      for (const t of ['state', 'availability', 'events/access.granted', 'response/unlock']) {
        assert.equal(await publishIsRefused(await dial(url), `${ROOT}/${t}`, '{}'), true, t);
      }
      // Nor this door's discovery configs; other topics stay open (Home Assistant's status).
      const node = 'homeassistant/lock/jurukunci_server_room/lock/config';
      assert.equal(await publishIsRefused(await dial(url), node, '{}'), true);
      assert.equal(await publishIsRefused(await dial(url), 'homeassistant/status', 'offline'), false);
      // Authenticated: requests yes, the door's other topics no.
      assert.equal(await publishIsRefused(await dial(url, user), `${ROOT}/state`, '{}'), true);
      // A wrong password is refused at connect; so is a client claiming the door's client id.
      await assert.rejects(
        dial(url, { username: 'dash', password: 'nope' }),
        /[Bb]ad user ?name or password/,
      );
      await assert.rejects(dial(url, { clientId: 'jurukunci-server-room' }), /[Ii]dentifier rejected/);
      assert.equal(mqtt.connected, true, 'the door keeps its session');

      assert.equal(rig.rt.journal.seq, seq0, 'nothing journaled for refused publishes');
      assert.equal(rec.on(`${ROOT}/response/unlock`).length, 0);
      assert.ok(
        rec.on(`${ROOT}/state`).every((m) => m.payload !== '{}'),
        'no forged state',
      );
      assert.equal(rig.rt.relay.get(), false);

      await rec.client.publishAsync(`${ROOT}/request/unlock`, JSON.stringify({ transaction: 'u1' }), {
        qos: 1,
      });
      await rec.until(() => rec.on(`${ROOT}/response/unlock`).length === 1, 'unlock response');
      const res = JSON.parse(rec.on(`${ROOT}/response/unlock`)[0]!.payload);
      assert.equal(res.status, 'ok');
      assert.equal(res.transaction, 'u1');
      const types = rig.rt.journal.read(seq0).map((e) => e.type);
      assert.ok(types.indexOf('command.executed') < types.indexOf('access.granted'), types.join());
    } finally {
      await rec.close();
    }
  });

  it('survives an error on the listening socket (EMFILE on accept) and says so in health', async () => {
    rig = await startRig({ mqtt: { url: '', embedded: { host: '127.0.0.1', port: 0 } } });
    const mqtt = rig.rt.mqtt!;
    await whenReady(mqtt);
    const err = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' });
    mqtt.embedded!.netServer!.emit('error', err); // unhandled, this would throw out of emit
    assert.match(
      rig.rt.health().modules.mqtt?.detail ?? '',
      /embedded broker socket error \(accept EMFILE\)/,
    );
    assert.equal(mqtt.connected, true);
    assert.equal(await portOpen(Number(new URL(mqtt.url).port)), true);
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
