/**
 * Disk full (issue #12 §3): the real service in a private mount namespace whose data dir is a
 * 4 MB tmpfs. The test fills that tmpfs through /proc/<pid>/root (the namespace's view of the
 * files) and then drives the process over HTTP: entry is refused (`journal_unavailable`, fail
 * secure), exit and the exit button still open, procedure steps answer 503 and leave no trace, and
 * once the filler is deleted the same process grants again and its journal verifies.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyJournal } from '../../src/store/journal-verify.js';
import { freePort } from '../fixtures/mosquitto.js';
import { visitRequest } from '../fixtures/runtime.js';
import { ServiceProcess } from '../fixtures/service-process.js';
import { untilValue } from '../fixtures/wait.js';

type Snap = { lock: string; mode: string; inside: unknown[] };
type TapReply = { result: { outcome: string; reason?: string }; door: Snap };

/** Writes zeros into `file` until the filesystem says ENOSPC; returns the bytes written. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  let total = 0;
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          total += writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

describe('fault: disk full (real tmpfs in a private mount namespace, real service process)', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'jk-diskfull-'));
  let service: ServiceProcess;
  /** The data dir as the service sees it (inside its mount namespace). */
  let inside: (...p: string[]) => string;

  before(async () => {
    const httpPort = await freePort();
    service = new ServiceProcess({
      env: {
        JURUKUNCI_DATA_DIR: dir,
        JURUKUNCI_HTTP__PORT: String(httpPort),
        JURUKUNCI_MQTT__ENABLED: 'false',
        JURUKUNCI_LOG__LEVEL: 'info',
        JURUKUNCI_DOOR__UNLOCK_SECONDS: '0.2',
      },
      httpPort,
      // unshare execs sh, which mounts the tmpfs over the data dir and execs node: the pid the
      // test holds is the service's, and /proc/<pid>/root shows its private mount.
      wrap: (argv) => ({
        cmd: 'unshare',
        args: [
          '-m',
          '--propagation',
          'private',
          '--',
          'sh',
          '-c',
          'mount -t tmpfs -o size=4m,mode=0700 jk-diskfull "$0" && exec "$@"',
          dir,
          ...argv,
        ],
      }),
    });
    await service.start();
    const pid = service.proc!.pid!;
    inside = (...p) => join(`/proc/${pid}/root`, dir, ...p);
    // Proof that the data dir is the private tmpfs, not the host's directory under it.
    const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    assert.ok(
      mounts.split('\n').some((l) => l.includes(` ${dir} `) && l.includes(' - tmpfs ')),
      mounts,
    );
    assert.deepEqual(readdirSync(dir), [], 'the host directory under the mount stays empty');
  });
  after(async () => {
    await service?.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it('denies entry, still opens for exit, refuses steps with 503 and no trace, and recovers without a restart', async () => {
    const setup = await service.api('/api/setup', {
      token: service.setupToken(),
      username: 'kasi',
      displayName: 'Kepala Seksi',
      password: 'kasi-password-1',
      escort: false,
    });
    assert.equal(setup.status, 201, JSON.stringify(setup.json));
    const kasiId = (setup.json.user as { id: string }).id;
    const token = await service.login();
    const badge = await service.api(
      '/api/badges',
      { uid: '04A1B2C3D4E5F6', label: 'Kasi', kind: 'staff', userId: kasiId },
      token,
    );
    assert.equal(badge.status, 201, JSON.stringify(badge.json));
    const budi = await service.api(
      '/api/users',
      { username: 'budi', displayName: 'Budi', role: 'admin', escort: true, password: 'budi-password-1' },
      token,
    );
    assert.equal(budi.status, 201, JSON.stringify(budi.json));
    const budiBadge = await service.api(
      '/api/badges',
      { uid: '04B1B2C3D4E5F6', label: 'Budi', kind: 'staff', userId: (budi.json.user as { id: string }).id },
      token,
    );
    assert.equal(budiBadge.status, 201, JSON.stringify(budiBadge.json));
    const visit = await service.api('/api/visits', visitRequest(new Date(), { devicesIn: [] }), token);
    assert.equal(visit.status, 201, JSON.stringify(visit.json));
    const visitId = (visit.json.visit as { id: string }).id;

    const tap = async (reader: string, uid: string) => {
      const r = await service.api('/api/sim/tap', { reader, uid }, token);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json as unknown as TapReply;
    };
    const health = async () => {
      const r = await service.request('GET', '/healthz', undefined, token);
      return r as {
        status: number;
        json: {
          ok: boolean;
          journal: { ok: boolean; error: string | null };
          modules: { disk: { state: string; detail: string } } & Record<string, { state: string }>;
        };
      };
    };
    const locked = () =>
      untilValue('the lock to close again', async () => {
        const r = await service.request('GET', '/api/door', undefined, token);
        return (r.json.door as Snap).lock === 'locked' ? true : undefined;
      });

    // Before: the badge opens, and its holder walks out again.
    assert.equal((await tap('entry', '04A1B2C3D4E5F6')).result.outcome, 'grant');
    assert.equal((await tap('exit', '04A1B2C3D4E5F6')).result.outcome, 'exit');
    await locked();
    assert.equal((await health()).json.journal.ok, true);

    // Someone is inside for the exit test: kasi enters once more and stays.
    assert.equal((await tap('entry', '04A1B2C3D4E5F6')).result.outcome, 'grant');
    await locked();

    const filled = fillDisk(inside('filler'));
    assert.ok(filled > 0);
    const stateBefore = readFileSync(inside('state.json'));
    const journalBefore = readdirSync(inside('journal'))
      .sort()
      .map((n) => [n, readFileSync(inside('journal', n))] as const);

    // The journal's last page may still hold a few lines: taps of an unknown card use it up
    // until the journal reports the disk full (each tap is still answered, and denied).
    const down = await untilValue(
      'the journal to report the full disk',
      async () => {
        const t = await tap('entry', 'DEADBEEF');
        assert.equal(t.result.outcome, 'deny');
        const h = await health();
        return h.json.journal.ok ? undefined : h;
      },
      20_000,
      0,
    );
    assert.equal(down.status, 503);
    assert.equal(down.json.ok, false);
    assert.match(String(down.json.journal.error), /ENOSPC/);
    // The disk itself shows full, and the undo reserve is still held (no step needed it).
    assert.equal(down.json.modules.disk.state, 'down', JSON.stringify(down.json.modules.disk));
    assert.match(down.json.modules.disk.detail, /^full: 0\.0 MB free of 4\.0 MB; undo reserve 1\.0 MB$/);
    const anonymous = await service.request('GET', '/healthz');
    assert.equal(anonymous.status, 503);

    // Entry: fail secure.
    const entry = await tap('entry', '04B1B2C3D4E5F6');
    assert.equal(entry.result.outcome, 'deny');
    assert.equal(entry.result.reason, 'journal_unavailable');
    assert.equal(entry.door.lock, 'locked');

    // Exit by badge and by the button: never trap anyone.
    const exit = await tap('exit', '04A1B2C3D4E5F6');
    assert.equal(exit.result.outcome, 'exit');
    assert.equal(exit.door.lock, 'unlocked');
    await locked();
    const button = await service.api('/api/sim/exit-button', {}, token);
    assert.equal(button.status, 200, JSON.stringify(button.json));
    assert.equal((button.json.door as Snap).lock, 'unlocked');
    await locked();

    // Procedure steps: 503 with a coded error, and nothing half-written.
    const verify = await service.api(
      `/api/visits/${visitId}/verify`,
      { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
      token,
    );
    assert.equal(verify.status, 503, JSON.stringify(verify.json));
    assert.match((verify.json.error as { code: string }).code, /^(store|journal)_unavailable$/);
    const submit = await service.api(
      '/api/visits',
      {
        visitor: {
          name: 'Sari Dewi',
          nik: '3319014507900003',
          organisation: 'PT Muria',
          phone: '081234567891',
        },
        purpose: 'Cek UPS',
        window: {
          start: new Date(Date.now() - 60_000).toISOString(),
          end: new Date(Date.now() + 3600_000).toISOString(),
        },
        letterNumber: '005/124/2026',
        devicesIn: [],
      },
      token,
    );
    assert.equal(submit.status, 503, JSON.stringify(submit.json));
    assert.deepEqual(readFileSync(inside('state.json')), stateBefore, 'state.json byte-identical');
    const journalNow = readdirSync(inside('journal'))
      .sort()
      .map((n) => [n, readFileSync(inside('journal', n))] as const);
    assert.deepEqual(
      journalNow.map(([n]) => n),
      journalBefore.map(([n]) => n),
    );
    for (const [i, [name, bytes]] of journalNow.entries()) {
      const old = journalBefore[i]![1];
      // Only whole lines were added (the denied taps that still fitted), never a torn one.
      assert.deepEqual(bytes.subarray(0, old.length), old, `${name} only appended to`);
      assert.equal(bytes.length === 0 || bytes[bytes.length - 1] === 10, true, `${name} ends with a newline`);
    }
    const leftovers = readdirSync(inside()).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'no temp files left');
    const visitNow = await service.request('GET', `/api/visits/${visitId}`, undefined, token);
    assert.equal((visitNow.json.visit as { state: string }).state, 'submitted');

    // Space returns: the same process grants, steps work, health says so.
    rmSync(inside('filler'));
    const again = await tap('entry', '04B1B2C3D4E5F6');
    assert.equal(again.result.outcome, 'grant');
    const up = await health();
    assert.equal(up.json.journal.ok, true, JSON.stringify(up.json));
    assert.equal(up.status, 200);
    // 4 MB is below the low-space mark: degraded, with the free space in the detail.
    assert.equal(up.json.modules.disk.state, 'degraded');
    assert.match(up.json.modules.disk.detail, /MB free of 4\.0 MB/);
    const verified = await service.api(
      `/api/visits/${visitId}/verify`,
      { formComplete: true, ktpHeld: true, ktpTray: 'A1' },
      token,
    );
    assert.equal(verified.status, 200, JSON.stringify(verified.json));
    assert.equal((verified.json.visit as { state: string }).state, 'verified');

    const v = verifyJournal(inside('journal'));
    assert.equal(v.ok, true, JSON.stringify(v.firstBad));
    assert.ok(v.events > 0);
  });
});
