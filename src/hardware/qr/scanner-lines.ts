/**
 * Framing for line-terminated scanner output: bytes in, whole lines out. Handles a line split over
 * chunks and several lines in one chunk, and resynchronises on junk: an overlong line is dropped up
 * to its terminator (never buffered without bound), and a line holding anything but printable ASCII
 * is dropped whole. Pure; the serial driver feeds it.
 */
export type Terminator = 'cr' | 'lf' | 'crlf' | 'any';

export interface LineStats {
  lines: number;
  overlong: number;
  garbage: number;
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
  readonly stats: LineStats = { lines: 0, overlong: 0, garbage: 0 };

  constructor(
    private readonly terminator: Terminator,
    private readonly maxLength: number,
  ) {
    this.buf = Buffer.alloc(maxLength);
  }

  /** Feeds one chunk; returns the complete, printable lines it finished (without terminators). */
  push(chunk: Uint8Array): string[] {
    const out: string[] = [];
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
