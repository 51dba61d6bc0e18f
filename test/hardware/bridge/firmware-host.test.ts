/**
 * The firmware's own host tests (firmware-bridge/test/host-tests.c: framing against the golden
 * vectors, the bridge state machine, Wiegand, debounce), built with gcc and run from mocha so
 * `npm test` covers them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { FIRMWARE_DIR } from '../../fixtures/simavr-bridge.js';

describe('firmware-bridge host tests (C, same golden vectors)', () => {
  it('pass', () => {
    let out: string;
    try {
      out = execFileSync('make', ['-s', '-C', FIRMWARE_DIR, 'test'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer };
      assert.fail(
        `make -C firmware-bridge test failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`,
      );
    }
    const m = /(\d+) checks, (\d+) failed/.exec(out);
    assert.ok(m, out);
    assert.equal(m[2], '0');
    assert.ok(Number(m[1]) > 100);
  });
});
