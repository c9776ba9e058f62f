// Types for the part of d3-dsv perfscope uses (the package ships none).
/** Formats one row: cells quoted when they hold a delimiter, quote or line break. */
export function csvFormatRow(row: readonly string[]): string;
/** Parses CSV text into rows of cells (RFC 4180 quoting). */
export function csvParseRows(text: string): string[][];
