/**
 * Firmware-bridge rules the JSON schema cannot say: the bridge driver needs its device, a
 * bridge-wiegand reader needs the bridge driver (and there is one Wiegand port), and the heartbeat
 * must come well within the timeout the bridge waits for it.
 */
import type { HardwareConfig, ReaderConfig } from './schema.js';

/** Every problem as `path message`. */
export function bridgeConfigProblems(hw: HardwareConfig, readers: readonly ReaderConfig[]): string[] {
  const problems: string[] = [];
  const onBridge = hw.driver === 'bridge';
  if (onBridge && !hw.bridge?.path) {
    problems.push("hardware.bridge must have required property 'path' (the bridge driver's serial device)");
  }
  const b = hw.bridge;
  if (onBridge && b && b.heartbeatMs >= b.heartbeatTimeoutMs) {
    problems.push(
      `hardware.bridge.heartbeatMs ${b.heartbeatMs} must be less than hardware.bridge.heartbeatTimeoutMs ${b.heartbeatTimeoutMs}`,
    );
  }
  let wiegand: number | null = null;
  readers.forEach((r, i) => {
    if (r.driver !== 'bridge-wiegand') return;
    if (!onBridge) {
      problems.push(`readers.${i}.driver 'bridge-wiegand' needs hardware.driver 'bridge'`);
    } else if (wiegand !== null) {
      problems.push(`readers.${i} the bridge has one Wiegand reader, already readers.${wiegand}`);
    }
    wiegand ??= i;
  });
  return problems;
}
