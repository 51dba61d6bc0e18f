/**
 * Firmware in the loop: the real firmware.elf under simavr (test/fixtures/simavr-bridge.ts),
 * spoken to through real `serialport` on the harness's pty by a hand-driven host (bridge-host.ts),
 * with input pins driven and the relay pin read through the harness's control channel. Time
 * bounds are checked on simulated time, never on the wall clock.
 */
import assert from 'node:assert/strict';
import {
  decodeAck,
  decodeCard,
  decodeFault,
  decodeInput,
  decodeMcuHeartbeat,
  decodeMcuHello,
  decodeNack,
  encodeRelay,
  encodeResetFault,
  FAULT,
  MSG,
  RELAY_MODE,
  RESET_CAUSE,
} from '../../../src/hardware/bridge/protocol.js';
import { h10301Bits, h10304Bits, SimavrBridge } from '../../fixtures/simavr-bridge.js';
import { RawHost } from './bridge-host.js';

const pulse = (ms: number) => encodeRelay(RELAY_MODE.pulse, ms);
const hold = () => encodeRelay(RELAY_MODE.hold, 0);

describe('firmware-bridge under simavr (raw protocol over a real pty)', function () {
  this.timeout(30_000);
  let sim: SimavrBridge;
  let host: RawHost;

  before(() => {
    sim = new SimavrBridge();
  });
  beforeEach(async () => {
    await sim.restart();
    host = new RawHost();
    await host.open(sim.device);
  });
  afterEach(async () => {
    await host.close();
  });
  after(async () => {
    await sim.stop();
  });

  it('boots locked, says HELLO with its versions, capabilities and reset cause', async () => {
    // The boot HELLO (epoch 0) went out before the port was open; the watchdog test reads one.
    const hello = await host.hello();
    assert.equal(hello.firmware, '1.0.0');
    assert.equal(hello.proto, 1);
    assert.equal(hello.resetCause & RESET_CAUSE.powerOn, RESET_CAUSE.powerOn);
    assert.equal(hello.faults, 0);
    assert.equal(hello.caps, 0x1f);
    assert.ok(host.epoch > 0);
    assert.equal(sim.relayLevel(), 0);
  });

  it('refuses commands before a session: no relay action', async () => {
    host.epoch = 0;
    const r = await host.request(MSG.relay, pulse(1000));
    assert.equal(r.type, MSG.nack);
    assert.equal(decodeNack(r.payload)?.reason, 'no_session');
    assert.equal(sim.relayLevel(), 0);
  });

  it('drops junk and a bad CRC (counted), and NACKs a replayed unlock: no relay action', async () => {
    await host.hello();
    host.writeRaw(Buffer.from('13 37 ff 42 aa'.replace(/ /g, ''), 'hex'));
    const bad = host.send(MSG.relay, pulse(1000));
    bad[bad.length - 2]! ^= 0x01; // corrupt the CRC's low byte in the COBS stream
    host.seq--;
    host.writeRaw(Buffer.concat([Buffer.from('13', 'hex'), bad]));
    const beat = await host.request(MSG.heartbeat);
    assert.equal(beat.type, MSG.ack);
    const hb = await host.next((f) => f.type === MSG.heartbeat, 'MCU heartbeat', 0, 3000);
    // The MCU beats every second and trips host_lost after 2 s of host silence: keep beating
    // while waiting for its next heartbeat, or the unlock below meets a latched fault.
    await host.request(MSG.heartbeat);
    const lastHb = async () => {
      const from = host.frames.indexOf(hb) + 1;
      return decodeMcuHeartbeat(
        (await host.next((f) => f.type === MSG.heartbeat, 'MCU heartbeat', from, 3000)).payload,
      );
    };
    assert.ok((await lastHb())!.rxDropped >= 2, 'junk and the bad frame counted by the MCU');
    await host.request(MSG.heartbeat);
    assert.deepEqual(
      sim.relayChanges.filter((c) => c.level === 1),
      [],
    );

    // A good unlock, captured off the wire...
    const from = host.frames.length;
    const seq = host.seq + 1;
    const captured = host.send(MSG.relay, pulse(300));
    const ack = decodeAck((await host.reply(seq, from)).payload)!;
    assert.equal(ack.value, 300);
    const on = sim.relayChanges.length;
    await sim.waitRelay(1, on - 1);
    await sim.waitRelay(0, on);
    // ...and replayed: refused, and the relay stays locked.
    const mark = sim.relayChanges.length;
    const from2 = host.frames.length;
    host.writeRaw(captured);
    const nack = await host.reply(seq, from2);
    assert.equal(nack.type, MSG.nack);
    assert.equal(decodeNack(nack.payload)?.reason, 'replay');
    await host.request(MSG.heartbeat); // the MCU has handled everything before this
    assert.equal(sim.relayChanges.length, mark);

    // A new session: the old session's frames are refused as such.
    await host.hello();
    const from3 = host.frames.length;
    host.writeRaw(captured);
    const stale = await host.reply(seq, from3);
    assert.equal(decodeNack(stale.payload)?.reason, 'epoch');
    assert.equal(sim.relayChanges.length, mark);
  });

  it('bounds a pulse itself: a host asking for ten minutes gets the maximum', async () => {
    await host.hello({ maxPulseMs: 10_000 });
    const ack = decodeAck((await host.request(MSG.relay, pulse(600_000))).payload)!;
    assert.equal(ack.value, 10_000);
    await sim.waitRelay(1);
    const release = await host.request(MSG.relay, encodeRelay(RELAY_MODE.release, 0));
    assert.equal(release.type, MSG.ack);
    await sim.waitRelay(0, 1);
  });

  it('heartbeat stopped: relay released within the timeout (simulated time), fault latched until RESET_FAULT', async () => {
    const hello = await host.hello({ heartbeatTimeoutMs: 2000 });
    assert.equal(hello.heartbeatTimeoutMs, 2000);
    assert.equal((await host.request(MSG.relay, hold())).type, MSG.ack);
    // The MCU handled the hold (its last host frame) before it answered, so this is an upper bound.
    const lastHeardUs = await sim.simTimeUs();
    const on = await sim.waitRelay(1);
    const from = host.frames.length;
    const off = await sim.waitRelay(0, sim.relayChanges.indexOf(on));
    assert.ok(
      off.simUs - lastHeardUs <= 2_001_000,
      `released ${(off.simUs - lastHeardUs) / 1000} ms after the host`,
    );
    const trip = decodeFault((await host.next((f) => f.type === MSG.fault, 'FAULT', from)).payload)!;
    assert.equal(trip.raised, FAULT.hostLost);

    // Host back: the fault is reported again, and unlocking is refused while it is latched.
    const from2 = host.frames.length;
    const beat = await host.request(MSG.heartbeat);
    assert.equal(decodeAck(beat.payload)!.value & 0xff, FAULT.hostLost);
    const reminder = decodeFault(
      (await host.next((f) => f.type === MSG.fault, 'FAULT on return', from2)).payload,
    )!;
    assert.equal(reminder.faults, FAULT.hostLost);
    const refused = await host.request(MSG.relay, pulse(500));
    assert.equal(decodeNack(refused.payload)?.reason, 'fault_latched');
    assert.equal(decodeAck((await host.request(MSG.heartbeat)).payload)!.value & 0xff, FAULT.hostLost);
    const reset = await host.request(MSG.resetFault, encodeResetFault(0xff));
    assert.equal(decodeAck(reset.payload)!.value, 0);
    assert.equal((await host.request(MSG.relay, pulse(200))).type, MSG.ack);
    await sim.waitRelay(1, sim.relayChanges.indexOf(off));
  });

  it('a hung firmware is reset by the watchdog to locked, and HELLO says why', async () => {
    await host.hello();
    const epochBefore = host.epoch;
    assert.equal((await host.request(MSG.relay, hold())).type, MSG.ack);
    const on = await sim.waitRelay(1);
    const from = host.frames.length;
    await sim.hang();
    const off = await sim.waitRelay(0, sim.relayChanges.indexOf(on));
    const boot = await host.next((f) => f.type === MSG.hello && f.epoch === 0, 'HELLO after the reset', from);
    const hello = decodeMcuHello(boot.payload)!;
    assert.equal(hello.resetCause & RESET_CAUSE.watchdog, RESET_CAUSE.watchdog);
    assert.equal(hello.faults & FAULT.watchdogReset, FAULT.watchdogReset);
    assert.equal(sim.resets.length, 1);
    assert.ok(off.simUs >= sim.resets[0]! - 1000, 'locked by the reset');
    // The old session is gone; a new one reports the fault and refuses to unlock until it is reset.
    assert.equal(decodeNack((await host.request(MSG.relay, pulse(100))).payload)?.reason, 'no_session');
    const again = await host.hello();
    assert.equal(again.faults, FAULT.watchdogReset);
    assert.ok(
      host.epoch > epochBefore,
      'the epoch counter survives the reset (EEPROM): no session is reused',
    );
    assert.equal(decodeNack((await host.request(MSG.relay, pulse(100))).payload)?.reason, 'fault_latched');
  });

  it('a Wiegand 26-bit read arrives as a CARD with facility and card number', async () => {
    await host.hello();
    const from = host.frames.length;
    await sim.wiegand(h10301Bits(123, 4567));
    const card = decodeCard((await host.next((f) => f.type === MSG.card, 'CARD', from)).payload)!;
    assert.deepEqual(
      { bits: card.bits, format: card.format, status: card.status, facility: card.facility, card: card.card },
      { bits: 26, format: 'H10301', status: 'ok', facility: 123, card: 4567 },
    );
    assert.equal(card.raw.toString('hex'), 'bd88eb80');
  });

  it('a Wiegand 37-bit (H10304) read arrives with its 16-bit facility and 19-bit card number', async () => {
    await host.hello();
    const from = host.frames.length;
    await sim.wiegand(h10304Bits(1000, 300_000));
    const card = decodeCard((await host.next((f) => f.type === MSG.card, 'CARD', from)).payload)!;
    assert.deepEqual(
      { bits: card.bits, format: card.format, status: card.status, facility: card.facility, card: card.card },
      { bits: 37, format: 'H10304', status: 'ok', facility: 1000, card: 300_000 },
    );
  });

  it('a Wiegand read with bad parity is reported as an error, never as a card', async () => {
    await host.hello();
    const bits = h10301Bits(123, 4567);
    const from = host.frames.length;
    await sim.wiegand(bits.slice(0, -1) + (bits.endsWith('1') ? '0' : '1'));
    const card = decodeCard((await host.next((f) => f.type === MSG.card, 'CARD', from)).payload)!;
    assert.equal(card.status, 'parity_error');
    assert.equal(card.facility, 0);
    assert.equal(card.card, 0);
  });

  it('reports debounced inputs with a timestamp, and the exit button opens locally only with the host gone', async () => {
    await host.hello({ heartbeatTimeoutMs: 500, rexPulseMs: 300 });
    let from = host.frames.length;
    await sim.setInput('contact', true);
    const open = decodeInput((await host.next((f) => f.type === MSG.input, 'INPUT contact', from)).payload)!;
    assert.equal(open.input, 0);
    assert.equal(open.active, true);
    assert.ok(open.atMs > 0);
    await host.request(MSG.heartbeat);

    // Host present: the press is reported, the host decides.
    from = host.frames.length;
    await sim.setInput('exit', true);
    const press = decodeInput((await host.next((f) => f.type === MSG.input, 'INPUT exit', from)).payload)!;
    assert.deepEqual([press.input, press.active], [1, true]);
    await sim.setInput('exit', false);
    await host.next((f) => f.type === MSG.input && f.payload[1] === 0, 'INPUT exit released', from);
    assert.equal(sim.relayLevel(), 0);

    // Host silent: the MCU trips, and the exit button pulses the relay on its own.
    from = host.frames.length;
    await host.next((f) => f.type === MSG.fault, 'FAULT host lost', from);
    const mark = sim.relayChanges.length;
    await sim.setInput('exit', true);
    await sim.waitRelay(1, mark);
    await sim.setInput('exit', false);
    await sim.waitRelay(0, mark + 1);
  });
});
