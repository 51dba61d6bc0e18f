/**
 * The log must never stop the door: with its stdout reader gone (EPIPE), the real service keeps
 * answering, a badge still opens the door, the relock timer still fires, and it still stops on
 * SIGTERM. (pino's synchronous destination used to sleep on the main thread here, freezing every
 * timer, the relock included.)
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
        JURUKUNCI_DOOR__UNLOCK_SECONDS: '1',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // Read up to the setup token, then walk away: every later write of the child gets EPIPE.
      let out = '';
      const token = await new Promise<string>((resolve) => {
        child.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /token: (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
      });
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
      // A tap still opens the door and the relock timer still fires (the bug froze timers).
      const api = async (path: string, body: unknown, bearer?: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: {
            'content-type': 'application/json',
            ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const json = (await res.json()) as Record<string, unknown>;
        assert.ok(res.status < 300, `${path}: ${res.status} ${JSON.stringify(json)}`);
        return json;
      };
      await api('/api/setup', {
        token,
        username: 'kasi',
        displayName: 'Kepala Seksi',
        password: 'kasi-password-1',
        escort: true,
      });
      const { token: bearer, user } = (await api('/api/auth/login', {
        username: 'kasi',
        password: 'kasi-password-1',
      })) as {
        token: string;
        user: { id: string };
      };
      await api(
        '/api/badges',
        { uid: '04A1B2C3D4E5F6', label: 'Kasi', kind: 'staff', userId: user.id },
        bearer,
      );
      const tap = (await api('/api/sim/tap', { reader: 'entry', uid: '04A1B2C3D4E5F6' }, bearer)) as {
        result: { outcome: string };
        door: { lock: string };
      };
      assert.equal(tap.result.outcome, 'grant');
      assert.equal(tap.door.lock, 'unlocked');
      let lock = 'unlocked';
      for (let i = 0; i < 50 && lock !== 'locked'; i++) {
        await sleep(200);
        lock = ((await api('/api/door', undefined, bearer)) as { door: { lock: string } }).door.lock;
      }
      assert.equal(lock, 'locked', 'the relock timer fired with stdout gone');
      child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(15_000).then(() => 'hung' as const)]);
      assert.notEqual(code, 'hung', 'stopped on SIGTERM');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
