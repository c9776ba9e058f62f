/**
 * Failures of the lake that callers must tell apart. The CLI prints their message on one line;
 * the web app maps {@linkcode LakeClosed} to 503 with `Retry-After` and other
 * {@linkcode LakeError}s to 500.
 *
 * @module
 */

/** A failure reading or writing the lake (unwritable directory, bad SQL, corrupt file). */
export class LakeError extends Error {
  /**
   * @param message What failed, e.g. `Cannot write lake: /data (permission denied)`.
   * @param options Standard error options (`cause`).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LakeError } from "./errors.ts";
   * const error = new LakeError("Query failed: syntax error", { cause: new Error("x") });
   * assert.equal(error.name, "LakeError");
   * assert.ok(error.cause instanceof Error);
   * ```
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LakeError";
  }
}

/** Something asked for is not in the lake (no such series, no data in the range). */
export class NotFound extends LakeError {
  /**
   * @param message What is missing, e.g. `No such series: cpu_ratio{cpu=9}`.
   * @param options Standard error options (`cause`).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LakeError, NotFound } from "./errors.ts";
   * const error = new NotFound("No such series: x");
   * assert.equal(error.name, "NotFound");
   * assert.ok(error instanceof LakeError);
   * ```
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NotFound";
  }
}

/** The lake was closed: a read that ran then was cut off, or one asked for after. */
export class LakeClosed extends LakeError {
  /**
   * @param message What was cut off, e.g. `Lake closed: the read was interrupted`.
   * @param options Standard error options (`cause`).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LakeClosed, LakeError } from "./errors.ts";
   * const error = new LakeClosed("Lake closed: no more reads");
   * assert.equal(error.name, "LakeClosed");
   * assert.ok(error instanceof LakeError);
   * ```
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LakeClosed";
  }
}

/** What a stopped replay of a spool leaves spooled (see `replaySpoolAsync`). */
export interface ReplayLeft {
  /** Segments left in the spool. */
  segments: number;
  /** Their bytes. */
  bytes: number;
}

/** What a stopped replay of the ingest spool leaves spooled (see `IngestWriter.open`). */
export interface IngestReplayLeft extends ReplayLeft {
  /** Samples not in Parquet that stay in the spool. */
  rows: number;
}

/** The replay of a spool at start was stopped (a signal): what it left stays spooled, for the
 * next start. The collector's replay throws it as is (it counts segments and bytes: counting the
 * samples would read every segment left, seconds for a long spool); the ingest writer's as
 * {@linkcode IngestReplayStopped}, with the samples. */
export class ReplayStopped extends LakeError {
  /** Segments left in the spool. */
  readonly segments: number;
  /** Their bytes. */
  readonly bytes: number;

  /**
   * @param message What stays, e.g. `Spool replay stopped: 4 segments (1.2 MiB) stay spooled`.
   * @param left The counts.
   * @param options Standard error options (`cause`).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { LakeError, ReplayStopped } from "./errors.ts";
   * const error = new ReplayStopped("Spool replay stopped", { segments: 1, bytes: 4096 });
   * assert.equal(error.segments, 1);
   * assert.ok(error instanceof LakeError);
   * ```
   */
  constructor(message: string, left: ReplayLeft, options?: ErrorOptions) {
    super(message, options);
    this.name = "ReplayStopped";
    this.segments = left.segments;
    this.bytes = left.bytes;
  }
}

/** The replay of the ingest spool was stopped (a signal): what it left stays spooled. */
export class IngestReplayStopped extends ReplayStopped {
  /** Samples not in Parquet that stay in the spool. */
  readonly rows: number;

  /**
   * @param message What stays, e.g. `Ingest spool replay stopped: 400000 samples in 4 segments
   * stay spooled`.
   * @param left The counts.
   * @param options Standard error options (`cause`).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IngestReplayStopped, ReplayStopped } from "./errors.ts";
   * const left = { rows: 5, segments: 1, bytes: 100 };
   * const error = new IngestReplayStopped("Ingest spool replay stopped", left);
   * assert.equal(error.rows, 5);
   * assert.ok(error instanceof ReplayStopped);
   * ```
   */
  constructor(message: string, left: IngestReplayLeft, options?: ErrorOptions) {
    super(message, left, options);
    this.name = "IngestReplayStopped";
    this.rows = left.rows;
  }
}
