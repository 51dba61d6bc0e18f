/**
 * Space kept back on the data disk so that undoing a half-done procedure step never lacks room.
 * A step writes state.json, then its journal events; when the journal refuses them (the disk
 * filled up in between) the state is written back as it was — and that write needs free space
 * on the very disk that just ran out. The reserve is a file of real, allocated blocks in the data
 * dir: released to make that undo possible, made again only once the disk has room to spare (it
 * never fills a disk to the brim itself). Also the disk's free space for health.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './durable-file.js';

export const RESERVE_FILE = '.space-reserve';
const CHUNK = Buffer.alloc(64 * 1024);

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/** Free (for unprivileged users) and total bytes of the filesystem holding `dir`. */
export function diskSpace(dir: string): DiskSpace {
  const s = statfsSync(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export class DiskReserve {
  readonly path: string;

  constructor(
    private readonly dir: string,
    /** The reserve's size: at least this, or twice state.json's size when that is larger. */
    private readonly minBytes = 1024 * 1024,
  ) {
    this.path = join(dir, RESERVE_FILE);
  }

  /** Bytes held now (0 when released). */
  get bytes(): number {
    try {
      return statSync(this.path).size;
    } catch {
      return 0;
    }
  }

  target(stateBytes: number): number {
    return Math.max(this.minBytes, 2 * stateBytes);
  }

  /**
   * Makes the reserve (or grows it to the target) when the disk has room for it and as much again
   * to spare; true when it holds the target afterwards. Never throws.
   */
  ensure(stateBytes = 0): boolean {
    const want = this.target(stateBytes);
    const have = this.bytes;
    if (have >= want) return true;
    let free: number;
    try {
      free = diskSpace(this.dir).freeBytes;
    } catch {
      return false;
    }
    if (free < 2 * (want - have)) return false;
    const tmp = `${this.path}.tmp`;
    let fd: number | null = null;
    try {
      fd = openSync(tmp, 'w', 0o600);
      for (let left = want; left > 0; left -= CHUNK.length)
        writeSync(fd, CHUNK, 0, Math.min(left, CHUNK.length));
      fsyncSync(fd);
      closeSync(fd);
      fd = null;
      renameSync(tmp, this.path);
      fsyncDir(this.dir);
      return true;
    } catch {
      if (fd !== null) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // not there
      }
      return false;
    }
  }

  /** Frees the reserve; true when there was one to free. */
  release(): boolean {
    if (!existsSync(this.path)) return false;
    try {
      unlinkSync(this.path);
      return true;
    } catch {
      return false;
    }
  }
}

/** Below this much free space the disk shows degraded in health: time to act before it is full. */
export const LOW_SPACE_BYTES = 64 * 1024 * 1024;
/** Below this the disk shows down: full for any write bigger than a few journal lines. */
export const FULL_BYTES = 64 * 1024;

/** The data disk as a health entry: free space, and whether the undo reserve is held. */
export function diskHealth(
  dir: string,
  reserve: DiskReserve,
): { state: 'ok' | 'degraded' | 'down'; detail: string } {
  let space: DiskSpace;
  try {
    space = diskSpace(dir);
  } catch (err) {
    return { state: 'down', detail: `cannot read the disk's free space: ${(err as Error).message}` };
  }
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const held = reserve.bytes;
  const detail = `${mb(space.freeBytes)} free of ${mb(space.totalBytes)}; undo reserve ${held ? mb(held) : 'not held'}`;
  if (space.freeBytes < FULL_BYTES) return { state: 'down', detail: `full: ${detail}` };
  if (space.freeBytes < LOW_SPACE_BYTES || held === 0) return { state: 'degraded', detail };
  return { state: 'ok', detail };
}
