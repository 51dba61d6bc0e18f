/**
 * The Node bridge driver (src/hardware/bridge/) against the real firmware under simavr: session,
 * health, relay, inputs, Wiegand credentials, a watchdog reset mid-session and an unplug.
 */
import assert from 'node:assert/strict';
import { type BridgeHardware, buildBridgeHardware } from '../../../src/hardware/bridge/index.js';
import type { CardRead } from '../../../src/hardware/bridge/protocol.js';
import type { Credential } from '../../../src/hardware/interfaces.js';
import { h10301Bits, SimavrBridge } from '../../fixtures/simavr-bridge.js';
import { until } from '../../fixtures/socat-pty.js';

describe('hardware/bridge driver (real firmware under simavr)', function () {
  this.timeout(30_000);
  let sim: SimavrBridge;
  let hw: BridgeHardware;
  const devices = () => [hw.relay, hw.doorContact, hw.exitButton, hw.tamper, hw.fireAlarm, hw.reader];

  before(() => {
    sim = new SimavrBridge();
  });
  beforeEach(async () => {
    await sim.restart();
    hw = buildBridgeHardware({ path: sim.device, reconnectMinMs: 50, reconnectMaxMs: 200 });
    for (const d of devices()) await d.start();
    await until(() => hw.link.ready, 'bridge session');
  });
  afterEach(async () => {
    for (const d of devices()) await d.stop();
  });
  after(async () => {
    await sim.stop();
  });

  it('opens a session and shows link state and firmware version in health', () => {
    const h = hw.relay.health();
    assert.equal(h.state, 'ok');
    assert.match(h.detail ?? '', /firmware 1\.0\.0, session \d+/);
    assert.equal(hw.link.hello?.firmware, '1.0.0');
  });

  it('Relay: set(true) energises the relay pin, set(false) releases it', async () => {
    hw.relay.set(true);
    assert.equal(hw.relay.get(), true);
    await sim.waitRelay(1);
    hw.relay.set(false);
    assert.equal(hw.relay.get(), false);
    await sim.waitRelay(0, 1);
  });

  it('DigitalInput: door contact and exit button changes', async () => {
    const seen: string[] = [];
    hw.doorContact.on('change', (v) => seen.push(`contact ${v}`));
    hw.exitButton.on('change', (v) => seen.push(`exit ${v}`));
    await sim.setInput('contact', true);
    await until(() => hw.doorContact.read(), 'door open');
    await sim.setInput('exit', true);
    await until(() => hw.exitButton.read(), 'exit pressed');
    await sim.setInput('exit', false);
    await until(() => !hw.exitButton.read(), 'exit released');
    assert.deepEqual(seen, ['contact true', 'exit true', 'exit false']);
    assert.equal(sim.relayLevel(), 0, 'the host is present: the host decides the exit');
  });

  it('CredentialReader: a Wiegand card is a wiegand credential; a parity error is not', async () => {
    const creds: Credential[] = [];
    const cards: CardRead[] = [];
    hw.reader.on('credential', (c) => creds.push(c));
    hw.link.on('card', (c) => cards.push(c));
    await sim.wiegand(h10301Bits(42, 31337));
    await until(() => creds.length === 1, 'credential');
    assert.deepEqual(creds[0], { kind: 'wiegand', value: 'H10301:42:31337', readerId: 'wiegand' });
    const bits = h10301Bits(42, 31337);
    await sim.wiegand(`${bits[0] === '1' ? '0' : '1'}${bits.slice(1)}`);
    await until(() => cards.length === 2, 'second read');
    assert.equal(cards[1]!.status, 'parity_error');
    assert.equal(creds.length, 1);
    assert.equal(hw.reader.stats.parityErrors, 1);
  });

  it('a watchdog reset mid-session: relay locked, new session, fault reported then cleared', async () => {
    const faults: number[] = [];
    hw.link.on('fault', (f) => faults.push(f.faults));
    hw.relay.set(true);
    await sim.waitRelay(1);
    const sessions = hw.link.stats.sessions;
    await sim.hang();
    await sim.waitRelay(0, 1);
    await until(() => hw.link.stats.sessions > sessions && hw.link.ready, 'new session');
    await until(() => hw.link.faults === 0, 'fault cleared by the driver after reporting it');
    assert.ok(
      faults.some((f) => f & 0x02),
      'watchdog_reset reported',
    );
    // The door's once-a-second reassert sees the relay dropped and sets it again.
    await until(() => !hw.relay.get(), 'relay reported released');
    hw.relay.set(true);
    await sim.waitRelay(1, 2);
  });

  it('reconnects when the bridge is unplugged and plugged back', async () => {
    await sim.restart(); // a new pty behind the same path, a new MCU
    await until(() => hw.link.health().state !== 'ok' || hw.link.stats.sessions > 1, 'link noticed');
    await until(() => hw.link.ready && hw.link.stats.sessions > 1, 'session on the new port', 15_000);
    hw.relay.set(true);
    await sim.waitRelay(1);
    hw.relay.set(false);
  });
});
