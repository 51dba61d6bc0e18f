/**
 * The unit file, scored by systemd itself: `systemd-analyze security --offline=true` is
 * deterministic for a given file and systemd version, and `systemd-analyze verify` catches
 * unknown keys and bad values. The notifier is exercised against a real datagram socket.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SystemdNotifier } from '../../src/sd-notify.js';

const run = promisify(execFile);
const UNIT = 'systemd/jurukunci.service';

describe('systemd unit', () => {
  it('scores an exposure of at most 2.0 in systemd-analyze security', async () => {
    const { stdout } = await run('systemd-analyze', ['security', '--offline=true', UNIT]);
    const m = /Overall exposure level for jurukunci\.service: ([0-9.]+)/.exec(stdout);
    assert.ok(m, stdout.slice(-400));
    assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]}`);
  });

  it('passes systemd-analyze verify with no warnings', async () => {
    const { stdout, stderr } = await run('systemd-analyze', ['verify', UNIT]);
    assert.equal((stdout + stderr).trim(), '');
  });

  it('is Type=notify with a watchdog, no capabilities and the data dir as the only writable path', async () => {
    const { readFile } = await import('node:fs/promises');
    const unit = await readFile(UNIT, 'utf8');
    for (const line of [
      'Type=notify',
      'WatchdogSec=10s',
      'CapabilityBoundingSet=',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/jurukunci',
      'SystemCallFilter=@system-service',
    ])
      assert.ok(unit.split('\n').includes(line), line);
  });
});

describe('systemd notifier', () => {
  it('does nothing without NOTIFY_SOCKET', () => {
    const n = new SystemdNotifier({ env: {}, command: '/nonexistent' });
    assert.equal(n.enabled, false);
    assert.equal(n.watchdogPingMs, null);
    n.ready('x');
    n.stopping();
  });

  it('sends READY, STATUS, WATCHDOG at half the interval and STOPPING through systemd-notify to a real socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jk-notify-'));
    const sock = join(dir, 'notify.sock');
    // socat receives each datagram and prints it on a line of its own.
    const socat = spawn('socat', ['-u', `UNIX-RECV:${sock}`, 'STDOUT'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let got = '';
    socat.stdout.on('data', (b: Buffer) => {
      got += b.toString('utf8');
    });
    try {
      for (let i = 0; i < 100 && !(await exists(sock)); i++) await sleep(20);
      const ticks: (() => void)[] = [];
      const n = new SystemdNotifier({
        env: { ...process.env, NOTIFY_SOCKET: sock, WATCHDOG_USEC: '10000000' },
        setInterval: ((fn: () => void) => {
          ticks.push(fn);
          return { unref() {} } as unknown as NodeJS.Timeout;
        }) as unknown as typeof setInterval,
        clearInterval: (() => undefined) as typeof clearInterval,
      });
      assert.equal(n.watchdogPingMs, 5000);
      n.ready('door d1: normal, locked\nsecond line');
      await until(() => got.includes('READY=1'));
      assert.match(got, /STATUS=door d1: normal, locked second line/);
      assert.equal(ticks.length, 1, 'one watchdog timer');
      ticks[0]!();
      await until(() => got.includes('WATCHDOG=1'));
      n.stopping();
      await until(() => got.includes('STOPPING=1'));
    } finally {
      socat.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function exists(p: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(p).then(
    () => true,
    () => false,
  );
}
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !cond(); i++) await sleep(20);
  assert.ok(cond(), 'condition not met in 5 s');
}
