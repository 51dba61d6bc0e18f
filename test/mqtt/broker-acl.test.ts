/**
 * The embedded broker's ACL and bounds (src/mqtt/embedded-broker.ts, broker-limits.ts), on an
 * EmbeddedBroker in this process with real MQTT clients: no anonymous client; nobody subscribes to
 * `$SYS/#` or `#`; only the door publishes (its own topics and discovery), operators only requests;
 * a forged `$SYS/<id>/new/clients` no longer disconnects the door; look-alike Home Assistant
 * discovery configs are refused; retained and queued messages are bounded.
 */
import assert from 'node:assert/strict';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { RetainedLedger } from '../../src/mqtt/broker-limits.js';
import { EmbeddedBroker } from '../../src/mqtt/embedded-broker.js';

const ROOT = 'jurukunci/server-room';
const DOOR = { username: 'door-x', password: 'door-secret-000000000000' };
const DASH = { username: 'dash', password: 'dash-secret-000000000000' };
const OP = { username: 'kasi', password: 'k'.repeat(40) };

function dial(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

/** True when the broker drops the connection for the publish (3.1.1 has no negative PUBACK). */
async function publishIsRefused(c: MqttClient, topic: string, payload: string, retain = false) {
  const outcome = await new Promise<boolean>((resolve) => {
    c.once('close', () => resolve(true));
    c.publish(topic, payload, { qos: 1, retain }, (err) => resolve(err !== undefined && err !== null));
  });
  c.end(true);
  return outcome;
}

/** The QoS the broker grants `filter`; 128 is a refusal (MQTT.js rejects it as an error). */
async function grantedQos(c: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await c.subscribeAsync(filter, { qos: 1 });
    return granted[0]!.qos;
  } catch (err) {
    if (/Subscribe error/.test((err as Error).message)) return 128;
    throw err;
  }
}

