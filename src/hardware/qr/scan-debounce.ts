/**
 * Continuous-mode scanners repeat a code several times a second while it is held under them: the
 * same text seen again within `windowMs` of its last sighting is one scan. The window slides (a
 * code held for a minute stays one scan), and the memory is bounded: entries are kept in order of
 * last sighting, so expired ones leave from the front in constant time per scan, and past
 * `maxEntries` the oldest is evicted even if still inside its window (only a flood of distinct
 * codes gets there; the cost is that a held code may count twice). Pure; the clock is passed in.
 */
export class ScanDebounce {
  /** text → last sighting (monotonic ms), oldest first. */
  private readonly seen = new Map<string, number>();
  /** Entries evicted while still inside their window (health). */
  evicted = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  /** Records a sighting; true when it is a new scan, false when it repeats one. */
  admit(text: string, now: number): boolean {
    const last = this.seen.get(text);
    // Delete and set again: the entry moves to the back, keeping the map in sighting order.
    this.seen.delete(text);
    this.seen.set(text, now);
    this.expire(now);
    while (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
      this.evicted++;
    }
    return last === undefined || now - last >= this.windowMs;
  }

  get size(): number {
    return this.seen.size;
  }

  clear(): void {
    this.seen.clear();
  }

  private expire(now: number): void {
    for (const [text, at] of this.seen) {
      if (now - at < this.windowMs) return;
      this.seen.delete(text);
    }
  }
}
