/** Columns padded to their widest cell, two spaces apart; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** `2026-01-31 14:05:09` in UTC, or `-` when absent. */
export function formatTime(time: Date | undefined): string {
  return time
    ? time
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, '')
    : '-';
}

/** Prints a table (header first) through the CLI's output. */
export function printTable(
  output: { line(text: string): void },
  header: readonly string[],
  rows: readonly (readonly string[])[],
): void {
  for (const line of formatTable([header, ...rows])) output.line(line);
}
