/**
 * Run by disk-reserve.test.ts inside a private mount namespace, with `dir` a small tmpfs: a state
 * store whose disk is filled to the last byte after a step, then that step reverted. Prints one
 * JSON line of what happened. `--no-reserve` releases the reserve first (the control).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { diskSpace } from '../../src/store/disk-reserve.js';
import { StateStore } from '../../src/store/state-store.js';
import { makeUser } from '../store/helpers.js';

const [dir, flag] = process.argv.slice(2) as [string, string | undefined];
const store = new StateStore(dir);
await store.start();
const reserveAtStart = store.reserve.bytes;
await store.commit({
  users: Array.from({ length: 50 }, (_, i) => makeUser({ id: `u${i}`, username: `user${i}` })),
});
const before = readFileSync(join(dir, 'state.json'), 'utf8');
// The step: one more user, written while there was room.
await store.commit({ users: [makeUser({ id: 'step', username: 'step' })] });
if (flag === '--no-reserve') store.reserve.release();
// Then the disk fills to the last byte.
const fd = openSync(join(dir, 'filler'), 'w');
const chunk = Buffer.alloc(4096, 1);
try {
  for (;;) writeSync(fd, chunk);
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
}
closeSync(fd);
const freeWhenFull = diskSpace(dir).freeBytes;
let error: string | null = null;
try {
  await store.revert({}, [], { users: ['step'] });
} catch (err) {
  error = (err as NodeJS.ErrnoException).code ?? String(err);
}
const after = readFileSync(join(dir, 'state.json'), 'utf8');
const reserveAfter = store.reserve.bytes;
// Space returns; the next write makes the reserve again.
unlinkSync(join(dir, 'filler'));
await store.commit({ users: [makeUser({ id: 'later', username: 'later' })] });
process.stdout.write(
  `${JSON.stringify({
    reserveAtStart,
    reserveAfter,
    reserveOnceSpaceReturns: store.reserve.bytes,
    freeWhenFull,
    error,
    revertedOnDisk: after === before,
    inMemory: store.user('step') !== undefined,
  })}\n`,
);
