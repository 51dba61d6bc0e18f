/** The broker URL may be ws:// (a dashboard cluster behind an HTTP proxy): same contract over WebSocket. */
import assert from 'node:assert/strict';
import { freePort, Mosquitto, Recorder, whenReady } from '../fixtures/mosquitto.js';
import { startRig, type TestRig } from '../fixtures/runtime.js';
import { loadContract } from './contract.js';

describe('mqtt over WebSocket (real mosquitto, websockets listener)', () => {
  let broker: Mosquitto;
  let wsPort = 0;
  let rig: TestRig | null = null;
  let rec: Recorder | null = null;

  before(async () => {
    wsPort = await freePort();
    broker = new Mosquitto({ extraConfig: [`listener ${wsPort} 127.0.0.1`, 'protocol websockets'] });
    await broker.start();
  });
  after(async () => {
    await rec?.close();
    await rig?.stop();
    await broker.destroy();
  });

  it('publishes availability and every event through a ws:// broker URL', async () => {
    rec = await Recorder.connect(broker.url, ['jurukunci/server-room/#']);
    rig = await startRig({ mqtt: { url: `ws://127.0.0.1:${wsPort}` } });
    await whenReady(rig.rt.mqtt!);
    const r = rec;
    await r.until(
      () => r.on('jurukunci/server-room/availability').some((m) => m.payload === 'online'),
      'online over ws',
    );
    const head = rig.rt.journal.seq;
    await r.until(
      () => r.messages.some((m) => m.topic.includes('/events/') && JSON.parse(m.payload).seq === head),
      `event seq ${head}`,
    );
    assert.equal(rig.rt.health().modules.mqtt?.state, 'ok');
    // Every message that came over WebSocket conforms to the AsyncAPI contract, as over TCP.
    const contract = await loadContract();
    const problems = r.messages.flatMap((m) => contract.check(m.topic, m.payload));
    assert.deepEqual(problems, []);
    assert.ok(r.messages.length >= 3, `${r.messages.length} messages checked`);
  });
});
