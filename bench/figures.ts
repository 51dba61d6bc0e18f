/** What every bench section returns, and the percentile they all use. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target: string;
  ok: boolean;
  /** The side-by-side reference measured in the same run (mosquitto_pub, a raw fsync loop, …). */
  baseline?: { name: string; value: number };
}

/** The p-th percentile of an ascending array (nearest rank). */
export const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
