/**
 * The outage case against a real Mosquitto and a real service process: stop the broker, make 200
 * taps, kill -9 the service, start the broker and the service again; all 200 events arrive, in
 * order. Availability flips to `offline` (the last will) when the service is killed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, Mosquitto, Recorder } from '../fixtures/mosquitto.js';
import { journalEvents, ServiceProcess } from '../fixtures/service-process.js';

const ROOT = 'jurukunci/server-room';

describe('mqtt outage (real mosquitto, real service process, kill -9)', function () {
  this.timeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'jk-outage-'));
  let broker: Mosquitto;
  let service: ServiceProcess;
  const recs: Recorder[] = [];

  before(async () => {
    const [brokerPort, httpPort] = [await freePort(), await freePort()];
    broker = new Mosquitto({ port: brokerPort });
    await broker.start();
    service = new ServiceProcess({
      env: {
        JURUKUNCI_DATA_DIR: dir,
        JURUKUNCI_HTTP__PORT: String(httpPort),
        JURUKUNCI_MQTT__URL: broker.url,
        JURUKUNCI_LOG__LEVEL: 'info',
      },
      httpPort,
    });
  });
  after(async () => {
    await service.kill9();
    for (const r of recs) await r.close();
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flips availability to offline when the service is killed, then delivers all 200 taps made during a broker outage, in order', async () => {
    const rec = await Recorder.connect(broker.url, [`${ROOT}/availability`]);
    recs.push(rec);
    await service.start();
    await rec.until(() => rec.messages.at(-1)?.payload === 'online', 'online');
    const token = /with token: (\S+)/.exec(service.out)?.[1];
    assert.ok(token, 'setup token printed');
    const setup = await service.api('/api/setup', {
      token,
      username: 'kasi',
      displayName: 'Kepala Seksi',
      password: 'kasi-password-1',
      escort: false,
    });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));

    await service.kill9();
    await rec.until(() => rec.messages.at(-1)?.payload === 'offline', 'offline (last will) after kill -9');

    await service.start();
    await rec.until(() => rec.messages.at(-1)?.payload === 'online', 'online again');
    const session = await service.login();

    await broker.stop();
    const before = journalEvents(dir).length;
    for (let i = 0; i < 200; i++) {
      const r = await service.api('/api/sim/tap', { reader: 'entry', uid: 'DEADBEEF' }, session);
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    await service.kill9();
    const taps = journalEvents(dir)
      .slice(before)
      .filter((e) => e.type === 'access.denied');
    assert.equal(taps.length, 200);

    await broker.start();
    const events = await Recorder.connect(broker.url, [`${ROOT}/events/#`]);
    recs.push(events);
    await service.start();
    const ids = () => events.messages.map((m) => JSON.parse(m.payload) as { id: string; seq: number });
    const want = new Set(taps.map((t) => t.id));
    await events.until(() => ids().filter((e) => want.has(e.id)).length >= 200, 'all 200 tap events');

    // In order: the first delivery of each id follows the journal; duplicates are allowed.
    const seen = new Set<string>();
    const firsts = ids().filter((e) => {
      if (seen.has(e.id)) return false;
      seen.add(e.id);
      return true;
    });
    assert.deepEqual(
      firsts.filter((e) => want.has(e.id)).map((e) => e.id),
      taps.map((t) => t.id),
    );
    const seqs = firsts.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
  });
});
