import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs, {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DurableJSONFile, fsyncDir, readFileOrNull, writeFileDurably } from '../../src/store/durable-file.js';
import { tempDir, withPatchedFs } from './helpers.js';

const SRC = resolve(import.meta.dirname, '../../src/store/durable-file.ts');

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.tmp'));
}

function ioError(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

describe('store/durable-file', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('jurukunci-durable-'));
  });
  afterEach(() => cleanup());

  describe('writeFileDurably', () => {
    it('creates the file with the exact content (string and Buffer), mode 0600, and no temp file left', () => {
      const p = join(dir, 'a.json');
      writeFileDurably(p, '{"a":1}');
      assert.equal(readFileSync(p, 'utf8'), '{"a":1}');
      assert.equal(statSync(p).mode & 0o777, 0o600);
      const bin = Buffer.from([0, 1, 2, 255, 10, 13]);
      writeFileDurably(p, bin);
      assert.deepEqual(readFileSync(p), bin);
      assert.deepEqual(leftovers(dir), []);
    });

    it('writes non-ASCII text byte-exactly', () => {
      const p = join(dir, 'u.json');
      const text = JSON.stringify({ name: 'Siti Nurhaliza — Kudus ✓ 漢字' });
      writeFileDurably(p, text);
      assert.equal(readFileSync(p, 'utf8'), text);
    });

    it('writes a large document (several MB) completely', () => {
      const p = join(dir, 'big.json');
      const text = 'x'.repeat(5 * 1024 * 1024 + 17);
      writeFileDurably(p, text);
      assert.equal(statSync(p).size, text.length);
      assert.equal(readFileSync(p, 'utf8'), text);
    });

    it('replaces an existing file by rename (new inode), never by rewriting it in place', () => {
      const p = join(dir, 's.json');
      writeFileSync(p, 'old content');
      const before = statSync(p).ino;
      writeFileDurably(p, 'new');
      assert.equal(readFileSync(p, 'utf8'), 'new');
      assert.notEqual(statSync(p).ino, before);
    });

    it('writes the temp file, fsyncs it, closes, renames over the target, then fsyncs the directory', async () => {
      const p = join(dir, 'state.json');
      const log: string[] = [];
      const fdNames = new Map<number, string>();
      const real = {
        openSync: fs.openSync,
        writeSync: fs.writeSync,
        fsyncSync: fs.fsyncSync,
        closeSync: fs.closeSync,
        renameSync: fs.renameSync,
      };
      const name = (x: unknown) => (x === dir ? 'DIR' : x === p ? 'TARGET' : basename(String(x)));
      await withPatchedFs(
        {
          openSync: ((path: fs.PathLike, ...rest: unknown[]) => {
            const fd = (real.openSync as (...a: unknown[]) => number)(path, ...rest);
            fdNames.set(fd, name(path));
            log.push(`open ${name(path)}`);
            return fd;
          }) as typeof fs.openSync,
          writeSync: ((fd: number, ...rest: unknown[]) => {
            log.push(`write ${fdNames.get(fd)}`);
            return (real.writeSync as (...a: unknown[]) => number)(fd, ...rest);
          }) as typeof fs.writeSync,
          fsyncSync: (fd: number) => {
            log.push(`fsync ${fdNames.get(fd)}`);
            real.fsyncSync(fd);
          },
          closeSync: (fd: number) => {
            log.push(`close ${fdNames.get(fd)}`);
            real.closeSync(fd);
          },
          renameSync: (a: fs.PathLike, b: fs.PathLike) => {
            log.push(`rename ${name(a)} -> ${name(b)}`);
            real.renameSync(a, b);
          },
        },
        () => writeFileDurably(p, 'hello'),
      );
      const tmp = `.state.json.${process.pid}.tmp`;
      assert.deepEqual(log, [
        `open ${tmp}`,
        `write ${tmp}`,
        `fsync ${tmp}`,
        `close ${tmp}`,
        `rename ${tmp} -> TARGET`,
        'open DIR',
        'fsync DIR',
        'close DIR',
      ]);
      assert.equal(readFileSync(p, 'utf8'), 'hello');
    });

    it('loops on short writes until every byte is written', async () => {
      const p = join(dir, 'short.json');
      const realWrite = fs.writeSync as (...a: unknown[]) => number;
      let calls = 0;
      await withPatchedFs(
        {
          // The kernel may write fewer bytes than asked; hand it at most 3 at a time.
          writeSync: ((fd: number, buf: Buffer, off: number, len: number) => {
            calls++;
            return realWrite(fd, buf, off, Math.min(len, 3));
          }) as unknown as typeof fs.writeSync,
        },
        () => writeFileDurably(p, 'abcdefghijklmnop'),
      );
      assert.equal(readFileSync(p, 'utf8'), 'abcdefghijklmnop');
      assert.equal(calls, 6);
    });

    it('fails when the directory has been removed, creating nothing', () => {
      const sub = join(dir, 'gone');
      mkdirSync(sub);
      rmSync(sub, { recursive: true });
      assert.throws(() => writeFileDurably(join(sub, 'state.json'), '{}'), { code: 'ENOENT' });
      assert.equal(existsSync(sub), false);
    });

    it('fails when the temp path is occupied by a directory, leaving the old file intact', () => {
      const p = join(dir, 'state.json');
      writeFileSync(p, '{"old":true}');
      const blocker = join(dir, `.state.json.${process.pid}.tmp`);
      mkdirSync(blocker);
      writeFileSync(join(blocker, 'keep'), 'k');
      assert.throws(() => writeFileDurably(p, '{"new":true}'), { code: 'EISDIR' });
      assert.equal(readFileSync(p, 'utf8'), '{"old":true}');
      assert.equal(readFileSync(join(blocker, 'keep'), 'utf8'), 'k');
    });

    it('fails when the target is a directory, leaving it and no temp file behind', () => {
      const p = join(dir, 'state.json');
      mkdirSync(p);
      writeFileSync(join(p, 'inner'), 'i');
      assert.throws(() => writeFileDurably(p, '{}'));
      assert.equal(readFileSync(join(p, 'inner'), 'utf8'), 'i');
      assert.deepEqual(leftovers(dir), []);
    });

    it('fails on a full file-size limit mid-write (EFBIG, real kernel error) and keeps the old file byte-exact', () => {
      const p = join(dir, 'state.json');
      const old = JSON.stringify({ users: ['a', 'b'], n: 1 });
      writeFileSync(p, old);
      const script = join(dir, 'child.ts');
      writeFileSync(
        script,
        [
          `import { writeFileDurably } from ${JSON.stringify(SRC)};`,
          `try { writeFileDurably(${JSON.stringify(p)}, JSON.stringify({ big: 'y'.repeat(200000) })); console.log('WROTE'); }`,
          `catch (e) { console.log('ERR ' + e.code); }`,
        ].join('\n'),
      );
      // ulimit -f is in 1024-byte blocks: the child may not write past 8 KiB in any file.
      const r = spawnSync(
        'bash',
        ['-c', `ulimit -f 8 && exec "${process.execPath}" --import tsx "${script}"`],
        {
          cwd: resolve(import.meta.dirname, '../..'),
          encoding: 'utf8',
        },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'ERR EFBIG');
      assert.equal(readFileSync(p, 'utf8'), old);
      assert.deepEqual(leftovers(dir), [], 'a failed write must not leave its partial temp file behind');
    });

    it('an fsync failure (EIO) aborts before the rename: old file intact, no temp file left', async () => {
      const p = join(dir, 'state.json');
      writeFileSync(p, 'OLD');
      let renamed = false;
      const realRename = fs.renameSync;
      await withPatchedFs(
        {
          fsyncSync: () => {
            throw ioError('EIO');
          },
          renameSync: (a: fs.PathLike, b: fs.PathLike) => {
            renamed = true;
            realRename(a, b);
          },
        },
        () => assert.throws(() => writeFileDurably(p, 'NEW'), { code: 'EIO' }),
      );
      assert.equal(renamed, false);
      assert.equal(readFileSync(p, 'utf8'), 'OLD');
      assert.deepEqual(leftovers(dir), []);
    });
  });

  describe('fsyncDir', () => {
    it('syncs an existing directory and throws for a missing one', () => {
      fsyncDir(dir);
      assert.throws(() => fsyncDir(join(dir, 'nope')), { code: 'ENOENT' });
    });
  });

  describe('readFileOrNull', () => {
    it('returns null for a missing file, the text for an existing one, and rethrows other errors', () => {
      assert.equal(readFileOrNull(join(dir, 'missing.json')), null);
      writeFileSync(join(dir, 'x'), 'text ✓');
      assert.equal(readFileOrNull(join(dir, 'x')), 'text ✓');
      assert.throws(() => readFileOrNull(dir), { code: 'EISDIR' });
      writeFileSync(join(dir, 'f'), '');
      assert.throws(() => readFileOrNull(join(dir, 'f', 'child')), { code: 'ENOTDIR' });
    });
  });

  describe('DurableJSONFile', () => {
    interface Doc {
      n: number;
      items: string[];
    }

    it('reads null when the file does not exist', async () => {
      const f = new DurableJSONFile<Doc>(join(dir, 'doc.json'));
      assert.equal(await f.read(), null);
    });

    it('round-trips a document', async () => {
      const f = new DurableJSONFile<Doc>(join(dir, 'doc.json'));
      await f.write({ n: 1, items: ['a', 'ü'] });
      assert.deepEqual(await f.read(), { n: 1, items: ['a', 'ü'] });
      assert.deepEqual(await new DurableJSONFile<Doc>(join(dir, 'doc.json')).read(), {
        n: 1,
        items: ['a', 'ü'],
      });
    });

    it('rejects a corrupt file instead of treating it as empty', async () => {
      writeFileSync(join(dir, 'doc.json'), '{"n":1,');
      const f = new DurableJSONFile<Doc>(join(dir, 'doc.json'));
      await assert.rejects(f.read(), SyntaxError);
    });

    it('persists the data as it was when write() was called', async () => {
      const f = new DurableJSONFile<Doc>(join(dir, 'doc.json'));
      const d: Doc = { n: 1, items: [] };
      const p = f.write(d);
      d.n = 2;
      d.items.push('later');
      await p;
      assert.deepEqual(await f.read(), { n: 1, items: [] });
    });

    it('serialises concurrent writes: each resolves in order with its bytes on disk, the last one wins', async () => {
      const path = join(dir, 'doc.json');
      const f = new DurableJSONFile<Doc>(path);
      const resolved: number[] = [];
      const onDisk: number[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      const realRename = fs.renameSync;
      const realOpen = fs.openSync as (...a: unknown[]) => number;
      await withPatchedFs(
        {
          openSync: ((p: fs.PathLike, ...rest: unknown[]) => {
            if (String(p).endsWith('.tmp')) maxInFlight = Math.max(maxInFlight, ++inFlight);
            return realOpen(p, ...rest);
          }) as typeof fs.openSync,
          renameSync: (a: fs.PathLike, b: fs.PathLike) => {
            realRename(a, b);
            inFlight--;
          },
        },
        async () => {
          const ps: Promise<void>[] = [];
          for (let i = 0; i < 50; i++) {
            ps.push(
              f.write({ n: i, items: [String(i)] }).then(() => {
                resolved.push(i);
                onDisk.push((JSON.parse(readFileSync(path, 'utf8')) as Doc).n);
              }),
            );
          }
          await Promise.all(ps);
        },
      );
      assert.deepEqual(
        resolved,
        Array.from({ length: 50 }, (_, i) => i),
      );
      for (let i = 0; i < 50; i++) assert.ok(onDisk[i]! >= i, `write ${i} resolved before reaching disk`);
      assert.equal(maxInFlight, 1);
      assert.deepEqual(await f.read(), { n: 49, items: ['49'] });
      assert.deepEqual(leftovers(dir), []);
    });

    it('a failed write rejects and leaves the old file; later writes still go through', async () => {
      const sub = join(dir, 'data');
      mkdirSync(sub);
      const path = join(sub, 'doc.json');
      const f = new DurableJSONFile<Doc>(path);
      await f.write({ n: 1, items: [] });
      // Block the temp path so the next write cannot even start, then release it.
      const blocker = join(sub, `.doc.json.${process.pid}.tmp`);
      mkdirSync(blocker);
      const failing = f.write({ n: 2, items: [] });
      await assert.rejects(failing, { code: 'EISDIR' });
      assert.deepEqual(await f.read(), { n: 1, items: [] });
      rmSync(blocker, { recursive: true });
      await f.write({ n: 3, items: [] });
      assert.deepEqual(await f.read(), { n: 3, items: [] });
    });

    it('a failure in the middle of a burst rejects only that write', async () => {
      const path = join(dir, 'doc.json');
      const f = new DurableJSONFile<Doc>(path);
      let fsyncs = 0;
      const realFsync = fs.fsyncSync;
      const results = await withPatchedFs(
        {
          fsyncSync: (fd: number) => {
            // Each write does two fsyncs (file, directory); fail the file fsync of the 2nd write.
            if (++fsyncs === 3) throw ioError('EIO');
            realFsync(fd);
          },
        },
        () => Promise.allSettled([0, 1, 2].map((n) => f.write({ n, items: [] }))),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(await f.read(), { n: 2, items: [] });
    });

    it('works as a lowdb adapter', async () => {
      const path = join(dir, 'low.json');
      const db = new Low<Doc>(new DurableJSONFile<Doc>(path), { n: 0, items: [] });
      await db.read();
      assert.deepEqual(db.data, { n: 0, items: [] });
      await db.update((d) => {
        d.n = 7;
        d.items.push('x');
      });
      const again = new Low<Doc>(new DurableJSONFile<Doc>(path), { n: 0, items: [] });
      await again.read();
      assert.deepEqual(again.data, { n: 7, items: ['x'] });
    });
  });
});
