/**
 * The bridge link's options (with their defaults), its one table of reply timeouts, its events,
 * counters and errors.
 */
import { configSchema } from '../../config/schema.js';
import type { DropReason } from './frame.js';
import { DROP_REASONS } from './frame.js';
import type {
  CardRead,
  FaultReport,
  InputEvent,
  McuHeartbeat,
  McuHello,
  NackReason,
  REX_MODE,
} from './protocol.js';

export interface BridgeLinkOptions {
  /** /dev/ttyUSB0, or better a /dev/serial/by-id/... link. */
  path: string;
  baudRate: number;
  heartbeatMs: number;
  /** Sent in HELLO: the MCU releases the relay after this long without the host. */
  heartbeatTimeoutMs: number;
  /** Sent in HELLO: the longest pulse the MCU will grant (it caps this at 30 s itself). */
  maxPulseMs: number;
  rexPulseMs: number;
  /** When the exit button pulses the relay without asking the host. */
  rexMode: keyof typeof REX_MODE;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Clear latched faults once they have been reported (logged and emitted as 'fault'). */
  autoResetFaults: boolean;
}

const FIELDS = configSchema.properties.hardware.properties.bridge.properties;

/** The defaults of `hardware.bridge` (src/config/schema.ts is their one home). */
export const BRIDGE_LINK_DEFAULTS: Omit<BridgeLinkOptions, 'path'> = {
  baudRate: FIELDS.baudRate.default,
  heartbeatMs: FIELDS.heartbeatMs.default,
  heartbeatTimeoutMs: FIELDS.heartbeatTimeoutMs.default,
  maxPulseMs: FIELDS.maxPulseMs.default,
  rexPulseMs: FIELDS.rexPulseMs.default,
  rexMode: FIELDS.rexMode.default,
  reconnectMinMs: FIELDS.reconnectMinMs.default,
  reconnectMaxMs: FIELDS.reconnectMaxMs.default,
  autoResetFaults: FIELDS.autoResetFaults.default,
};

/** The one table of reply timeouts. */
export const BRIDGE_TIMEOUTS_MS = { hello: 1000, command: 500 } as const;

export class BridgeNackError extends Error {
  constructor(
    readonly reason: NackReason,
    what: string,
  ) {
    super(`bridge refused ${what}: ${reason}`);
    this.name = 'BridgeNackError';
  }
}

export interface BridgeLinkEvents {
  session: [McuHello & { epoch: number }];
  input: [InputEvent];
  card: [CardRead];
  fault: [FaultReport];
  heartbeat: [McuHeartbeat];
  /** The MCU says the relay is (or is no longer) energised. */
  relay: [boolean];
  down: [string];
}

/** What the link lost, and why: health and the bench read these. */
export interface BridgeLinkStats {
  framesIn: number;
  dropped: Record<DropReason, number>;
  /** MCU frames never seen (gaps in its sequence numbers). */
  lost: number;
  nacks: Partial<Record<NackReason, number>>;
  timeouts: number;
  sessions: number;
}

export function emptyStats(): BridgeLinkStats {
  return {
    framesIn: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
    lost: 0,
    nacks: {},
    timeouts: 0,
    sessions: 0,
  };
}
