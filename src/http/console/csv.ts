/**
 * CSV for the visitor register export: RFC 4180 (CRLF rows; a field with a comma, quote, CR or LF
 * is quoted, quotes doubled). A text cell that a spreadsheet would read as a formula (starting
 * with = + - @, tab or CR) gets a leading apostrophe, so a visitor's name cannot run in Excel
 * (CSV injection). Numbers are written as they are: a number cannot carry a formula.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: readonly CsvValue[]): string {
  return cells.map(csvCell).join(',');
}

/**
 * A whole file. `bom` prepends U+FEFF so Excel reads UTF-8 (names with diacritics) correctly.
 */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly CsvValue[])[],
  options: { bom?: boolean } = {},
): string {
  const lines = [csvRow(header), ...rows.map(csvRow)];
  return `${options.bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}
