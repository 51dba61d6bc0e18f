/** BCM → sysfs number against fake /sys/class/gpio trees of a Pi 3 (old kernel), Pi 4 and Pi 5. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChipBase, listGpioChips, sysfsGpioNumber } from '../../../src/hardware/gpio/chip-base.js';

const roots: string[] = [];

function sysfs(chips: [label: string, base: number, ngpio: number][]): string {
  const root = mkdtempSync(join(tmpdir(), 'jk-chips-'));
  roots.push(root);
  const cls = join(root, 'class', 'gpio');
  mkdirSync(cls, { recursive: true });
  writeFileSync(join(cls, 'export'), '');
  for (const [label, base, ngpio] of chips) {
    const d = join(cls, `gpiochip${base}`);
    mkdirSync(d);
    writeFileSync(join(d, 'label'), `${label}\n`);
    writeFileSync(join(d, 'base'), `${base}\n`);
    writeFileSync(join(d, 'ngpio'), `${ngpio}\n`);
  }
  return root;
}

const PI4 = (): string =>
  sysfs([
    ['pinctrl-bcm2711', 512, 58],
    ['raspberrypi-exp-gpio', 570, 8],
  ]);
const PI5 = (): string =>
  sysfs([
    ['gpio-brcmstb@107d508500', 512, 32],
    ['gpio-brcmstb@107d508520', 544, 4],
    ['gpio-brcmstb@107d517c00', 548, 17],
    ['gpio-brcmstb@107d517c20', 565, 6],
    ['pinctrl-rp1', 571, 54],
    ['pinctrl-bcm2712@7d504100', 625, 4],
  ]);

describe('gpio chip base (BCM → sysfs number)', () => {
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('Pi 4 on kernel 6.6+: pinctrl-bcm2711 at 512, BCM 17 → 529', async () => {
    const chip = await findChipBase({ sysfsRoot: PI4() });
    assert.deepEqual(chip, { base: 512, label: 'pinctrl-bcm2711' });
    assert.equal(sysfsGpioNumber(17, chip), 529);
  });

  it('Pi 5: pinctrl-rp1 at 571 wins over the SoC chips, BCM 17 → 588', async () => {
    const chip = await findChipBase({ sysfsRoot: PI5() });
    assert.deepEqual(chip, { base: 571, label: 'pinctrl-rp1' });
    assert.equal(sysfsGpioNumber(17, chip), 588);
  });

  it('Pi 3 on an older kernel: pinctrl-bcm2835 at 0, BCM = sysfs', async () => {
    const chip = await findChipBase({ sysfsRoot: sysfs([['pinctrl-bcm2835', 0, 54]]) });
    assert.equal(sysfsGpioNumber(4, chip), 4);
  });

  it('an explicit base skips discovery (even with no GPIO class at all)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'jk-chips-'));
    roots.push(empty);
    assert.deepEqual(await findChipBase({ sysfsRoot: empty, base: 571 }), { base: 571, label: 'override' });
  });

  it('a configured label picks that chip; a label with @address also matches', async () => {
    const root = PI5();
    assert.equal((await findChipBase({ sysfsRoot: root, label: 'pinctrl-bcm2712' })).base, 625);
    assert.equal((await findChipBase({ sysfsRoot: root, label: 'gpio-brcmstb@107d517c00' })).base, 548);
  });

  it('no matching chip: an error naming what was found and the settings to use', async () => {
    await assert.rejects(findChipBase({ sysfsRoot: sysfs([['gpio-mockup-A', 512, 8]]) }), (err: Error) => {
      assert.match(err.message, /gpiochip512=gpio-mockup-A/);
      assert.match(err.message, /chipLabel or chipBase/);
      return true;
    });
    const none = mkdtempSync(join(tmpdir(), 'jk-chips-'));
    roots.push(none);
    await assert.rejects(findChipBase({ sysfsRoot: none }), /found: none/);
  });

  it('lists chips sorted by base and skips incomplete chip dirs', async () => {
    const root = PI4();
    mkdirSync(join(root, 'class', 'gpio', 'gpiochip999'));
    const chips = await listGpioChips(root);
    assert.deepEqual(
      chips.map((c) => [c.name, c.base, c.ngpio]),
      [
        ['gpiochip512', 512, 58],
        ['gpiochip570', 570, 8],
      ],
    );
  });
});
