/** GPIO rules the JSON schema cannot say: one BCM pin per line. */
import type { HardwareConfig } from './schema.js';

/** Every problem as `path message`; [] with the sim and bridge drivers, which use no Pi pins. */
export function gpioConfigProblems(hw: HardwareConfig): string[] {
  if (hw.driver === 'sim' || hw.driver === 'bridge') return [];
  const g = hw.gpio;
  const lines: [string, number][] = [
    ['relay', g.relay.pin],
    ['doorContact', g.doorContact.pin],
    ['exitButton', g.exitButton.pin],
  ];
  if (g.tamper.enabled) lines.push(['tamper', g.tamper.pin]);
  if (g.fireAlarm.enabled) lines.push(['fireAlarm', g.fireAlarm.pin]);
  const firstUse = new Map<number, string>();
  const problems: string[] = [];
  for (const [line, pin] of lines) {
    const earlier = firstUse.get(pin);
    if (earlier === undefined) firstUse.set(pin, line);
    else
      problems.push(
        `hardware.gpio.${line}.pin BCM ${pin} is used by two lines (also hardware.gpio.${earlier}.pin)`,
      );
  }
  return problems;
}
