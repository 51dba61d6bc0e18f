/**
 * /healthz and the entry readers: readers are optional parts (the door starts without them), but
 * with every entry reader down nobody can badge in, so the probe answers 503; one working entry
 * reader is enough for 200. A real serial scanner on a pty is the reader that comes and goes.
 */
import assert from 'node:assert/strict';
import { startRig, type TestRig } from '../../fixtures/runtime.js';
import { SocatPty } from '../../fixtures/socat-pty.js';
import { until } from '../../fixtures/wait.js';

describe('healthz: no working entry reader is 503', function () {
  this.timeout(30_000);
  let rig: TestRig | undefined;
  let pty: SocatPty | undefined;
  afterEach(async () => {
    await rig?.stop();
    await pty?.stop();
    rig = pty = undefined;
  });

  const healthz = async () => {
    const r = await rig!.inject({ method: 'GET', url: '/healthz' });
    return { status: r.statusCode, body: r.json() };
  };

  it('the only entry reader is a scanner that is unplugged: 503 with the counts; plugged in: 200', async () => {
    pty = new SocatPty();
    const path = pty.device;
    rig = await startRig({
      readers: [
        {
          id: 'scanner',
          role: 'entry',
          driver: 'qr-serial',
          serial: { path, reconnectMinMs: 50, reconnectMaxMs: 100 },
        },
        { id: 'exit', role: 'exit', driver: 'sim' },
      ],
    });
    let h = await healthz();
    assert.equal(h.status, 503, JSON.stringify(h.body));
    assert.equal(h.body.ok, false);
    assert.deepEqual(h.body.entryReaders, { configured: 1, working: 0 });
    assert.equal(h.body.modules['reader:scanner'].state, 'down');
    await pty.start();
    await until(() => rig!.rt.health().entryReaders.working === 1, 'the scanner opened');
    h = await healthz();
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.deepEqual(h.body.entryReaders, { configured: 1, working: 1 });
  });

  it('one entry reader down beside one that works is still 200 (the door can admit)', async () => {
    rig = await startRig({
      readers: [
        { id: 'scanner', role: 'entry', driver: 'qr-serial', serial: { path: '/dev/nonexistent-jk' } },
        { id: 'entry', role: 'entry', driver: 'sim' },
        { id: 'exit', role: 'exit', driver: 'sim' },
      ],
    });
    const h = await healthz();
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.deepEqual(h.body.entryReaders, { configured: 2, working: 1 });
    assert.equal(h.body.modules['reader:scanner'].state, 'down');
  });
});
