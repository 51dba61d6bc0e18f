import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { restoreState } from '../../src/cli/state-restore.js';
import { Journal } from '../../src/store/journal.js';
import { StateStore } from '../../src/store/state-store.js';
import { makeUser, tempDir } from '../store/helpers.js';

describe('cli/state-restore (jurukunci state restore)', () => {
  let dir: string;
  let cleanup: () => void;
  let lines: string[];
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('jurukunci-restore-'));
    lines = [];
  });
  afterEach(() => cleanup());

  const run = (dryRun = false) =>
    restoreState({
      dataDir: dir,
      dryRun,
      now: () => new Date('2026-01-02T03:04:05.678Z'),
      out: (l) => lines.push(l),
      err: (l) => lines.push(`ERR ${l}`),
    });
  const files = () =>
    Object.fromEntries(
      readdirSync(dir)
        .filter((n) => n.endsWith('.json') || n.includes('.json.'))
        .map((n) => [n, readFileSync(join(dir, n), 'utf8')]),
    );

  /** Two users, each created through the store and journalled (state.json.prev holds the first). */
  async function twoGenerations(): Promise<void> {
    const store = new StateStore(dir);
    await store.start();
    const journal = new Journal({ dir: join(dir, 'journal'), door: 'd', maxFileBytes: 1 << 20 });
    journal.start();
    for (const id of ['u1', 'u2']) {
      await store.commit({ users: [makeUser({ id })] });
      journal.append({
        type: 'user.created',
        data: { userId: id, username: id, role: 'admin', escort: true, by: { id: 'x', name: 'x' } },
      } as never);
    }
    journal.stop();
  }

  it('does nothing when every file loads', async () => {
    await twoGenerations();
    const before = files();
    assert.equal(run(), 0);
    assert.deepEqual(lines, [
      'state.json: loads; nothing to restore',
      'door.json: none yet; nothing to restore',
    ]);
    assert.deepEqual(files(), before);
  });

  it('restores a damaged state.json from .prev, names the journal’s later change, keeps the damaged file', async () => {
    await twoGenerations();
    writeFileSync(join(dir, 'state.json'), '{"version":1,"us');
    const prev = readFileSync(join(dir, 'state.json.prev'), 'utf8');
    assert.equal(run(true), 0);
    assert.equal(readFileSync(join(dir, 'state.json'), 'utf8'), '{"version":1,"us', 'dry run');
    lines = [];
    assert.equal(run(), 0);
    assert.deepEqual(lines, [
      'state.json: JSON syntax error at line 1, column 17: expected a closing quote, found the end of the text',
      'journal ok: 2 events, last seq 2',
      'door.json: none yet; nothing to restore',
      'state.json.prev: the journal holds 1 change(s) made after it; redo them:',
      '  user u2: created (seq 2)',
      'state.json: the damaged file is kept as state.json.damaged-2026-01-02T03-04-05-678Z',
      'state.json: restored from state.json.prev',
    ]);
    assert.equal(readFileSync(join(dir, 'state.json'), 'utf8'), prev);
    assert.equal(
      readFileSync(join(dir, 'state.json.damaged-2026-01-02T03-04-05-678Z'), 'utf8'),
      '{"version":1,"us',
    );
    const again = new StateStore(dir);
    await again.start();
    assert.deepEqual(
      again.listUsers().map((u) => u.id),
      ['u1'],
    );
  });

  it('refuses, changing nothing, when .prev is damaged too, or is not this journal’s generation', async () => {
    await twoGenerations();
    writeFileSync(join(dir, 'state.json'), '');
    writeFileSync(join(dir, 'state.json.prev'), '{"version":2,"users":[],"badges":[],"visits":[]}');
    let before = files();
    assert.equal(run(), 1);
    assert.match(lines.at(-1)!, /^ERR state\.json\.prev: unknown version 2 .*; not restored$/);
    assert.deepEqual(files(), before);

    writeFileSync(
      join(dir, 'state.json.prev'),
      JSON.stringify({ version: 1, users: [makeUser({ id: 'stranger' })], badges: [], visits: [] }),
    );
    before = files();
    lines = [];
    assert.equal(run(), 1);
    assert.match(
      lines.at(-1)!,
      /^ERR state\.json\.prev holds records the journal never created \(user stranger\)/,
    );
    assert.deepEqual(files(), before);
  });

  it('refuses when there is no previous generation, and when the journal does not verify', async () => {
    await twoGenerations();
    writeFileSync(join(dir, 'door.json'), 'x');
    assert.equal(run(), 1);
    assert.match(lines.at(-1)!, /^ERR door\.json: no previous generation \(door\.json\.prev\)/);
    writeFileSync(join(dir, 'door.json.prev'), '{"mode":"normal","occupancy":[],"journalSeq":1}');
    const seg = readdirSync(join(dir, 'journal')).find((n) => n.endsWith('.jsonl'))!;
    const text = readFileSync(join(dir, 'journal', seg), 'utf8');
    writeFileSync(join(dir, 'journal', seg), text.replace('"u1"', '"u9"'));
    const before = files();
    lines = [];
    assert.equal(run(), 1);
    assert.match(lines.at(-1)!, /^ERR journal BROKEN at seq 1/);
    assert.deepEqual(files(), before);
  });
});
