/**
 * The door's relay and inputs for the configured driver: simulated lines (the default, so the
 * service runs without hardware), GPIO, or the firmware bridge (one serial link for relay, inputs
 * and its Wiegand reader). The composition root calls this and starts what it gets.
 */
import type { Logger } from 'pino';
import type { HardwareConfig } from '../config/schema.js';
import { buildBridgeHardware } from './bridge/index.js';
import { BridgeLinkModule } from './bridge/link-module.js';
import { buildGpioHardware, type GpioFactoryOptions, INPUT_IDS } from './gpio/index.js';
import type { DigitalInput, Relay } from './interfaces.js';
import { SimInput, SimRelay } from './sim/sim-drivers.js';

export interface SimDoorHardware {
  relay: SimRelay;
  doorContact: SimInput;
  exitButton: SimInput;
  tamper: SimInput;
  fireAlarm: SimInput;
}

export interface DoorHardware {
  relay: Relay;
  doorContact: DigitalInput;
  exitButton: DigitalInput;
  tamper?: DigitalInput;
  fireAlarm?: DigitalInput;
  /** The simulated lines when driver is sim, else null. */
  sim: SimDoorHardware | null;
  /** The bridge's shared link when driver is bridge (started first, once), else null. */
  bridge: BridgeLinkModule | null;
}

export function buildDoorHardware(
  config: HardwareConfig,
  opts: GpioFactoryOptions & { logger?: Logger } = {},
): DoorHardware {
  if (config.driver === 'sim') {
    // Tamper and fire alarm exist in the simulation too; they stay inactive until set.
    const sim: SimDoorHardware = {
      relay: new SimRelay('lock'),
      doorContact: new SimInput(INPUT_IDS.doorContact),
      exitButton: new SimInput(INPUT_IDS.exitButton),
      tamper: new SimInput(INPUT_IDS.tamper),
      fireAlarm: new SimInput(INPUT_IDS.fireAlarm),
    };
    return { ...sim, sim, bridge: null };
  }
  if (config.driver === 'bridge') {
    // Validation requires the block with this driver (src/config/bridge-rules.ts).
    if (!config.bridge) throw new Error("hardware.driver 'bridge' needs hardware.bridge.path");
    const { link, relay, doorContact, exitButton, tamper, fireAlarm } = buildBridgeHardware(
      config.bridge,
      opts.logger,
    );
    return {
      relay,
      doorContact,
      exitButton,
      tamper,
      fireAlarm,
      sim: null,
      bridge: new BridgeLinkModule(link),
    };
  }
  return { ...buildGpioHardware(config.driver, config.gpio, opts), sim: null, bridge: null };
}
