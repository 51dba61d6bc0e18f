/**
 * The log must never stop the door: with its stdout reader gone (EPIPE), the real service keeps
 * answering and still stops on SIGTERM. (pino's synchronous destination used to sleep on the main
 * thread here, freezing every timer, the relock included.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../fixtures/mosquitto.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('service with its stdout closed', function () {
  this.timeout(60_000);

  it('keeps serving and stops on SIGTERM after its log pipe breaks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jk-stdout-'));
    const port = await freePort();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JURUKUNCI_')));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], {
      env: {
        ...env,
        JURUKUNCI_DATA_DIR: dir,
        JURUKUNCI_HTTP__PORT: String(port),
        JURUKUNCI_MQTT__ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // Read the first bytes, then walk away: every later write of the child gets EPIPE.
      await new Promise<void>((r) => child.stdout!.once('data', () => r()));
      child.stdout!.destroy();
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        await sleep(200);
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (res) => res.status,
          () => 0,
        );
      }
      assert.equal(status, 200, 'the service answers with its stdout gone');
      // Logs are written on every request; it must still be responsive afterwards.
      for (let i = 0; i < 20; i++) {
        assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      }
      child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(15_000).then(() => 'hung' as const)]);
      assert.notEqual(code, 'hung', 'stopped on SIGTERM');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
