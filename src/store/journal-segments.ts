/**
 * The journal's files on disk: segment names, listing, and reading a file's lines in blocks.
 * Segments are named by their first sequence number, so a cursor finds its file by name alone.
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';

const FILE_RE = /^journal-(\d{12})\.jsonl$/;

/** The journal's folder inside a data directory. */
export const JOURNAL_SUBDIR = 'journal';

export function fileNameFor(firstSeq: number): string {
  return `journal-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export interface JournalSegment {
  firstSeq: number;
  file: string;
}

/** The segment files in `dir`, oldest first; empty when the directory does not exist. */
export function listSegments(dir: string): JournalSegment[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  return names
    .map((n) => FILE_RE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ firstSeq: Number(m[1]), file: join(dir, m[0]) }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

/** Index of the segment that holds seq `after + 1` (the first segment when none starts before it). */
export function segmentIndexAfter(segs: readonly JournalSegment[], after: number): number {
  let idx = 0;
  for (let i = 0; i < segs.length; i++) if (segs[i]!.firstSeq <= after + 1) idx = i;
  return idx;
}

/**
 * The journal directory for `dir`: `dir` itself when it holds segments, else `dir/journal` when that
 * does (a data directory), else null — a wrong or missing directory holds no journal at all.
 */
export function findJournalDir(dir: string): string | null {
  if (listSegments(dir).length > 0) return dir;
  const inData = join(dir, JOURNAL_SUBDIR);
  if (listSegments(inData).length > 0) return inData;
  return null;
}

/** Reads a file's lines in blocks; the last element is whatever follows the final newline. */
export function* readLines(file: string, startOffset = 0): Generator<{ line: string; end: number }, string> {
  const fd = openSync(file, 'r');
  try {
    // 64 KiB reads: big enough to amortise syscalls, small enough that a drain of a long journal
    // does not churn megabyte buffers through the external heap.
    const buf = Buffer.allocUnsafe(64 * 1024);
    let pos = startOffset;
    let carry = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      let chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
      const chunkStart = pos - carry.length;
      pos += n;
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(10, from);
        if (nl === -1) break;
        yield { line: chunk.toString('utf8', from, nl), end: chunkStart + nl + 1 };
        from = nl + 1;
      }
      chunk = chunk.subarray(from);
      carry = Buffer.from(chunk);
    }
    return carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
