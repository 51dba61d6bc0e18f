/** Kudus keeps Western Indonesian Time (UTC+7, no daylight saving). */
export function wib(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} WIB`;
}
