/**
 * A state.json that is gone (not damaged: absent, and no .prev beside it) while the journal
 * records users, badges or visits is a lost file, not a first start: the service refuses to start
 * empty (which would print a setup token over a door with a history). A journal with only door
 * events (taps before anyone was set up) still starts.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../src/app.js';
import { AppError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/logger.js';
import { seedPeople, startRig } from '../fixtures/runtime.js';

describe('store: state.json lost behind a journal', () => {
  it('refuses to start with state_file_corrupt naming the file and the journal event, changes nothing', async () => {
    const rig = await startRig();
    await seedPeople(rig);
    await rig.rt.stop();
    const config = rig.rt.config;
    try {
      for (const f of ['state.json', 'state.json.prev']) rmSync(join(rig.dir, f), { force: true });
      const seq = rig.rt.journal.seq;
      const rt = new Runtime({ config, logger: createLogger('silent'), listen: false });
      await assert.rejects(rt.start(), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'state_file_corrupt');
        assert.match(
          err.message,
          /state\.json: missing, while the journal records user\.created \(seq \d+\)/,
        );
        return true;
      });
      // Nothing was written: no system.started, no new state file.
      const again = new Runtime({ config, logger: createLogger('silent'), listen: false });
      again.journal.start();
      assert.equal(again.journal.seq, seq);
    } finally {
      rmSync(rig.dir, { recursive: true, force: true });
    }
  });

  it('a journal of door events only (nobody set up yet) is a first start', async () => {
    const rig = await startRig();
    rig.rt.door.onCredential({ kind: 'nfc', value: 'DEADBEEF', readerId: 'entry' }, 'entry');
    await rig.rt.stop();
    rmSync(join(rig.dir, 'state.json'), { force: true });
    const rt = new Runtime({ config: rig.rt.config, logger: createLogger('silent'), listen: false });
    try {
      await rt.start();
      assert.equal(rt.users.hasAnyUser(), false);
    } finally {
      await rt.stop();
      rmSync(rig.dir, { recursive: true, force: true });
    }
  });
});
