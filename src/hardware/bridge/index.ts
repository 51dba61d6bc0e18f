/**
 * Builds the door's hardware on a firmware bridge (firmware-bridge/): one link, and the relay,
 * inputs and Wiegand reader on it. Constructors only: the port opens when the first device starts.
 */
import type { Logger } from 'pino';
import { BridgeInput, BridgeRelay, BridgeWiegandReader } from './devices.js';
import { BridgeLink } from './link.js';
import { BRIDGE_LINK_DEFAULTS, type BridgeLinkOptions } from './link-options.js';

export interface BridgeHardware {
  link: BridgeLink;
  relay: BridgeRelay;
  doorContact: BridgeInput;
  exitButton: BridgeInput;
  tamper: BridgeInput;
  fireAlarm: BridgeInput;
  reader: BridgeWiegandReader;
}

export function buildBridgeHardware(
  opts: Partial<BridgeLinkOptions> & { path: string },
  logger?: Logger,
  readerId = 'wiegand',
): BridgeHardware {
  const link = new BridgeLink({ ...BRIDGE_LINK_DEFAULTS, ...opts }, logger?.child({ module: 'bridge' }));
  return {
    link,
    relay: new BridgeRelay('lock', link, logger),
    doorContact: new BridgeInput('door-contact', 'contact', link),
    exitButton: new BridgeInput('exit-button', 'exit', link),
    tamper: new BridgeInput('tamper', 'tamper', link),
    fireAlarm: new BridgeInput('fire-alarm', 'fire', link),
    reader: new BridgeWiegandReader(readerId, link, logger),
  };
}

export { BRIDGE_LINK_DEFAULTS, BRIDGE_TIMEOUTS_MS, type BridgeLinkOptions } from './link-options.js';
