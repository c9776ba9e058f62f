/**
 * Printing a bench's figures as a plain-text table, side by side.
 *
 * @module
 */

/**
 * Lays out rows of cells in columns two spaces apart: the first column left-aligned (names),
 * the others right-aligned (figures).
 *
 * @param rows The rows, the header first; every row as long as the header.
 * @returns The table, rows joined by newlines (no trailing one).
 */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join("  ")
  )
    .join("\n");
}
