/**
 * The hardware factory and the door-level behaviour of the fire-alarm and tamper inputs, through a
 * whole Runtime with simulated lines (test/fixtures/runtime.ts).
 */
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { buildDoorHardware } from '../../src/hardware/door-hardware.js';
import { ChardevInput, ChardevRelay } from '../../src/hardware/gpio/chardev-driver.js';
import { SysfsInput, SysfsRelay } from '../../src/hardware/gpio/sysfs-driver.js';
import { startRig, type TestRig } from '../fixtures/runtime.js';

function lines(rig: TestRig) {
  const sim = rig.rt.hardware.sim;
  if (!sim) throw new Error('no simulated hardware');
  return sim;
}

function events(rig: TestRig, type: string) {
  return rig.rt.journal.read(0, 1_000_000).filter((e) => e.type === type);
}

describe('door hardware: fire alarm and tamper inputs (sim lines, whole runtime)', () => {
  let rig: TestRig;
  beforeEach(async () => {
    rig = await startRig({ mqtt: { enabled: false } });
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('fire alarm active → emergency_release journaled, relay unlocked; cleared → back to normal, locked', () => {
    const { fireAlarm } = lines(rig);
    assert.equal(rig.rt.relay.get(), false);
    fireAlarm.set(true);
    assert.equal(rig.rt.door.getMode(), 'emergency_release');
    assert.equal(rig.rt.relay.get(), true);
    const release = events(rig, 'door.mode_changed').at(-1)!;
    assert.equal(release.data.to, 'emergency_release');
    assert.equal(release.data.reason, 'fire alarm input active');
    assert.equal(events(rig, 'door.unlocked').at(-1)?.data.reason, 'emergency');

    fireAlarm.set(false);
    assert.equal(rig.rt.door.getMode(), 'normal');
    assert.equal(rig.rt.relay.get(), false);
    const back = events(rig, 'door.mode_changed').at(-1)!;
    assert.deepEqual(
      [back.data.from, back.data.to, back.data.reason],
      ['emergency_release', 'normal', 'fire alarm input cleared'],
    );
    assert.equal(events(rig, 'door.locked').at(-1)?.data.reason, 'mode');
  });

  it('fire alarm during lockdown releases, and clearing it returns to lockdown', () => {
    rig.rt.door.setMode('lockdown', { id: 'test', name: 'test', role: 'system', channel: 'system' });
    lines(rig).fireAlarm.set(true);
    assert.equal(rig.rt.relay.get(), true);
    lines(rig).fireAlarm.set(false);
    assert.equal(rig.rt.door.getMode(), 'lockdown');
    assert.equal(rig.rt.relay.get(), false);
  });

  it('tamper raises alarm.tamper (and its clearing), and never opens the door', () => {
    const { tamper } = lines(rig);
    tamper.set(true);
    assert.equal(rig.rt.relay.get(), false);
    tamper.set(false);
    assert.deepEqual(
      events(rig, 'alarm.tamper').map((e) => e.data),
      [
        { input: 'tamper', active: true },
        { input: 'tamper', active: false },
      ],
    );
  });

  it('health lists the optional inputs', () => {
    const h = rig.rt.health();
    assert.equal(h.modules['fire-alarm']?.state, 'ok');
    assert.equal(h.modules.tamper?.state, 'ok');
    assert.equal(h.ok, true);
  });
});

describe('door hardware: factory', () => {
  const hw = (hardware: Record<string, unknown>) => loadConfig({ env: {}, overrides: { hardware } }).hardware;

  it('sim by default, with every line simulated', () => {
    const cfg = loadConfig({ env: {}, overrides: {} }).hardware;
    assert.equal(cfg.driver, 'sim');
    const built = buildDoorHardware(cfg);
    assert.ok(built.sim);
    assert.equal(built.relay, built.sim.relay);
    assert.equal(built.fireAlarm, built.sim.fireAlarm);
  });

  it('gpio-sysfs builds onoff lines without touching hardware; optional inputs only when wired', () => {
    const built = buildDoorHardware(hw({ driver: 'gpio-sysfs' }));
    assert.equal(built.sim, null);
    assert.ok(built.relay instanceof SysfsRelay);
    assert.ok(built.doorContact instanceof SysfsInput);
    assert.equal(built.tamper, undefined);
    assert.equal(built.fireAlarm, undefined);
    assert.equal(built.relay.health().state, 'stopped');
    const wired = buildDoorHardware(hw({ driver: 'gpio-sysfs', gpio: { fireAlarm: { enabled: true } } }));
    assert.ok(wired.fireAlarm instanceof SysfsInput);
  });

  it('gpio-chardev builds gpiod-tool lines', () => {
    const built = buildDoorHardware(hw({ driver: 'gpio-chardev', gpio: { tamper: { enabled: true } } }));
    assert.ok(built.relay instanceof ChardevRelay);
    assert.ok(built.exitButton instanceof ChardevInput);
    assert.ok(built.tamper instanceof ChardevInput);
  });

  it('config defaults and validation', () => {
    const cfg = hw({ driver: 'gpio-sysfs' });
    assert.deepEqual(cfg.gpio.relay, { pin: 17, activeLow: false });
    assert.equal(cfg.gpio.exitButton.activeLow, true);
    assert.equal(cfg.gpio.chipBase, -1);
    assert.throws(() => hw({ driver: 'gpio' }), /driver/);
    assert.throws(() => hw({ gpio: { relay: { pin: 99 } } }), /pin/);
    const env = loadConfig({ env: { JURUKUNCI_HARDWARE__GPIO__RELAY__ACTIVE_LOW: 'true' }, overrides: {} });
    assert.equal(env.hardware.gpio.relay.activeLow, true);
  });

  it('two lines on one pin are refused', () => {
    assert.throws(
      () => buildDoorHardware(hw({ driver: 'gpio-sysfs', gpio: { exitButton: { pin: 17 } } })),
      /BCM 17 is used by two lines/,
    );
  });
});
