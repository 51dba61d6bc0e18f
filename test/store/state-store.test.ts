import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TERMINAL_STATES, VISIT_STATES, type Visit } from '../../src/domain/types.js';
import { StateFileError } from '../../src/store/state-file-error.js';
import { type StateData, StateStore } from '../../src/store/state-store.js';
import { makeBadge, makeUser, makeVisit, tempDir } from './helpers.js';

function readState(dir: string): StateData {
  return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateData;
}

/** Makes the next state.json write fail by occupying its temp path with a directory. */
function blockWrites(dir: string): () => void {
  const blocker = join(dir, `.state.json.${process.pid}.tmp`);
  mkdirSync(blocker);
  writeFileSync(join(blocker, 'x'), '');
  return () => rmSync(blocker, { recursive: true });
}

describe('store/state-store', () => {
  let root: string;
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir: root, cleanup } = tempDir('jurukunci-state-'));
    dir = join(root, 'data');
  });
  afterEach(() => cleanup());

  async function open(): Promise<StateStore> {
    const s = new StateStore(dir);
    await s.start();
    return s;
  }

  describe('start', () => {
    it('creates a private data dir and starts empty without writing a file', async () => {
      const s = await open();
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.deepEqual(s.counts(), { users: 0, badges: 0, visits: 0 });
      assert.deepEqual(s.listUsers(), []);
      assert.equal(existsSync(join(dir, 'state.json')), false);
    });

    it('rejects a state file of an unknown version', async () => {
      mkdirSync(dir);
      writeFileSync(
        join(dir, 'state.json'),
        JSON.stringify({ version: 2, users: [], badges: [], visits: [] }),
      );
      await assert.rejects(new StateStore(dir).start(), {
        code: 'state_file_corrupt',
        message: /state\.json: unknown version 2 \(this jurukunci reads version 1\)/,
      });
    });

    it('rejects a corrupt state file rather than starting empty, naming the file, line and column', async () => {
      mkdirSync(dir);
      const file = join(dir, 'state.json');
      writeFileSync(file, '{"version":1,\n"users":[{"id":"u1","nik":"3319014507900003"');
      const before = readFileSync(file);
      const err = await new StateStore(dir).start().then(
        () => assert.fail('started'),
        (e: unknown) => e as StateFileError,
      );
      assert.ok(err instanceof StateFileError);
      assert.equal(err.code, 'state_file_corrupt');
      assert.equal(err.file, file);
      assert.match(err.problem, /^JSON syntax error at line 2, column 45: expected ',' or '}'/);
      // The text itself (a NIK here) is never quoted back.
      assert.doesNotMatch(err.message, /3319014507900003/);
      assert.match(err.message, /no previous generation/);
      assert.deepEqual(readFileSync(file), before, 'nothing overwritten');
    });

    it('rejects a 0-byte state file (a power-cut artefact) and one whose records are not records', async () => {
      mkdirSync(dir);
      writeFileSync(join(dir, 'state.json'), '');
      await assert.rejects(new StateStore(dir).start(), {
        code: 'state_file_corrupt',
        message: /empty \(0 bytes\)/,
      });
      writeFileSync(
        join(dir, 'state.json'),
        JSON.stringify({ version: 1, users: {}, badges: [1], visits: [] }),
      );
      await assert.rejects(new StateStore(dir).start(), {
        code: 'state_file_corrupt',
        message: /users must be an array; badges\[0\] must be a record with a string id/,
      });
    });

    it('refuses to start empty when state.json is gone but its previous generation is there', async () => {
      const s = await open();
      await s.commit({ users: [makeUser({ id: 'u1' })] });
      await s.commit({ users: [makeUser({ id: 'u2' })] });
      rmSync(join(dir, 'state.json'));
      await assert.rejects(new StateStore(dir).start(), {
        code: 'state_file_corrupt',
        message:
          /state\.json: missing, while its previous generation state\.json\.prev is there[\s\S]*jurukunci state restore/,
      });
      assert.equal(existsSync(join(dir, 'state.json')), false);
    });
  });

  describe('commit', () => {
    it('keeps the replaced generation as state.json.prev (a hard link: the old inode, no copy)', async () => {
      const s = await open();
      await s.commit({ users: [makeUser({ id: 'u1' })] });
      assert.equal(existsSync(join(dir, 'state.json.prev')), false, 'nothing to keep on the first write');
      const first = readFileSync(join(dir, 'state.json'));
      const firstIno = statSync(join(dir, 'state.json')).ino;
      await s.commit({ users: [makeUser({ id: 'u2' })] });
      assert.deepEqual(readFileSync(join(dir, 'state.json.prev')), first);
      assert.equal(statSync(join(dir, 'state.json.prev')).ino, firstIno);
      assert.equal(statSync(join(dir, 'state.json.prev')).nlink, 1);
      const second = readFileSync(join(dir, 'state.json'));
      await s.commit({ users: [makeUser({ id: 'u3' })] });
      assert.deepEqual(readFileSync(join(dir, 'state.json.prev')), second);
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.endsWith('.tmp')),
        [],
      );
    });

    it('a failed persist leaves the previous generation as it was too', async () => {
      const s = await open();
      await s.commit({ users: [makeUser({ id: 'u1' })] });
      await s.commit({ users: [makeUser({ id: 'u2' })] });
      const prev = readFileSync(join(dir, 'state.json.prev'));
      const unblock = blockWrites(dir);
      await assert.rejects(s.commit({ users: [makeUser({ id: 'u3' })] }));
      unblock();
      assert.deepEqual(readFileSync(join(dir, 'state.json.prev')), prev);
    });

    it('upserts users, badges and visits, indexes them, and persists them', async () => {
      const s = await open();
      const alice = makeUser({ id: 'u1', username: 'Alice' });
      const bob = makeUser({ id: 'u2', username: 'bob', role: 'superadmin', escort: false });
      const sb = makeBadge({ id: 'b1', uid: '04AABBCC', kind: 'staff', userId: 'u1' });
      const vb = makeBadge({ id: 'b2', uid: '04DDEEFF' });
      const v = makeVisit({ id: 'v1' });
      await s.commit({ users: [alice, bob], badges: [sb, vb], visits: [v] });

      assert.deepEqual(s.counts(), { users: 2, badges: 2, visits: 1 });
      assert.deepEqual(s.user('u1'), alice);
      assert.deepEqual(s.userByUsername('alice'), alice);
      assert.deepEqual(s.userByUsername('ALICE'), alice);
      assert.deepEqual(s.userByUsername('Bob'), bob);
      assert.equal(s.userByUsername('carol'), undefined);
      assert.deepEqual(s.badge('b1'), sb);
      assert.deepEqual(s.badgeByUid('04AABBCC'), sb);
      assert.deepEqual(s.badgeByUid('04DDEEFF'), vb);
      assert.equal(s.badgeByUid('04000000'), undefined);
      assert.deepEqual(s.visit('v1'), v);

      const disk = readState(dir);
      assert.equal(disk.version, 1);
      assert.deepEqual(disk.users, [alice, bob]);
      assert.deepEqual(disk.badges, [sb, vb]);
      assert.deepEqual(disk.visits, [v]);
      assert.equal(statSync(join(dir, 'state.json')).mode & 0o777, 0o600);
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.endsWith('.tmp')),
        [],
      );

      const again = await open();
      assert.deepEqual(again.userByUsername('alice'), alice);
      assert.deepEqual(again.badgeByUid('04AABBCC'), sb);
      assert.deepEqual(again.listVisits(), [v]);
    });

    it('an update replaces the record and moves its username / uid index entry', async () => {
      const s = await open();
      await s.commit({
        users: [makeUser({ id: 'u1', username: 'old' })],
        badges: [makeBadge({ id: 'b1', uid: 'AA' })],
      });
      const renamed = makeUser({ id: 'u1', username: 'New', active: false });
      const rebadged = makeBadge({ id: 'b1', uid: 'BB', active: false });
      await s.commit({ users: [renamed], badges: [rebadged] });
      assert.equal(s.userByUsername('old'), undefined);
      assert.deepEqual(s.userByUsername('new'), renamed);
      assert.equal(s.badgeByUid('AA'), undefined);
      assert.deepEqual(s.badgeByUid('BB'), rebadged);
      assert.deepEqual(s.counts(), { users: 1, badges: 1, visits: 0 });

      const again = await open();
      assert.equal(again.userByUsername('old'), undefined);
      assert.deepEqual(again.userByUsername('new'), renamed);
      assert.equal(again.badgeByUid('AA'), undefined);
    });

    it('removes visits by id and persists the removal', async () => {
      const s = await open();
      await s.commit({ visits: [makeVisit({ id: 'v1' }), makeVisit({ id: 'v2' })] });
      await s.commit({}, ['v1', 'nope']);
      assert.equal(s.visit('v1'), undefined);
      assert.deepEqual(
        readState(dir).visits.map((v) => v.id),
        ['v2'],
      );
    });

    it('a failed persist (data dir removed) rejects and reverts every in-memory change', async () => {
      const s = await open();
      const alice = makeUser({ id: 'u1', username: 'alice' });
      const badge = makeBadge({ id: 'b1', uid: 'AA01' });
      const v1 = makeVisit({ id: 'v1', state: 'submitted' });
      const v2 = makeVisit({ id: 'v2', state: 'approved' });
      await s.commit({ users: [alice], badges: [badge], visits: [v1, v2] });
      const before = readFileSync(join(dir, 'state.json'), 'utf8');

      rmSync(dir, { recursive: true });
      await assert.rejects(
        s.commit(
          {
            users: [makeUser({ id: 'u1', username: 'alice2' }), makeUser({ id: 'u2', username: 'bob' })],
            badges: [makeBadge({ id: 'b1', uid: 'AA02' }), makeBadge({ id: 'b2', uid: 'BB01' })],
            visits: [{ ...v1, state: 'verified' }, makeVisit({ id: 'v3' })],
          },
          ['v2'],
        ),
        { code: 'ENOENT' },
      );

      assert.deepEqual(s.counts(), { users: 1, badges: 1, visits: 2 });
      assert.deepEqual(s.user('u1'), alice);
      assert.deepEqual(s.userByUsername('alice'), alice);
      assert.equal(s.userByUsername('alice2'), undefined);
      assert.equal(s.user('u2'), undefined);
      assert.equal(s.userByUsername('bob'), undefined);
      assert.deepEqual(s.badge('b1'), badge);
      assert.deepEqual(s.badgeByUid('AA01'), badge);
      assert.equal(s.badgeByUid('AA02'), undefined);
      assert.equal(s.badgeByUid('BB01'), undefined);
      assert.deepEqual(s.visit('v1'), v1);
      assert.deepEqual(s.visit('v2'), v2);
      assert.equal(s.visit('v3'), undefined);

      // Once the disk is back, the next commit writes only what was accepted.
      mkdirSync(dir);
      await s.commit({ users: [makeUser({ id: 'u9', username: 'zed' })] });
      const disk = readState(dir);
      assert.deepEqual(
        disk.users.map((u) => u.username),
        ['alice', 'zed'],
      );
      assert.deepEqual(
        disk.badges.map((b) => b.uid),
        ['AA01'],
      );
      assert.deepEqual(disk.visits, [v1, v2]);
      assert.notEqual(JSON.stringify(disk), before);
    });

    it('a failed persist leaves the state file byte-identical', async () => {
      const s = await open();
      await s.commit({ users: [makeUser({ id: 'u1' })] });
      const before = readFileSync(join(dir, 'state.json'));
      const unblock = blockWrites(dir);
      await assert.rejects(s.commit({ users: [makeUser({ id: 'u2' })] }));
      unblock();
      assert.deepEqual(readFileSync(join(dir, 'state.json')), before);
      assert.equal(s.user('u2'), undefined);
    });

    it('a refused change that clashed with another record’s username or uid leaves that record findable', async () => {
      const s = await open();
      const alice = makeUser({ id: 'u1', username: 'alice' });
      const badge = makeBadge({ id: 'b1', uid: '04CAFE' });
      await s.commit({ users: [alice], badges: [badge] });
      const unblock = blockWrites(dir);
      await assert.rejects(
        s.commit({
          users: [makeUser({ id: 'u2', username: 'ALICE' })],
          badges: [makeBadge({ id: 'b2', uid: '04CAFE' })],
        }),
      );
      unblock();
      assert.deepEqual(s.userByUsername('alice'), alice);
      assert.deepEqual(s.badgeByUid('04CAFE'), badge);
      assert.equal(s.user('u2'), undefined);
      assert.equal(s.badge('b2'), undefined);
    });
  });

  describe('archive', () => {
    const at = (d: string) => `${d}T10:00:00.000Z`;

    async function seeded(): Promise<{ s: StateStore; visits: Visit[] }> {
      const s = await open();
      const visits: Visit[] = [];
      // Every state, in two old months, plus a recent copy of every state.
      let n = 0;
      for (const state of VISIT_STATES) {
        for (const day of ['2025-01-15', '2025-02-03', '2025-06-20']) {
          visits.push(
            makeVisit({
              id: `v${++n}`,
              state,
              updatedAt: at(day),
              purpose: 'Pemeliharaan rutin perangkat jaringan dan server'.repeat(4),
            }),
          );
        }
      }
      await s.commit({ visits });
      return { s, visits };
    }

    it('moves terminal visits older than the cutoff to monthly files and shrinks state.json', async () => {
      const { s, visits } = await seeded();
      const sizeBefore = statSync(join(dir, 'state.json')).size;
      const moved = await s.archive(new Date('2025-03-01T00:00:00.000Z'));

      const expected = visits.filter((v) => TERMINAL_STATES.includes(v.state) && v.updatedAt < '2025-03');
      assert.equal(expected.length, TERMINAL_STATES.length * 2);
      assert.deepEqual(moved.map((v) => v.id).sort(), expected.map((v) => v.id).sort());
      assert.deepEqual(readdirSync(join(dir, 'archive')).sort(), [
        'visits-2025-01.jsonl',
        'visits-2025-02.jsonl',
      ]);
      const jan = readFileSync(join(dir, 'archive', 'visits-2025-01.jsonl'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Visit);
      assert.ok(jan.every((v) => v.updatedAt.startsWith('2025-01') && TERMINAL_STATES.includes(v.state)));
      assert.equal(jan.length, TERMINAL_STATES.length);

      for (const v of expected) assert.equal(s.visit(v.id), undefined);
      const left = readState(dir).visits;
      assert.equal(left.length, visits.length - expected.length);
      assert.ok(left.every((v) => !expected.some((e) => e.id === v.id)));
      // Non-terminal visits stay however old they are; recent terminal ones stay too.
      assert.ok(left.some((v) => v.state === 'checked_out' && v.updatedAt.startsWith('2025-01')));
      assert.ok(left.some((v) => v.state === 'closed' && v.updatedAt.startsWith('2025-06')));
      const sizeAfter = statSync(join(dir, 'state.json')).size;
      assert.ok(sizeAfter < sizeBefore * 0.8, `state.json ${sizeBefore} -> ${sizeAfter} bytes`);

      assert.deepEqual(
        [...s.archivedVisits()].map((v) => v.id),
        [
          ...expected.filter((v) => v.updatedAt < '2025-02'),
          ...expected.filter((v) => v.updatedAt >= '2025-02'),
        ].map((v) => v.id),
      );
      assert.deepEqual(
        [...s.archivedVisits()].sort((a, b) => a.id.localeCompare(b.id)),
        [...expected].sort((a, b) => a.id.localeCompare(b.id)),
      );
    });

    it('uses the cutoff strictly, does nothing when nothing qualifies, and appends to an existing month', async () => {
      const s = await open();
      const a = makeVisit({ id: 'a', state: 'closed', updatedAt: '2025-01-10T00:00:00.000Z' });
      await s.commit({ visits: [a] });
      assert.deepEqual(await s.archive(new Date('2025-01-10T00:00:00.000Z')), []);
      assert.equal(existsSync(join(dir, 'archive')), false);
      assert.deepEqual(
        (await s.archive(new Date('2025-01-10T00:00:00.001Z'))).map((v) => v.id),
        ['a'],
      );
      const b = makeVisit({ id: 'b', state: 'cancelled', updatedAt: '2025-01-20T00:00:00.000Z' });
      await s.commit({ visits: [b] });
      await s.archive(new Date('2025-02-01T00:00:00.000Z'));
      assert.deepEqual(
        [...s.archivedVisits()].map((v) => v.id),
        ['a', 'b'],
      );
      assert.deepEqual(await s.archive(new Date('2030-01-01T00:00:00.000Z')), []);
      assert.deepEqual(readState(dir).visits, []);
    });

    it('keeps archived visits across a restart and keeps them out of the live state', async () => {
      const { s } = await seeded();
      const moved = await s.archive(new Date('2025-03-01T00:00:00.000Z'));
      const again = await open();
      for (const v of moved) assert.equal(again.visit(v.id), undefined);
      assert.equal([...again.archivedVisits()].length, moved.length);
    });

    it('a crash between archiving and rewriting state duplicates, never loses, and reads back once', async () => {
      const { s, visits } = await seeded();
      const unblock = blockWrites(dir);
      await assert.rejects(s.archive(new Date('2025-03-01T00:00:00.000Z')));
      unblock();
      const expected = visits.filter((v) => TERMINAL_STATES.includes(v.state) && v.updatedAt < '2025-03');
      // Not removed from the live state (the state write failed) ...
      for (const v of expected) assert.deepEqual(s.visit(v.id), v);
      assert.equal(readState(dir).visits.length, visits.length);
      // ... but already in the archive.
      assert.equal([...s.archivedVisits()].length, expected.length);

      await s.archive(new Date('2025-03-01T00:00:00.000Z'));
      const lines = readdirSync(join(dir, 'archive'))
        .map(
          (n) =>
            readFileSync(join(dir, 'archive', n), 'utf8')
              .trimEnd()
              .split('\n').length,
        )
        .reduce((a, b) => a + b, 0);
      assert.equal(lines, expected.length * 2, 'the retry appends the same visits again');
      const read = [...s.archivedVisits()];
      assert.equal(read.length, expected.length);
      assert.equal(new Set(read.map((v) => v.id)).size, expected.length);
      for (const v of expected) assert.equal(s.visit(v.id), undefined);
    });

    it('archivedVisits is empty without an archive and ignores foreign files', async () => {
      const s = await open();
      assert.deepEqual([...s.archivedVisits()], []);
      mkdirSync(join(dir, 'archive'));
      writeFileSync(join(dir, 'archive', 'notes.txt'), 'not json\n');
      writeFileSync(join(dir, 'archive', 'visits-2025-1.jsonl'), 'not json\n');
      assert.deepEqual([...s.archivedVisits()], []);
    });
  });
});
