/**
 * The gpiod tools as text: command lines built and tool output parsed, pure, against fixtures of
 * what libgpiod 1.6 prints.
 */
import assert from 'node:assert/strict';
import {
  gpiogetArgs,
  gpiomonArgs,
  gpiosetArgs,
  parseGpiodetect,
  parseGpioget,
  parseMonLine,
  pickHeaderChip,
} from '../../../src/hardware/gpio/gpiod-parse.js';
import { PI4_DETECT, PI5_DETECT } from './gpiodetect-fixtures.js';

describe('gpio chardev driver: gpiod commands and parsing', () => {
  it('gpioset holds the line in signal mode; the final write uses exit mode', () => {
    assert.deepEqual(gpiosetArgs('gpiochip0', 17, 1, 'signal'), ['--mode=signal', 'gpiochip0', '17=1']);
    assert.deepEqual(gpiosetArgs('/dev/gpiochip4', 5, 0, 'exit'), ['--mode=exit', '/dev/gpiochip4', '5=0']);
  });

  it('gpiomon is line-buffered with a parseable format and the configured bias', () => {
    assert.deepEqual(gpiomonArgs('gpiochip0', 27, 'pull-up'), [
      '--line-buffered',
      '--format=%o %e %s.%n',
      '--bias=pull-up',
      'gpiochip0',
      '27',
    ]);
    assert.deepEqual(gpiomonArgs('gpiochip0', 27, 'as-is').slice(2), ['gpiochip0', '27']);
    assert.deepEqual(gpiogetArgs('gpiochip0', 22, 'pull-down'), ['--bias=pull-down', 'gpiochip0', '22']);
  });

  it('parses our format and gpiomon 1.6 default lines; anything else is null', () => {
    assert.deepEqual(parseMonLine('27 1 1631.283812658'), { offset: 27, rising: true, sec: 1631.283812658 });
    assert.deepEqual(parseMonLine('22 0 5.42'), { offset: 22, rising: false, sec: 5.000000042 });
    assert.deepEqual(parseMonLine('event:  RISING EDGE offset: 17 timestamp: [    1631.283812658]'), {
      offset: 17,
      rising: true,
      sec: 1631.283812658,
    });
    assert.equal(parseMonLine('event: FALLING EDGE offset: 4 timestamp: [12.000000001]')?.rising, false);
    for (const junk of ['', '27', '27 2 1.0', 'x 1 1.0', 'event: RISING EDGE', '27 1 1.0 extra']) {
      assert.equal(parseMonLine(junk), null, JSON.stringify(junk));
    }
  });

  it('parses gpioget and gpiodetect output', () => {
    assert.equal(parseGpioget('1\n'), 1);
    assert.equal(parseGpioget('0'), 0);
    assert.equal(parseGpioget('0 1\n'), null);
    assert.equal(parseGpioget(''), null);
    assert.deepEqual(parseGpiodetect(PI4_DETECT)[0], {
      name: 'gpiochip0',
      label: 'pinctrl-bcm2711',
      lines: 58,
    });
    assert.equal(pickHeaderChip(parseGpiodetect(PI4_DETECT))?.name, 'gpiochip0');
    assert.equal(pickHeaderChip(parseGpiodetect(PI5_DETECT))?.name, 'gpiochip0');
    assert.equal(pickHeaderChip(parseGpiodetect(PI5_DETECT), 'gpio-brcmstb')?.name, 'gpiochip10');
    assert.equal(pickHeaderChip(parseGpiodetect('gpiochip0 [gpio-mockup-A] (8 lines)')), null);
  });
});
