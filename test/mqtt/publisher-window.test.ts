/**
 * The publisher's in-flight window and the batched socket writes (issue #12 §5): the window bounds
 * the PUBLISH packets outstanding (mqtt.maxInflight, with its schema bounds), the cursor moves only
 * past acknowledged events in order whatever order PUBACKs come in, and against a real Mosquitto the
 * batched writes deliver every message in journal order, and a broker killed mid-drain gets every
 * unacknowledged message again once it is back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { uncheckedEvent } from '../../src/domain/events.js';
import { batchClientWrites } from '../../src/mqtt/batched-writes.js';
import { throughputClientOptions } from '../../src/mqtt/mqtt-module.js';
import { DEFAULT_WINDOW, EventPublisher, type PublishSink } from '../../src/mqtt/publisher.js';
import { Topics } from '../../src/mqtt/topics.js';
import { CursorFile } from '../../src/store/cursor.js';
import { Journal } from '../../src/store/journal.js';
import { Mosquitto, Recorder } from '../fixtures/mosquitto.js';
import { until } from '../fixtures/wait.js';

const silent = pino({ level: 'silent' });
const DOOR = 'door-1';

/** A sink that holds every PUBACK until the test releases it. */
function heldSink() {
  const held: { topic: string; seq: number; done: (err?: Error | null) => void }[] = [];
  let outstanding = 0;
  let maxOutstanding = 0;
  const sink: PublishSink = {
    connected: true,
    publishQos1(topic, payload, done) {
      outstanding++;
      maxOutstanding = Math.max(maxOutstanding, outstanding);
      held.push({
        topic,
        seq: (JSON.parse(payload) as { seq: number }).seq,
        done: (err) => {
          outstanding--;
          done(err);
        },
      });
    },
  };
  return {
    sink,
    held,
    get outstanding() {
      return outstanding;
    },
    get maxOutstanding() {
      return maxOutstanding;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('mqtt publisher window', () => {
  let dir: string;
  let journal: Journal;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jk-window-'));
    journal = new Journal({ dir: join(dir, 'journal'), door: DOOR, maxFileBytes: 1 << 20 });
    journal.start();
  });
  afterEach(() => {
    journal.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const publisher = (sink: PublishSink, window?: number) =>
    new EventPublisher({
      journal,
      cursor: new CursorFile(dir, 0),
      topics: new Topics('jurukunci', DOOR),
      sink,
      logger: silent,
      ...(window === undefined ? {} : { window }),
    });

  it('keeps at most the window of PUBLISHes outstanding (one event more when it opens), refilling per PUBACK', async () => {
    // access.denied events are two messages each (events/<type> and the Home Assistant topic).
    for (let i = 0; i < 40; i++) journal.append(uncheckedEvent('access.denied', { reader: 'entry', i }));
    const s = heldSink();
    const p = publisher(s.sink, 5);
    p.start();
    await tick();
    assert.equal(s.outstanding, 6, 'three events of two: the third starts with one slot free');
    let released = 0;
    while (p.acknowledgedSeq < 40) {
      const next = s.held[released++];
      assert.ok(next, `a PUBLISH waiting (acknowledged ${p.acknowledgedSeq})`);
      next.done();
      await tick();
      assert.ok(s.outstanding <= 6, `outstanding ${s.outstanding}`);
    }
    assert.equal(s.maxOutstanding, 6);
    assert.deepEqual(
      s.held.filter((m) => m.topic.includes('/events/')).map((m) => m.seq),
      Array.from({ length: 40 }, (_, i) => i + 1),
      'every event once, in journal order',
    );
    p.stop();
  });

  it('moves the cursor only over the acknowledged head, whatever order the PUBACKs come in', async () => {
    for (let i = 0; i < 4; i++) journal.append(uncheckedEvent('door.exit_request', { i }));
    const s = heldSink();
    const p = publisher(s.sink);
    p.start();
    await tick();
    assert.equal(s.held.length, 4);
    for (const i of [3, 2, 1]) s.held[i]!.done();
    await tick();
    assert.equal(p.acknowledgedSeq, 0, 'seq 1 not acknowledged: the cursor stays');
    s.held[0]!.done();
    await tick();
    assert.equal(p.acknowledgedSeq, 4);
    p.stop();
  });

  it('is mqtt.maxInflight: default, and its bounds refused by the configuration', () => {
    assert.equal(loadConfig({ env: {} }).mqtt.maxInflight, DEFAULT_WINDOW);
    assert.equal(loadConfig({ env: { JURUKUNCI_MQTT__MAX_INFLIGHT: '32' } }).mqtt.maxInflight, 32);
    for (const bad of [0, 10_001, 1.5]) {
      assert.throws(
        () => loadConfig({ env: {}, overrides: { mqtt: { maxInflight: bad } } }),
        (err: unknown) =>
          err instanceof ConfigError && err.errors.some((e) => e.startsWith('mqtt.maxInflight')),
        String(bad),
      );
    }
  });
});

describe('mqtt publisher over batched writes (real mosquitto)', function () {
  this.timeout(60_000);
  let dir: string;
  let journal: Journal;
  let broker: Mosquitto;
  const clients: MqttClient[] = [];
  const recs: Recorder[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jk-window-mq-'));
    journal = new Journal({ dir: join(dir, 'journal'), door: DOOR, maxFileBytes: 1 << 20, fsync: false });
    journal.start();
    broker = new Mosquitto({ extraConfig: ['max_queued_messages 0'] });
    await broker.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.endAsync(true);
    for (const r of recs.splice(0)) await r.close();
    journal.stop();
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The service's client (its options and batched writes) and a publisher on it. */
  async function start(window: number, reconnectPeriod = 0) {
    const client = connect(broker.url, {
      clientId: 'window-test',
      protocolVersion: 4,
      reconnectPeriod,
      ...throughputClientOptions(),
    });
    batchClientWrites(client);
    clients.push(client);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const acks: number[] = [];
    const p = new EventPublisher({
      journal,
      // Saved every 200 ms as in the service (0 would fsync the cursor at every PUBACK batch).
      cursor: new CursorFile(dir, 200),
      topics: new Topics('jurukunci', DOOR),
      logger: silent,
      window,
      sink: {
        get connected() {
          return client.connected;
        },
        publishQos1: (t, payload, done) =>
          client.publish(t, payload, { qos: 1 }, (err) => {
            if (!err) acks.push((JSON.parse(payload) as { seq: number }).seq);
            done(err);
          }),
      },
    });
    client.on('connect', () => p.pump());
    return { client, p, acks };
  }

  const seqsOn = (rec: Recorder) =>
    rec.messages
      .filter((m) => m.topic.includes('/events/'))
      .map((m) => (JSON.parse(m.payload) as { seq: number }).seq);

  it('delivers every message of a 2,000-event backlog once, in journal order', async () => {
    for (let i = 0; i < 2000; i++) journal.append(uncheckedEvent('door.exit_request', { i }));
    const rec = await Recorder.connect(broker.url, [`jurukunci/${DOOR}/events/#`]);
    recs.push(rec);
    const { p } = await start(64);
    p.start();
    await rec.until(() => seqsOn(rec).length >= 2000, '2,000 events');
    await until(() => p.acknowledgedSeq === 2000, 'the cursor at the head');
    assert.deepEqual(
      seqsOn(rec),
      Array.from({ length: 2000 }, (_, i) => i + 1),
    );
    p.stop();
  });

  it('sends the unacknowledged messages again after the broker is killed mid-drain, and the cursor reaches the head', async () => {
    for (let i = 0; i < 20_000; i++) journal.append(uncheckedEvent('door.exit_request', { i }));
    const { client, p, acks } = await start(256, 200);
    p.start();
    await until(() => p.acknowledgedSeq >= 2000, 'a part acknowledged');
    await broker.stop(); // SIGKILL: PUBLISHes on the wire are lost with it
    const atKill = p.acknowledgedSeq;
    assert.ok(atKill < 20_000, 'killed mid-drain');
    await broker.start();
    await until(() => p.acknowledgedSeq === 20_000, 'every event acknowledged after the restart', 45_000);
    assert.ok(client.connected);
    // Each event's PUBLISH was acknowledged once (MQTT.js resent the unacknowledged ones; their
    // callbacks fire on the new broker's PUBACK), none lost.
    const sorted = [...acks].sort((a, b) => a - b);
    assert.deepEqual(
      sorted,
      Array.from({ length: 20_000 }, (_, i) => i + 1),
    );
    p.stop();
  });
});
