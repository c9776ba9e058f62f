// Types for d3-dsv's row parser, used by the tests to read back what format/csv.ts writes.
/** Parses CSV text into rows of cells (RFC 4180 quoting). */
export function csvParseRows(text: string): string[][];
