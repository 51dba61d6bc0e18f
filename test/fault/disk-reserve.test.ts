/**
 * The disk reserve (src/store/disk-reserve.ts) on a real full disk: a 4 MB tmpfs in a private
 * mount namespace, filled to the last byte after a procedure step was written. Undoing that step
 * (what services/transaction.ts does when the journal refuses the step's events) needs room on
 * that disk: the reserve is released and the undo lands. Without a reserve the same undo fails
 * with ENOSPC — the half-done step the reserve exists to prevent.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHILD = new URL('./disk-reserve-child.ts', import.meta.url).pathname;

interface Outcome {
  reserveAtStart: number;
  reserveAfter: number;
  reserveOnceSpaceReturns: number;
  freeWhenFull: number;
  error: string | null;
  revertedOnDisk: boolean;
  inMemory: boolean;
}

async function inFullDisk(...flags: string[]): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'jk-reserve-'));
  try {
    const { stdout } = await run(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        'mount -t tmpfs -o size=4m,mode=0700 jk-reserve "$0" && exec "$@"',
        dir,
        process.execPath,
        '--import',
        'tsx',
        CHILD,
        dir,
        ...flags,
      ],
      { timeout: 30_000 },
    );
    // The tmpfs was private to the child: nothing of it is left in the host's directory.
    assert.deepEqual(readdirSync(dir), []);
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fault: the disk reserve on a real full disk (tmpfs in a private mount namespace)', function () {
  this.timeout(60_000);

  it('the undo of a step lands on a disk filled to the last byte: the reserve makes the room', async () => {
    const o = await inFullDisk();
    assert.equal(o.reserveAtStart, 1024 * 1024, 'a 1 MiB reserve made at start');
    assert.equal(o.freeWhenFull, 0, 'the disk was full');
    assert.equal(o.error, null);
    assert.equal(o.revertedOnDisk, true, 'state.json is as before the step');
    assert.equal(o.inMemory, false, 'and so is the store in memory');
    assert.equal(o.reserveAfter, 0, 'the reserve was spent');
    assert.equal(o.reserveOnceSpaceReturns, 1024 * 1024, 'and made again once the disk had room');
  });

  it('without the reserve the same undo fails with ENOSPC and the step stays half-done', async () => {
    const o = await inFullDisk('--no-reserve');
    assert.equal(o.freeWhenFull, 0);
    assert.equal(o.error, 'ENOSPC');
    assert.equal(o.revertedOnDisk, false);
    assert.equal(o.inMemory, true);
  });
});
