/**
 * BCM pin → sysfs GPIO number. Since kernel 6.6 the sysfs numbers on a Raspberry Pi no longer
 * equal the BCM numbers: each gpiochip gets a dynamic base (512 on a Pi 4, 571 on a Pi 5), and
 * onoff wants the sysfs number. Config speaks BCM; this finds the chip whose label is the Pi's pin
 * controller and adds its base. An explicit base (or label) in config overrides the search.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Pin-controller labels of the 40-pin header, most specific first. A Pi 5 also has
 * pinctrl-bcm2712 chips (SoC-internal lines), so pinctrl-rp1 must win over them.
 */
export const PI_HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export interface GpioChipInfo {
  /** Directory name, e.g. gpiochip512. */
  name: string;
  label: string;
  base: number;
  ngpio: number;
}

export interface ChipBaseOptions {
  /** Root of sysfs; tests point it at a fake tree. */
  sysfsRoot?: string;
  /** Label to look for instead of the known Pi labels. Empty: the known labels. */
  label?: string;
  /** Explicit base; a value >= 0 skips discovery entirely. */
  base?: number;
}

export interface ChipBase {
  base: number;
  /** Label of the chip it came from, or 'override'. */
  label: string;
}

/** Lists /sys/class/gpio/gpiochip* with label, base and ngpio. Missing class dir: empty list. */
export async function listGpioChips(sysfsRoot = '/sys'): Promise<GpioChipInfo[]> {
  const dir = join(sysfsRoot, 'class', 'gpio');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^gpiochip\d+$/.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const chips: GpioChipInfo[] = [];
  for (const name of names) {
    const read = (f: string) => readFile(join(dir, name, f), 'utf8').then((s) => s.trim());
    try {
      const [label, base, ngpio] = await Promise.all([read('label'), read('base'), read('ngpio')]);
      chips.push({ name, label, base: Number(base), ngpio: Number(ngpio) });
    } catch {
      // A chip directory without the usual attributes is not one we can use; skip it.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/** Finds the base of the Pi's header GPIO chip (or of the configured label / explicit base). */
export async function findChipBase(opts: ChipBaseOptions = {}): Promise<ChipBase> {
  if (opts.base !== undefined && opts.base >= 0) return { base: opts.base, label: 'override' };
  const chips = await listGpioChips(opts.sysfsRoot);
  const wanted = opts.label ? [opts.label] : PI_HEADER_CHIP_LABELS;
  for (const label of wanted) {
    // Some kernels append the device address (pinctrl-bcm2712@7d517c00); accept that form too.
    const chip = chips.find((c) => c.label === label || c.label.startsWith(`${label}@`));
    if (chip && Number.isInteger(chip.base)) return { base: chip.base, label: chip.label };
  }
  const seen = chips.map((c) => `${c.name}=${c.label}`).join(', ') || 'none';
  throw new Error(
    `no GPIO chip labelled ${wanted.join(' or ')} under ${join(opts.sysfsRoot ?? '/sys', 'class/gpio')} (found: ${seen}); set hardware.gpio.chipLabel or chipBase`,
  );
}

/** The sysfs number onoff expects for a BCM pin. */
export function sysfsGpioNumber(bcmPin: number, chip: ChipBase): number {
  return chip.base + bcmPin;
}
