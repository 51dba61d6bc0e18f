/**
 * Debian's gpiod tools (libgpiod 1.6) as text: the command lines this driver runs and the output
 * it reads back. Pure; tested with fixtures of real tool output (test/hardware/gpio/gpiod-parse.test.ts).
 */
import { PI_HEADER_CHIP_LABELS } from './chip-base.js';

export type Bit = 0 | 1;
export type GpioBias = 'as-is' | 'pull-up' | 'pull-down' | 'disable';

/** gpiomon output format: offset, edge (1 rising, 0 falling), timestamp. */
export const MON_FORMAT = '%o %e %s.%n';

export function gpiosetArgs(chip: string, offset: number, level: Bit, mode: 'signal' | 'exit'): string[] {
  return [`--mode=${mode}`, chip, `${offset}=${level}`];
}

function biasArgs(bias: GpioBias): string[] {
  return bias === 'as-is' ? [] : [`--bias=${bias}`];
}

export function gpiomonArgs(chip: string, offset: number, bias: GpioBias): string[] {
  // --line-buffered: stdout is a pipe, and block buffering would hold events back.
  return ['--line-buffered', `--format=${MON_FORMAT}`, ...biasArgs(bias), chip, String(offset)];
}

export function gpiogetArgs(chip: string, offset: number, bias: GpioBias): string[] {
  return [...biasArgs(bias), chip, String(offset)];
}

export interface MonEvent {
  offset: number;
  rising: boolean;
  /** Kernel timestamp in seconds (monotonic clock). */
  sec: number;
}

/** One gpiomon line, in our --format or gpiomon 1.6's default format; null for anything else. */
export function parseMonLine(line: string): MonEvent | null {
  const ours = /^\s*(\d+) ([01]) (\d+)\.(\d{1,9})\s*$/.exec(line);
  if (ours) {
    return {
      offset: Number(ours[1]),
      rising: ours[2] === '1',
      sec: Number(`${ours[3]}.${ours[4]!.padStart(9, '0')}`),
    };
  }
  const dflt = /^event:\s+(RISING|FALLING) EDGE offset:\s*(\d+) timestamp:\s*\[\s*(\d+)\.(\d+)\]\s*$/.exec(
    line,
  );
  if (dflt)
    return { offset: Number(dflt[2]), rising: dflt[1] === 'RISING', sec: Number(`${dflt[3]}.${dflt[4]}`) };
  return null;
}

/** gpioget prints one 0/1 per requested line. */
export function parseGpioget(out: string): Bit | null {
  const m = /^\s*([01])\s*$/.exec(out);
  return m ? (Number(m[1]) as Bit) : null;
}

export interface DetectedChip {
  name: string;
  label: string;
  lines: number;
}

/** `gpiochip0 [pinctrl-bcm2711] (58 lines)` per line. */
export function parseGpiodetect(out: string): DetectedChip[] {
  const chips: DetectedChip[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+) \[(.*)\] \((\d+) lines\)\s*$/.exec(line.trim());
    if (m) chips.push({ name: m[1]!, label: m[2]!, lines: Number(m[3]) });
  }
  return chips;
}

/** The chip holding the Pi's header pins, from gpiodetect's list. */
export function pickHeaderChip(chips: DetectedChip[], label = ''): DetectedChip | null {
  for (const want of label ? [label] : PI_HEADER_CHIP_LABELS) {
    const c = chips.find((x) => x.label === want || x.label.startsWith(`${want}@`));
    if (c) return c;
  }
  return null;
}
