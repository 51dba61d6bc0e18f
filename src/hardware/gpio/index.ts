/**
 * Builds the door's GPIO lines from config, for either driver. Constructors only: chip discovery,
 * loading onoff and spawning the gpiod tools all happen in start().
 */
import type { Logger } from 'pino';
import type { GpioConfig, GpioInputConfig } from '../../config/schema.js';
import type { DigitalInput, Relay } from '../interfaces.js';
import { ChardevInput, ChardevRelay, resolveChardevChip } from './chardev-driver.js';
import { findChipBase, sysfsGpioNumber } from './chip-base.js';
import { loadOnoff, type OnoffModule, SysfsInput, SysfsRelay } from './sysfs-driver.js';

export interface GpioHardware {
  relay: Relay;
  doorContact: DigitalInput;
  exitButton: DigitalInput;
  tamper?: DigitalInput;
  fireAlarm?: DigitalInput;
}

export interface GpioFactoryOptions {
  logger?: Logger | undefined;
  /** sysfs root for chip-base discovery (tests); onoff itself always uses /sys/class/gpio. */
  sysfsRoot?: string;
  /** Replaces the lazy onoff import (tests). */
  loadOnoff?: () => Promise<OnoffModule>;
  /** Environment for the gpiod tools (tests put fakes first on PATH). */
  env?: NodeJS.ProcessEnv;
  restartDelayMs?: number;
  startSettleMs?: number;
}

/** One shared lookup; a failure is not cached, so the next start() tries again. */
function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => {
    p ??= fn().catch((err: unknown) => {
      p = null;
      throw err;
    });
    return p;
  };
}

export const INPUT_IDS = {
  doorContact: 'door-contact',
  exitButton: 'exit-button',
  tamper: 'tamper',
  fireAlarm: 'fire-alarm',
} as const;

export function buildGpioHardware(
  driver: 'gpio-sysfs' | 'gpio-chardev',
  cfg: GpioConfig,
  opts: GpioFactoryOptions = {},
): GpioHardware {
  const logger = opts.logger;
  const relayOpts = { id: 'lock', pin: cfg.relay.pin, activeLow: cfg.relay.activeLow };
  let relay: Relay;
  let input: (id: string, c: GpioInputConfig) => DigitalInput;
  if (driver === 'gpio-sysfs') {
    const base = memo(() =>
      findChipBase({
        ...(opts.sysfsRoot ? { sysfsRoot: opts.sysfsRoot } : {}),
        label: cfg.chipLabel,
        base: cfg.chipBase,
      }),
    );
    const ctx = {
      gpioNumber: async (pin: number) => sysfsGpioNumber(pin, await base()),
      loadOnoff: memo(opts.loadOnoff ?? loadOnoff),
      logger,
    };
    relay = new SysfsRelay(relayOpts, ctx);
    input = (id, c) =>
      new SysfsInput(
        { id, pin: c.pin, activeLow: c.activeLow, debounceMs: c.debounceMs, pollMs: cfg.pollMs },
        ctx,
      );
  } else {
    const ctx = {
      chip: memo(() => resolveChardevChip(cfg.chardevChip, cfg.chipLabel, opts.env)),
      env: opts.env,
      restartDelayMs: opts.restartDelayMs,
      startSettleMs: opts.startSettleMs,
      logger,
    };
    relay = new ChardevRelay(relayOpts, ctx);
    input = (id, c) =>
      new ChardevInput(
        { id, pin: c.pin, activeLow: c.activeLow, debounceMs: c.debounceMs, bias: c.bias },
        ctx,
      );
  }
  const hw: GpioHardware = {
    relay,
    doorContact: input(INPUT_IDS.doorContact, cfg.doorContact),
    exitButton: input(INPUT_IDS.exitButton, cfg.exitButton),
  };
  if (cfg.tamper.enabled) hw.tamper = input(INPUT_IDS.tamper, cfg.tamper);
  if (cfg.fireAlarm.enabled) hw.fireAlarm = input(INPUT_IDS.fireAlarm, cfg.fireAlarm);
  // One pin per line is a configuration rule (config/gpio-rules.ts), checked when it is loaded.
  return hw;
}
