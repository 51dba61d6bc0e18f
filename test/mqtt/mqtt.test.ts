/** MQTT against a real Mosquitto started by the test (its own config, a free loopback port). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { ERRORS } from '../../src/domain/errors.js';
import { uncheckedEvent } from '../../src/domain/events.js';
import { assertPublishable, TopicError } from '../../src/mqtt/topics.js';
import { freePort, Mosquitto, makeCertificates, Recorder, whenReady } from '../fixtures/mosquitto.js';
import { issuedVisit, seedPeople, startRig, type TestRig, VALID_NIK } from '../fixtures/runtime.js';
import { type Contract, loadContract } from './contract.js';
import { OPERATOR_LIST, OPERATORS, signed } from './signing.js';

const ROOT = 'jurukunci/server-room';
const PHONE = '081234567890';

function assertContract(contract: Contract, rec: Recorder): void {
  const problems = rec.messages.flatMap((m) => contract.check(m.topic, m.payload));
  assert.deepEqual(problems, []);
  for (const m of rec.messages) {
    assert.ok(!m.payload.includes(VALID_NIK), `NIK in ${m.topic}`);
    assert.ok(!m.payload.includes(PHONE), `phone in ${m.topic}`);
  }
}

function eventsOf(rec: Recorder) {
  return rec.messages
    .filter((m) => m.topic.startsWith(`${ROOT}/events/`))
    .map((m) => ({
      topic: m.topic,
      ...(JSON.parse(m.payload) as { id: string; seq: number; type: string }),
    }));
}

async function waitAllEvents(rig: TestRig, rec: Recorder): Promise<void> {
  await rec.until(
    () => eventsOf(rec).some((e) => e.seq === rig.rt.journal.seq),
    `event seq ${rig.rt.journal.seq}`,
  );
}

describe('mqtt (real mosquitto)', () => {
  let broker: Mosquitto;
  let contract: Contract;
  const rigs: TestRig[] = [];
  const recs: Recorder[] = [];

  before(async () => {
    contract = await loadContract();
    broker = new Mosquitto();
    await broker.start();
  });
  after(async () => {
    await broker.destroy();
  });
  afterEach(async () => {
    for (const r of recs.splice(0)) await r.close();
    for (const r of rigs.splice(0)) await r.stop();
  });

  const rig = async (mqtt: Record<string, unknown> = {}) => {
    const r = await startRig({ mqtt: { url: broker.url, ...mqtt } });
    rigs.push(r);
    return r;
  };
  const recorder = async (topics = ['jurukunci/#', 'homeassistant/#'], url = broker.url) => {
    const r = await Recorder.connect(url, topics);
    recs.push(r);
    return r;
  };

  it('publishes every journal event in order, availability and retained state, all per the contract, no NIK or phone', async () => {
    const rec = await recorder();
    const r = await rig();
    const p = await seedPeople(r);
    const visitId = await issuedVisit(r, p);
    const entry = r.rt.sim!.readers.get('entry')!;
    entry.present('nfc', p.visitorUid);
    entry.present('nfc', p.budiUid);
    entry.present('nfc', 'DEADBEEF'); // unknown card: access.denied
    await waitAllEvents(r, rec);

    const events = eventsOf(rec);
    const journal = r.rt.journal.read(0, 10_000);
    // At least once, in order: the first delivery of each id follows the journal exactly.
    const seen = new Set<string>();
    const firsts = events.filter((e) => {
      if (seen.has(e.id)) return false;
      seen.add(e.id);
      return true;
    });
    assert.deepEqual(
      firsts.map((e) => [e.seq, e.id, e.type, e.topic]),
      journal.map((e) => [e.seq, e.id, e.type, `${ROOT}/events/${e.type}`]),
    );
    assert.ok(events.some((e) => e.type === 'access.granted'));
    assert.ok(events.some((e) => e.type === 'access.denied'));
    assert.ok(rec.on(`${ROOT}/access`).some((m) => JSON.parse(m.payload).event_type === 'granted'));

    assert.equal(rec.on(`${ROOT}/availability`).at(-1)?.payload, 'online');
    await rec.until(
      () => rec.on(`${ROOT}/state`).some((m) => JSON.parse(m.payload).inside.length === 2),
      'state with two inside',
    );
    const state = JSON.parse(rec.on(`${ROOT}/state`).at(-1)!.payload);
    const visitor = state.inside.find((o: { kind: string }) => o.kind === 'visitor');
    assert.equal(visitor.visitId, visitId);
    assert.equal(visitor.escorted, true);
    assertContract(contract, rec);

    // A late subscriber gets the retained state and availability at once.
    const late = await recorder([`${ROOT}/state`, `${ROOT}/availability`]);
    await late.until(() => late.messages.length >= 2, 'retained state and availability');
    assert.ok(late.messages.every((m) => m.retain));
    assert.equal(r.rt.health().modules.mqtt?.state, 'ok');
  });

  it('refuses malformed, unknown, disallowed and disabled commands without changing anything', async () => {
    const off = await rig();
    const rec = await recorder([`${ROOT}/response/#`]);
    await whenReady(off.rt.mqtt!);
    const seqBefore = off.rt.journal.seq;
    await rec.client.publishAsync(`${ROOT}/request/unlock`, JSON.stringify({ transaction: 't1' }), {
      qos: 1,
    });
    await rec.until(() => rec.messages.length === 1, 'disabled response');
    assert.deepEqual(JSON.parse(rec.messages[0]!.payload), {
      status: 'error',
      data: {},
      error: { code: 'commands_disabled', message: ERRORS.commands_disabled.en },
      transaction: 't1',
    });
    assert.equal(off.rt.journal.seq, seqBefore);
    assert.equal(off.rt.relay.get(), false);
    await off.stop();
    rigs.splice(0);

    // A retained request is never executed (it would replay on every reconnect): leave one waiting.
    await rec.client.publishAsync(`${ROOT}/request/lockdown`, JSON.stringify({ on: true }), {
      qos: 1,
      retain: true,
    });
    const on = await rig({
      commands: { enabled: true, allowed: ['state', 'lockdown', 'emergency_release'] },
      operators: OPERATOR_LIST,
    });
    const sign = (command: string, body: Record<string, unknown>) =>
      JSON.stringify(signed('server-room', command, body, OPERATORS.desk));
    await whenReady(on.rt.mqtt!);
    rec.messages.length = 0;
    const seq0 = on.rt.journal.seq;
    const ask = async (command: string, payload: string) => {
      const n = rec.messages.length;
      await rec.client.publishAsync(`${ROOT}/request/${command}`, payload, { qos: 1 });
      await rec.until(() => rec.messages.length > n, `response to ${command}`);
      const m = rec.messages.at(-1)!;
      assert.ok(contract.check(m.topic, m.payload).length === 0, contract.check(m.topic, m.payload).join());
      return { topic: m.topic, body: JSON.parse(m.payload) };
    };
    const cases: [string, string, string][] = [
      ['lockdown', '{not json', 'malformed_request'],
      ['lockdown', JSON.stringify({ transaction: 7 }), 'malformed_request'], // `on` missing
      ['lockdown', JSON.stringify({ on: 'yes', transaction: 8 }), 'malformed_request'],
      ['lockdown', JSON.stringify({ on: true, extra: 1 }), 'malformed_request'],
      ['open_sesame', '{}', 'unknown_command'],
      ['unlock', JSON.stringify({ transaction: 'u' }), 'command_not_allowed'],
    ];
    for (const [command, payload, code] of cases) {
      const { topic, body } = await ask(command, payload);
      assert.equal(topic, `${ROOT}/response/${command}`);
      assert.equal(body.status, 'error', payload);
      assert.equal(body.error.code, code, payload);
    }
    assert.equal((await ask('lockdown', JSON.stringify({ transaction: 7 }))).body.transaction, 7);
    assert.equal((await ask('lockdown', JSON.stringify({ on: true }))).body.error.code, 'command_unsigned');
    const onlyRefusals = (from: number) =>
      assert.deepEqual(
        [...new Set(on.rt.journal.read(from).map((e) => e.type))],
        ['command.refused'],
        'a refused command journals its refusal, nothing else',
      );
    onlyRefusals(seq0);
    assert.equal(on.rt.door.getMode(), 'normal');
    assert.equal(on.rt.relay.get(), false);

    const seqOk = on.rt.journal.seq;
    const { body } = await ask('state', sign('state', { transaction: 's' }));
    assert.equal(body.status, 'ok');
    assert.equal(body.data.mode, 'normal');

    const ok = await ask('lockdown', sign('lockdown', { on: true, transaction: 'L1' }));
    assert.equal(ok.body.status, 'ok');
    assert.equal(ok.body.transaction, 'L1');
    assert.equal(ok.body.data.mode, 'lockdown');
    assert.equal(on.rt.door.getMode(), 'lockdown');
    const executed = on.rt.journal.read(seqOk).filter((e) => e.type === 'command.executed');
    const desk = { id: 'mqtt:desk', name: 'Operator desk' };
    assert.deepEqual(
      executed.map((e) => [e.data.command, e.data.args, e.data.by]),
      [
        ['state', {}, desk],
        ['lockdown', { on: true }, desk],
      ],
    );
    // An operator with role 'operator' may lock down, not leave lockdown nor release the door
    // (the superadmin's, as over HTTP). Refused with a coded error; the door stays in lockdown.
    const seq1 = on.rt.journal.seq;
    const bad = await ask('emergency_release', sign('emergency_release', { on: true }));
    assert.equal(bad.body.error.code, 'forbidden');
    assert.equal(bad.body.error.message, ERRORS.forbidden.en);
    const leave = await ask('lockdown', sign('lockdown', { on: false, transaction: 'L2' }));
    assert.equal(leave.body.status, 'error');
    assert.equal(leave.body.error.code, 'forbidden');
    assert.equal(leave.body.transaction, 'L2');
    const offOther = await ask('emergency_release', sign('emergency_release', { on: false }));
    assert.equal(offOther.body.error.code, 'not_in_mode', 'off for a mode the door is not in');
    assert.equal(on.rt.door.getMode(), 'lockdown');
    onlyRefusals(seq1);
    await rec.client.publishAsync(`${ROOT}/request/lockdown`, '', { qos: 1, retain: true }); // clear it
  });

  it('publishes Home Assistant discovery, retained, and again when Home Assistant comes online', async () => {
    const rec = await recorder(['homeassistant/#']);
    const r = await rig();
    const configs = () => rec.messages.filter((m) => m.topic.endsWith('/config') && m.payload !== '');
    await rec.until(() => configs().length >= 5, 'five discovery configs');
    const byObject = new Map(configs().map((m) => [m.topic, JSON.parse(m.payload)]));
    const node = 'jurukunci_server_room';
    assert.equal(byObject.get(`homeassistant/binary_sensor/${node}/door/config`).device_class, 'door');
    assert.equal(
      byObject.get(`homeassistant/binary_sensor/${node}/occupancy/config`).device_class,
      'occupancy',
    );
    assert.equal(byObject.get(`homeassistant/binary_sensor/${node}/problem/config`).device_class, 'problem');
    assert.equal(byObject.get(`homeassistant/event/${node}/access/config`).state_topic, `${ROOT}/access`);
    // Commands off: the lock is read-only, with no command topic anywhere.
    assert.equal(byObject.get(`homeassistant/binary_sensor/${node}/lock/config`).device_class, 'lock');
    assert.ok(configs().every((m) => !('command_topic' in JSON.parse(m.payload))));
    assert.ok(rec.messages.every((m) => contract.check(m.topic, m.payload).length === 0));
    const before = configs().length;
    await rec.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await rec.until(() => configs().length >= before + 5, 'republished discovery');
    assert.ok(r.rt.mqtt);
  });

  it('gives the lock an unlock command topic only when commands are enabled', async () => {
    const rec = await recorder(['homeassistant/lock/#']);
    await rig({ commands: { enabled: true }, operators: OPERATOR_LIST });
    await rec.until(() => rec.messages.some((m) => m.payload !== ''), 'lock config');
    const lock = JSON.parse(rec.messages.find((m) => m.payload !== '')!.payload);
    assert.equal(lock.command_topic, `${ROOT}/request/unlock`);
  });

  it('reports and skips a poison event with an alarm, and keeps publishing', async () => {
    const rec = await recorder([`${ROOT}/events/#`]);
    const r = await rig();
    const poison = r.rt.journal.append(uncheckedEvent('access.denied', { blob: 'x'.repeat(300 * 1024) }));
    const after = r.rt.journal.append(uncheckedEvent('door.exit_request', { source: 'exit_button' }));
    await rec.until(() => eventsOf(rec).some((e) => e.id === after.id), 'the event after the poison');
    const alarm = r.rt.journal.read(0).find((e) => e.type === 'alarm.mqtt_poison');
    assert.equal(alarm?.data.seq, poison.seq);
    assert.ok(!eventsOf(rec).some((e) => e.id === poison.id));
    await rec.until(() => eventsOf(rec).some((e) => e.type === 'alarm.mqtt_poison'), 'the alarm itself');
    assert.match(r.rt.health().modules.mqtt?.detail ?? '', /1 poison event/);
  });

  it('keeps the door running when the broker is unreachable, and health says so', async () => {
    const port = await freePort();
    const r = await startRig({ mqtt: { url: `mqtt://127.0.0.1:${port}` } });
    rigs.push(r);
    r.rt.sim!.readers.get('entry')!.present('nfc', 'DEADBEEF');
    assert.equal(r.rt.journal.read(0).at(-1)?.type, 'access.denied');
    const h = r.rt.health();
    assert.equal(h.modules.mqtt?.state, 'degraded');
    assert.match(h.modules.mqtt?.detail ?? '', /unreachable/);
    assert.equal(h.ok, true);
  });

  it('refuses to publish to a wildcard topic', () => {
    assert.throws(() => assertPublishable('jurukunci/+/state'), TopicError);
    assert.throws(() => assertPublishable('jurukunci/#'), TopicError);
    assert.throws(() => assertPublishable(''), TopicError);
    assert.equal(assertPublishable('jurukunci/server-room/state'), 'jurukunci/server-room/state');
  });

  it('defaults to the embedded broker on 127.0.0.1:1883 with commands off', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.mqtt.url, '');
    assert.deepEqual(c.mqtt.embedded, { host: '127.0.0.1', port: 1883, username: '', password: '' });
    assert.equal(c.mqtt.commands.enabled, false);
    assert.equal(c.mqtt.discovery.enabled, true);
    assert.equal(c.mqtt.baseTopic, 'jurukunci');
    assert.equal(
      loadConfig({ env: { JURUKUNCI_MQTT__URL: 'mqtt://10.0.0.2:1883' } }).mqtt.url,
      'mqtt://10.0.0.2:1883',
    );
  });
});

describe('mqtt security (real mosquitto)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jk-certs-'));
  const rigs: TestRig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.stop();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('logs in with username and password; a wrong password leaves the module degraded', async () => {
    const broker = new Mosquitto({ users: { door: 'door-secret-1', dash: 'dash-secret-1' } });
    await broker.start();
    try {
      const rec = await Recorder.connect(broker.url, [`${ROOT}/availability`], {
        username: 'dash',
        password: 'dash-secret-1',
      });
      const good = await startRig({ mqtt: { url: broker.url, username: 'door', password: 'door-secret-1' } });
      rigs.push(good);
      await rec.until(() => rec.messages.some((m) => m.payload === 'online'), 'online');
      await good.stop();
      rigs.length = 0;
      const bad = await startRig({ mqtt: { url: broker.url, username: 'door', password: 'wrong' } });
      rigs.push(bad);
      await new Promise<void>((res) => bad.rt.mqtt!.once('close', () => res()));
      assert.equal(bad.rt.health().modules.mqtt?.state, 'degraded');
      assert.doesNotMatch(bad.rt.health().modules.mqtt?.detail ?? '', /wrong/);
      await rec.close();
    } finally {
      await broker.destroy();
    }
  });

  it('connects over TLS with a CA and a client certificate', async () => {
    const c = makeCertificates(dir);
    const broker = new Mosquitto({
      tls: { ca: c.ca, cert: c.serverCert, key: c.serverKey, requireClientCert: true },
    });
    await broker.start();
    try {
      const tlsOpts = { ca: c.ca, cert: c.clientCert, key: c.clientKey };
      const r = await startRig({ mqtt: { url: broker.url, ...tlsOpts, clientId: 'door-tls' } });
      rigs.push(r);
      await new Promise<void>((res) =>
        r.rt.mqtt!.connected ? res() : r.rt.mqtt!.once('connect', () => res()),
      );
      // mosquitto_sub over the same TLS: the retained availability is there.
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn('mosquitto_sub', [
          '-h',
          '127.0.0.1',
          '-p',
          String(broker.port),
          '--cafile',
          c.ca,
          '--cert',
          c.clientCert,
          '--key',
          c.clientKey,
          '-t',
          `${ROOT}/availability`,
          '-C',
          '1',
          '-W',
          '10',
        ]);
        let s = '';
        p.stdout.on('data', (d: Buffer) => (s += d.toString()));
        p.on('error', reject);
        p.on('exit', (code) =>
          code === 0 ? resolve(s.trim()) : reject(new Error(`mosquitto_sub exit ${code}`)),
        );
      });
      assert.equal(out, 'online');
    } finally {
      await broker.destroy();
    }
  });
});
