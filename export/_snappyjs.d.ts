// Types for the part of snappyjs perfscope uses (the package ships none).
/** Compresses bytes in Snappy's block format (what remote write sends). */
export function compress(input: Uint8Array): Uint8Array;
/** Decompresses Snappy block-format bytes. */
export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
