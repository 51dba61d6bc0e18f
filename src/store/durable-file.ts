/**
 * Crash-safe whole-file replacement: write a temp file, fsync it, rename it over the target, fsync
 * the directory. lowdb's own TextFile adapter renames without fsync, so a power cut can leave an
 * empty or stale file; this one cannot.
 *
 * With `keepPrevious`, the generation being replaced stays as `<file>.prev` (a hard link taken
 * just before the rename: no data copied, one directory entry), so a file damaged afterwards by
 * something else — a bad disk block, an editor, a restore gone wrong — has a last good generation
 * to restore from (`jurukunci state restore`, cli/state-restore.ts).
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where writeFileDurably keeps the generation it replaced (with `keepPrevious`). */
export function previousPath(path: string): string {
  return `${path}.prev`;
}

export interface DurableWriteOptions {
  /** Keep the replaced generation as `<path>.prev` (see the file comment). */
  keepPrevious?: boolean;
}

/**
 * Links the current generation to `<path>.prev` (through a temp name and a rename, so `.prev` is
 * never missing once made). Nothing to keep when there is no current file yet.
 */
function keepGeneration(path: string): void {
  const linkTmp = join(dirname(path), `.${basename(path)}.prev.${process.pid}.tmp`);
  try {
    linkSync(path, linkTmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EEXIST') throw err;
    // Left by a crash between link and rename: replace it.
    unlinkSync(linkTmp);
    linkSync(path, linkTmp);
  }
  try {
    renameSync(linkTmp, previousPath(path));
  } catch (err) {
    try {
      unlinkSync(linkTmp);
    } catch {
      // already gone
    }
    throw err;
  }
}

export function writeFileDurably(
  path: string,
  content: string | Buffer,
  opts: DurableWriteOptions = {},
): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    try {
      const buf = typeof content === 'string' ? Buffer.from(content) : content;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // One directory fsync below covers the link, its rename and the new file's rename.
    if (opts.keepPrevious) keepGeneration(path);
    renameSync(tmp, path);
  } catch (err) {
    // Do not leave a partial temp file behind (the old file is untouched either way).
    try {
      unlinkSync(tmp);
    } catch {
      // already gone, or the directory itself is gone
    }
    throw err;
  }
  fsyncDir(dirname(path));
}

export function readFileOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** A lowdb adapter (read/write of a JSON document) on top of writeFileDurably. */
export class DurableJSONFile<T> {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly opts: DurableWriteOptions & {
      /** Turns the file's text into the document, throwing a coded error when it is not one. */
      parse?: (text: string, path: string) => T;
    } = {},
  ) {}

  async read(): Promise<T | null> {
    const text = readFileOrNull(this.path);
    if (text === null) return null;
    return this.opts.parse ? this.opts.parse(text, this.path) : (JSON.parse(text) as T);
  }

  /** Writes are serialised; each resolves once its bytes are on disk. */
  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    const keep = { keepPrevious: this.opts.keepPrevious === true };
    const run = this.queue.then(() => writeFileDurably(this.path, text, keep));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
