/**
 * Framing for line-terminated scanner output: bytes in, whole lines out. Handles a line split over
 * chunks and several lines in one chunk, and resynchronises on junk: an overlong line is dropped up
 * to its terminator (never buffered without bound), and a line holding anything but printable ASCII
 * is dropped whole. Pure; the serial driver feeds it.
 *
 * The work per chunk is bounded: at most `maxLinesPerChunk` lines of one chunk are looked at (and
 * turned into strings); the rest of that chunk's lines are only counted, as `flooded`. A scanner
 * that spews thousands of lines at once (a fault, or someone at the port) then costs one pass over
 * the bytes, not thousands of door decisions. Lines never grow past `maxLength` (preallocated).
 */
export type Terminator = 'cr' | 'lf' | 'crlf' | 'any';

export interface LineStats {
  /** Lines handed out. */
  lines: number;
  /** Lines dropped for being longer than maxLength. */
  overlong: number;
  /** Lines dropped for holding anything but printable ASCII. */
  garbage: number;
  /** Lines dropped unread because their chunk had already given maxLinesPerChunk lines. */
  flooded: number;
  /** Chunks pushed. */
  chunks: number;
}

const CR = 0x0d;
const LF = 0x0a;

export class ScannerLines {
  private buf: Buffer;
  private len = 0;
  /** Inside an overlong line: discard until the next terminator. */
  private skipping = false;
  /** crlf: a CR was seen, the line ends if LF follows. */
  private pendingCr = false;
  /** Lines of the current chunk looked at so far (good or garbage). */
  private inChunk = 0;
  readonly stats: LineStats = { lines: 0, overlong: 0, garbage: 0, flooded: 0, chunks: 0 };

  constructor(
    private readonly terminator: Terminator,
    private readonly maxLength: number,
    private readonly maxLinesPerChunk = Number.POSITIVE_INFINITY,
  ) {
    this.buf = Buffer.alloc(maxLength);
  }

  /**
   * Feeds one chunk; returns the complete, printable lines it finished (without terminators), at
   * most maxLinesPerChunk of them.
   */
  push(chunk: Uint8Array): string[] {
    const out: string[] = [];
    this.inChunk = 0;
    this.stats.chunks++;
    for (const byte of chunk) {
      if (this.terminator === 'crlf') {
        if (this.pendingCr) {
          this.pendingCr = false;
          if (byte === LF) {
            this.endLine(out);
            continue;
          }
          this.append(CR);
        }
        if (byte === CR) {
          this.pendingCr = true;
          continue;
        }
        this.append(byte);
        continue;
      }
      const ends =
        this.terminator === 'any'
          ? byte === CR || byte === LF
          : byte === (this.terminator === 'cr' ? CR : LF);
      if (ends) this.endLine(out);
      else this.append(byte);
    }
    return out;
  }

  /** Forgets a partial line (the port closed mid-line). */
  reset(): void {
    this.len = 0;
    this.skipping = false;
    this.pendingCr = false;
  }

  private append(byte: number): void {
    if (this.skipping) return;
    if (this.len >= this.maxLength) {
      this.skipping = true;
      this.stats.overlong++;
      this.len = 0;
      return;
    }
    this.buf[this.len++] = byte;
  }

  private endLine(out: string[]): void {
    const len = this.len;
    const skipped = this.skipping;
    this.len = 0;
    this.skipping = false;
    if (skipped || len === 0) return; // the overlong tail, or an empty line (CR LF with 'any')
    if (this.inChunk >= this.maxLinesPerChunk) {
      this.stats.flooded++;
      return;
    }
    this.inChunk++;
    const line = this.buf.subarray(0, len);
    for (const b of line) {
      if (b < 0x20 || b > 0x7e) {
        this.stats.garbage++;
        return;
      }
    }
    this.stats.lines++;
    out.push(line.toString('latin1'));
  }
}
