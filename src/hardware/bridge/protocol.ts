/**
 * The bridge's messages (firmware-bridge/PROTOCOL.md; the numbers mirror
 * firmware-bridge/src/protocol.h): type codes, and payloads to and from bytes. Multi-byte fields
 * are little-endian.
 */

export const MSG = {
  hello: 0x01,
  heartbeat: 0x02,
  relay: 0x03,
  input: 0x04,
  card: 0x05,
  ack: 0x06,
  nack: 0x07,
  fault: 0x08,
  resetFault: 0x09,
} as const;

export const RELAY_MODE = { release: 0, pulse: 1, hold: 2 } as const;

export const NACK_REASONS = {
  1: 'replay',
  2: 'epoch',
  3: 'no_session',
  4: 'fault_latched',
  5: 'bad_payload',
  6: 'unknown_type',
} as const;
export type NackReason = (typeof NACK_REASONS)[keyof typeof NACK_REASONS] | 'unknown';

export const FAULT = { hostLost: 0x01, watchdogReset: 0x02, brownoutReset: 0x04 } as const;
export const RESET_CAUSE = { powerOn: 0x01, external: 0x02, brownout: 0x04, watchdog: 0x08 } as const;

/** Input numbers on the wire; true means open / pressed / tampered / alarm. */
export const INPUTS = ['contact', 'exit', 'tamper', 'fire'] as const;
export type BridgeInputName = (typeof INPUTS)[number];

export const CARD_FORMATS = ['raw', 'H10301', '34-bit', 'H10304'] as const;
export const CARD_STATUS = ['ok', 'parity_error', 'too_long'] as const;

export const REX_MODE = { off: 0, hostAbsent: 1, always: 2 } as const;

export interface HostHello {
  heartbeatTimeoutMs: number;
  maxPulseMs: number;
  rexPulseMs: number;
  rexMode: number;
}

export interface McuHello {
  proto: number;
  firmware: string;
  caps: number;
  resetCause: number;
  faults: number;
  heartbeatTimeoutMs: number;
  maxPulseMs: number;
  rexPulseMs: number;
  rexMode: number;
  refSeq: number;
}

export interface McuHeartbeat {
  uptimeMs: number;
  faults: number;
  relay: boolean;
  inputs: number;
  rxDropped: number;
}

export interface InputEvent {
  input: number;
  active: boolean;
  atMs: number;
  all: number;
}

export interface CardRead {
  bits: number;
  format: (typeof CARD_FORMATS)[number] | 'unknown';
  status: (typeof CARD_STATUS)[number] | 'unknown';
  facility: number;
  card: number;
  /** The bits as received, MSB first, zero-padded (at most 64 bits kept). */
  raw: Buffer;
}

export interface Ack {
  refSeq: number;
  value: number;
}

export interface Nack {
  refSeq: number;
  reason: NackReason;
}

export interface FaultReport {
  faults: number;
  raised: number;
}

export function encodeHostHello(h: HostHello): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 1;
  b.writeUInt16LE(h.heartbeatTimeoutMs, 1);
  b.writeUInt16LE(h.maxPulseMs, 3);
  b.writeUInt16LE(h.rexPulseMs, 5);
  b[7] = h.rexMode;
  return b;
}

export function encodeRelay(mode: number, ms: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = mode;
  b.writeUInt32LE(Math.min(Math.max(0, Math.round(ms)), 0xffffffff), 1);
  return b;
}

export function encodeResetFault(mask: number): Buffer {
  return Buffer.of(mask & 0xff);
}

/** Each decoder returns null for a payload too short for its type. */
export function decodeMcuHello(p: Buffer): McuHello | null {
  if (p.length < 17) return null;
  return {
    proto: p[0]!,
    firmware: `${p[1]}.${p[2]}.${p[3]}`,
    caps: p.readUInt16LE(4),
    resetCause: p[6]!,
    faults: p[7]!,
    heartbeatTimeoutMs: p.readUInt16LE(8),
    maxPulseMs: p.readUInt16LE(10),
    rexPulseMs: p.readUInt16LE(12),
    rexMode: p[14]!,
    refSeq: p.readUInt16LE(15),
  };
}

export function decodeMcuHeartbeat(p: Buffer): McuHeartbeat | null {
  if (p.length < 9) return null;
  return {
    uptimeMs: p.readUInt32LE(0),
    faults: p[4]!,
    relay: p[5] !== 0,
    inputs: p[6]!,
    rxDropped: p.readUInt16LE(7),
  };
}

export function decodeInput(p: Buffer): InputEvent | null {
  if (p.length < 7) return null;
  return { input: p[0]!, active: p[1] !== 0, atMs: p.readUInt32LE(2), all: p[6]! };
}

export function decodeCard(p: Buffer): CardRead | null {
  if (p.length < 9) return null;
  return {
    bits: p[0]!,
    format: CARD_FORMATS[p[1]!] ?? 'unknown',
    status: CARD_STATUS[p[2]!] ?? 'unknown',
    facility: p.readUInt16LE(3),
    card: p.readUInt32LE(5),
    raw: Buffer.from(p.subarray(9)),
  };
}

export function decodeAck(p: Buffer): Ack | null {
  if (p.length < 6) return null;
  return { refSeq: p.readUInt16LE(0), value: p.readUInt32LE(2) };
}

export function decodeNack(p: Buffer): Nack | null {
  if (p.length < 3) return null;
  const reason = NACK_REASONS[p[2]! as keyof typeof NACK_REASONS] ?? 'unknown';
  return { refSeq: p.readUInt16LE(0), reason };
}

export function decodeFault(p: Buffer): FaultReport | null {
  if (p.length < 2) return null;
  return { faults: p[0]!, raised: p[1]! };
}

/** Fault bits as names, for health and logs. */
export function faultNames(mask: number): string[] {
  const out: string[] = [];
  if (mask & FAULT.hostLost) out.push('host_lost');
  if (mask & FAULT.watchdogReset) out.push('watchdog_reset');
  if (mask & FAULT.brownoutReset) out.push('brownout_reset');
  return out;
}

export function resetCauseNames(mask: number): string[] {
  const out: string[] = [];
  if (mask & RESET_CAUSE.powerOn) out.push('power_on');
  if (mask & RESET_CAUSE.external) out.push('external');
  if (mask & RESET_CAUSE.brownout) out.push('brownout');
  if (mask & RESET_CAUSE.watchdog) out.push('watchdog');
  return out;
}