describe('mqtt embedded broker ACL and bounds', () => {
  let broker: EmbeddedBroker;
  let url: string;
  const clients: MqttClient[] = [];
  const keep = async (p: Promise<MqttClient>) => {
    const c = await p;
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    broker = new EmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      base: 'jurukunci',
      root: ROOT,
      doorClientId: 'jurukunci-server-room',
      discoveryNode: { prefix: 'homeassistant', node: 'jurukunci_server_room' },
      door: DOOR,
      dashboard: DASH,
      operators: [OP],
      limits: { queuedPerClient: 5 },
    });
    await broker.start();
    url = broker.url;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true);
    await broker.stop();
  });

  it('refuses anonymous clients, wrong passwords, and the door client id to anyone but the door', async () => {
    await assert.rejects(dial(url), /[Nn]ot authorized/);
    await assert.rejects(dial(url, { username: 'dash', password: 'nope' }), /[Bb]ad user ?name or password/);
    await assert.rejects(dial(url, { username: 'nobody', password: 'x' }), /[Bb]ad user ?name or password/);
    await assert.rejects(dial(url, { ...DASH, clientId: 'jurukunci-server-room' }), /[Ii]dentifier rejected/);
    await keep(dial(url, { ...DOOR, clientId: 'jurukunci-server-room' }));
  });

  it('lets nobody subscribe to $SYS/# or #, and the dashboard read only jurukunci/# and discovery', async () => {
    const dash = await keep(dial(url, DASH));
    assert.equal(await grantedQos(dash, '$SYS/#'), 128);
    assert.equal(await grantedQos(dash, '#'), 128);
    assert.equal(await grantedQos(dash, '+/server-room/#'), 128);
    assert.equal(await grantedQos(dash, 'other/#'), 128);
    assert.equal(await grantedQos(dash, 'jurukunci/#'), 1);
    assert.equal(await grantedQos(dash, 'homeassistant/#'), 1);
    const door = await keep(dial(url, { ...DOOR, clientId: 'jurukunci-server-room' }));
    assert.equal(await grantedQos(door, '$SYS/#'), 128);
    const op = await keep(dial(url, OP));
    assert.equal(await grantedQos(op, '$SYS/+/new/clients'), 128);
    assert.equal(await grantedQos(op, `${ROOT}/response/+`), 1);
  });

  it('lets only the door publish: the dashboard nothing, an operator only requests (not retained)', async () => {
    const door = () => dial(url, { ...DOOR, clientId: 'jurukunci-server-room' });
    for (const t of ['state', 'availability', 'events/access.granted', 'response/unlock', 'request/unlock'])
      assert.equal(await publishIsRefused(await dial(url, DASH), `${ROOT}/${t}`, '{}'), true, `dash ${t}`);
    assert.equal(await publishIsRefused(await dial(url, DASH), 'flood/1', 'x'.repeat(50), true), true);
    assert.equal(await publishIsRefused(await dial(url, DASH), 'homeassistant/status', 'online'), true);
    assert.equal(await publishIsRefused(await dial(url, OP), `${ROOT}/request/unlock`, '{}'), false);
    assert.equal(await publishIsRefused(await dial(url, OP), `${ROOT}/request/unlock`, '{}', true), true);
    assert.equal(await publishIsRefused(await dial(url, OP), `${ROOT}/request/a/b`, '{}'), true);
    assert.equal(await publishIsRefused(await dial(url, OP), `${ROOT}/state`, '{}'), true);
    assert.equal(await publishIsRefused(await dial(url, OP), 'anything/else', '{}'), true);
    assert.equal(await publishIsRefused(await door(), `${ROOT}/state`, '{}', true), false);
    assert.equal(await publishIsRefused(await door(), 'elsewhere/x', '{}'), true);
    assert.ok(broker.refused >= 10);
  });

  it("a forged $SYS/<id>/new/clients naming the door's client id does not disconnect the door (§8)", async () => {
    const door = await keep(dial(url, { ...DOOR, clientId: 'jurukunci-server-room' }));
    let closed = false;
    door.on('close', () => (closed = true));
    for (const who of [DASH, OP]) {
      const c = await dial(url, who);
      assert.equal(await publishIsRefused(c, '$SYS/other-broker/new/clients', 'jurukunci-server-room'), true);
    }
    // A round trip through the broker after the forgeries: the door's own publish still acknowledged.
    await door.publishAsync(`${ROOT}/availability`, 'online', { qos: 1, retain: true });
    assert.equal(closed, false);
    assert.equal(door.connected, true);
  });

  it('refuses look-alike Home Assistant discovery configs from anyone but the door (§8)', async () => {
    const doorNode = 'homeassistant/lock/jurukunci_server_room/lock/config';
    const lookAlike = 'homeassistant/lock/jurukunci_server_room2/lock/config';
    for (const who of [DASH, OP]) {
      assert.equal(await publishIsRefused(await dial(url, who), doorNode, '{}', true), true);
      assert.equal(await publishIsRefused(await dial(url, who), lookAlike, '{}', true), true);
    }
    const door = await dial(url, { ...DOOR, clientId: 'jurukunci-server-room' });
    assert.equal(await publishIsRefused(door, doorNode, '{}', true), false);
    assert.equal(broker.holdings.retained, 1);
  });

  it('bounds the QoS 1 queue of a persistent session, and keeps what fits for its return', async () => {
    const dash = await dial(url, { ...DASH, clientId: 'dash-persist', clean: false });
    await dash.subscribeAsync(`${ROOT}/events/#`, { qos: 1 });
    await dash.endAsync();
    const door = await keep(dial(url, { ...DOOR, clientId: 'jurukunci-server-room' }));
    for (let i = 0; i < 20; i++)
      await door.publishAsync(`${ROOT}/events/access.denied`, String(i), { qos: 1 });
    assert.equal(broker.holdings.queued, 5);
    assert.equal(broker.holdings.dropped, 15);
    const got: string[] = [];
    const back = connect(url, { ...DASH, clientId: 'dash-persist', clean: false, reconnectPeriod: 0 });
    clients.push(back);
    back.on('message', (_t, p) => got.push(p.toString()));
    for (let i = 0; i < 200 && got.length < 5; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(got, ['0', '1', '2', '3', '4']);
    for (let i = 0; i < 200 && broker.holdings.queued > 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(broker.holdings.queued, 0, 'acknowledged messages leave the count');
  });

  it('bounds retained messages by count and bytes, per client and in total', () => {
    const l = new RetainedLedger({
      retainedPerClient: 3,
      retainedBytesPerClient: 100,
      retainedTotal: 4,
      retainedBytesTotal: 1000,
      queuedPerClient: 0,
      queuedBytesPerClient: 0,
      queuedTotal: 0,
      queuedBytesTotal: 0,
    });
    assert.equal(l.admit('a', 't1', 10), true);
    assert.equal(l.admit('a', 't1', 20), true, 'replacing its own topic is not a new one');
    assert.equal(l.admit('a', 't2', 10), true);
    assert.equal(l.admit('a', 't3', 10), true);
    assert.equal(l.admit('a', 't4', 10), false, 'per-client count');
    assert.equal(l.admit('b', 'u1', 200), false, 'per-client bytes');
    assert.equal(l.admit('b', 'u1', 10), true);
    assert.equal(l.admit('b', 'u2', 10), false, 'total count');
    assert.equal(l.admit('a', 't1', 0), true, 'an empty payload clears');
    assert.equal(l.admit('b', 'u2', 10), true);
    assert.equal(l.count, 4);
  });
});
