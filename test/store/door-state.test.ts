import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type DoorStateData, DoorStateFile } from '../../src/store/door-state.js';
import { tempDir } from './helpers.js';

describe('store/door-state', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('jurukunci-door-'));
  });
  afterEach(() => cleanup());

  const inside: DoorStateData = {
    mode: 'lockdown',
    occupancy: [
      {
        badgeId: 'b1',
        kind: 'staff',
        userId: 'u1',
        visitId: null,
        name: 'Escort One',
        since: '2025-01-10T08:00:00.000Z',
      },
      {
        badgeId: 'b2',
        kind: 'visitor',
        userId: null,
        visitId: 'v1',
        name: 'Budi',
        escortedBy: ['u1'],
        since: '2025-01-10T08:00:01.000Z',
      },
    ],
  };

  it('loads normal mode and nobody inside when nothing was saved', async () => {
    assert.deepEqual(await new DoorStateFile(dir).load(), { mode: 'normal', occupancy: [] });
  });

  it('saves durably to door.json and a new instance (a restart) loads the same mode and occupancy', async () => {
    await new DoorStateFile(dir).save(inside);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'door.json'), 'utf8')), inside);
    assert.equal(statSync(join(dir, 'door.json')).mode & 0o777, 0o600);
    assert.deepEqual(await new DoorStateFile(dir).load(), inside);
  });

  it('the last of several quick saves wins', async () => {
    const f = new DoorStateFile(dir);
    await Promise.all([
      f.save({ mode: 'normal', occupancy: [] }),
      f.save({ mode: 'emergency_release', occupancy: [] }),
      f.save(inside),
    ]);
    assert.deepEqual(await f.load(), inside);
  });

  it('a failed save rejects and keeps the previous door state', async () => {
    const f = new DoorStateFile(dir);
    await f.save(inside);
    const blocker = join(dir, `.door.json.${process.pid}.tmp`);
    mkdirSync(blocker);
    await assert.rejects(f.save({ mode: 'normal', occupancy: [] }));
    rmSync(blocker, { recursive: true });
    assert.deepEqual(await new DoorStateFile(dir).load(), inside);
  });

  it('a save into a removed directory rejects', async () => {
    const gone = join(dir, 'gone');
    await assert.rejects(new DoorStateFile(gone).save(inside), { code: 'ENOENT' });
  });
});
