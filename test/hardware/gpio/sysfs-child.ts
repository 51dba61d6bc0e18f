/**
 * Runs inside a private mount namespace (see sysfs-driver.test.ts) where a fake tree is mounted at
 * the real /sys/class/gpio, so the real onoff (which hard-codes that path) drives it. It plays the
 * kernel's part that plain files cannot: writing `export` creates gpioN/, writing `unexport`
 * removes it, writing high/low/out to `direction` sets the level. Prints one JSON line of what it
 * saw; the parent test asserts on it.
 */

import { once } from 'node:events';
import fs from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { buildGpioHardware } from '../../../src/hardware/gpio/index.js';
import type { DigitalInput } from '../../../src/hardware/interfaces.js';

const ROOT = '/sys/class/gpio';
/** Line levels the "wiring" presents when a line is exported (pull-ups on the buttons). */
const wired: Record<number, string> = JSON.parse(process.argv[2] ?? '{}');

type WriteFileSync = (file: unknown, data: unknown, ...rest: unknown[]) => void;
const real = fs.writeFileSync as unknown as WriteFileSync;
const kernel: WriteFileSync = (file, data, ...rest) => {
  const path = String(file);
  const text = String(data).trim();
  if (path === join(ROOT, 'export')) {
    const dir = join(ROOT, `gpio${text}`);
    if (fs.existsSync(dir)) throw Object.assign(new Error('EBUSY: already exported'), { code: 'EBUSY' });
    real(path, data, ...rest);
    fs.mkdirSync(dir);
    real(join(dir, 'value'), wired[Number(text)] ?? '0');
    real(join(dir, 'direction'), 'in');
    real(join(dir, 'edge'), 'none');
    real(join(dir, 'active_low'), '0');
    return;
  }
  if (path === join(ROOT, 'unexport')) {
    real(path, data, ...rest);
    fs.rmSync(join(ROOT, `gpio${text}`), { recursive: true, force: true });
    return;
  }
  const dir = /^(\/sys\/class\/gpio\/gpio\d+)\/direction$/.exec(path)?.[1];
  if (dir && ['high', 'low', 'out'].includes(text)) {
    // The kernel sets direction and level in one step; the file then reads "out".
    real(join(dir, 'value'), text === 'high' ? '1' : '0');
    real(path, 'out');
    return;
  }
  real(path, data, ...rest);
};
(fs as unknown as { writeFileSync: WriteFileSync }).writeFileSync = kernel;

const file = (n: number, f: string) => {
  try {
    return fs.readFileSync(join(ROOT, `gpio${n}`, f), 'utf8').trim();
  } catch {
    return null;
  }
};
const line = (n: number) => ({
  value: file(n, 'value'),
  direction: file(n, 'direction'),
  edge: file(n, 'edge'),
});

/** The wire changes level: what the kernel does to `value` when a pin moves. */
const drive = (n: number, v: 0 | 1) => real(join(ROOT, `gpio${n}`, 'value'), String(v));

async function changeOf(input: DigitalInput, act: () => void): Promise<boolean> {
  const got = once(input, 'change', { signal: AbortSignal.timeout(5000) }) as Promise<[boolean]>;
  act();
  return (await got)[0];
}

async function main() {
  const out: Record<string, unknown> = {};
  const chips = fs.readdirSync(ROOT).filter((n) => n.startsWith('gpiochip'));
  out.chips = chips;

  // Active-high relay on BCM 17, inputs on 27 (contact), 22 (button, active low), 23, 24.
  const cfg = loadConfig({
    env: {},
    overrides: {
      hardware: {
        driver: 'gpio-sysfs',
        gpio: {
          pollMs: 2,
          relay: { pin: 17, activeLow: false },
          doorContact: { pin: 27, debounceMs: 5 },
          exitButton: { pin: 22, activeLow: true, debounceMs: 5 },
          tamper: { enabled: true, pin: 23, debounceMs: 0 },
          fireAlarm: { enabled: true, pin: 24, debounceMs: 0 },
        },
      },
    },
  }).hardware.gpio;
  const hw = buildGpioHardware('gpio-sysfs', cfg);
  await hw.relay.start();
  out.relayStarted = { ...line(529), activeLow: file(529, 'active_low'), get: hw.relay.get() };
  hw.relay.set(true);
  out.relayUnlocked = { ...line(529), get: hw.relay.get() };
  hw.relay.set(false);
  out.relayRelocked = line(529);
  hw.relay.set(true);
  await hw.relay.stop();
  out.relayStopped = { ...line(529), exported: fs.existsSync(join(ROOT, 'gpio529')), get: hw.relay.get() };
  hw.relay.set(true);
  out.relayAfterStopSet = { ...line(529), get: hw.relay.get() };
  out.relayHealth = hw.relay.health();

  // Restart with the line still exported and left high by someone: start must drive it locked.
  drive(529, 1);
  await hw.relay.start();
  out.relayRestart = line(529);
  await hw.relay.stop();

  // Active-low relay on BCM 5 (→ gpio517).
  const low = buildGpioHardware('gpio-sysfs', { ...cfg, relay: { pin: 5, activeLow: true } });
  await low.relay.start();
  out.lowStarted = line(517);
  low.relay.set(true);
  out.lowUnlocked = line(517);
  await low.relay.stop();
  out.lowStopped = line(517);

  // Inputs.
  const inputs = { contact: hw.doorContact, button: hw.exitButton, tamper: hw.tamper!, fire: hw.fireAlarm! };
  for (const i of Object.values(inputs)) await i.start();
  out.inputsStarted = {
    contact: { ...line(539), read: inputs.contact.read() },
    button: { ...line(534), read: inputs.button.read() },
    health: inputs.contact.health(),
  };
  out.contactOpen = await changeOf(inputs.contact, () => drive(539, 1));
  out.contactRead = inputs.contact.read();
  out.contactClosed = await changeOf(inputs.contact, () => drive(539, 0));
  out.buttonPressed = await changeOf(inputs.button, () => drive(534, 0));
  out.buttonReleased = await changeOf(inputs.button, () => drive(534, 1));
  out.tamper = await changeOf(inputs.tamper, () => drive(535, 1));
  out.fire = await changeOf(inputs.fire, () => drive(536, 1));
  out.fireRead = inputs.fire.read();
  for (const i of Object.values(inputs)) await i.stop();
  out.inputsStopped = {
    contactExported: fs.existsSync(join(ROOT, 'gpio539')),
    health: inputs.contact.health(),
  };
  out.unexportFile = fs.readFileSync(join(ROOT, 'unexport'), 'utf8').trim();
  // onoff keeps an epoll instance per line it ever opened, and the relay stays exported on purpose:
  // exit once the report is flushed.
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: String((err as Error).stack ?? err) })}\n`, () =>
    process.exit(1),
  );
});
