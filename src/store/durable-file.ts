/**
 * Crash-safe whole-file replacement: write a temp file, fsync it, rename it over the target, fsync
 * the directory. lowdb's own TextFile adapter renames without fsync, so a power cut can leave an
 * empty or stale file; this one cannot.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileDurably(path: string, content: string | Buffer): void {
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

  constructor(readonly path: string) {}

  async read(): Promise<T | null> {
    const text = readFileOrNull(this.path);
    return text === null ? null : (JSON.parse(text) as T);
  }

  /** Writes are serialised; each resolves once its bytes are on disk. */
  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    const run = this.queue.then(() => writeFileDurably(this.path, text));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
