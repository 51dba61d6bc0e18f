/** The embedded broker (no URL configured) serves mosquitto_sub with no other setup. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startRig, type TestRig } from '../fixtures/runtime.js';

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
  let rig: TestRig;
  afterEach(async () => rig?.stop());

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
});
