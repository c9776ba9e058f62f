/**
 * The Parquet lake: write-ahead spool, atomic Parquet writer, collection loop, compaction with
 * rollups and retention, the DuckDB access layer and a deterministic host simulator.
 *
 * Layout and contracts: see ARCHITECTURE.md. Readers see, per partition directory, the newest
 * `compact-<id>.parquet` and the `part-<id>.parquet` files with a larger id; use
 * {@linkcode openLake} (or {@linkcode visibleFiles}) rather than a bare glob to never count a
 * sample twice while a compaction is half done.
 *
 * @module
 */

export {
  type IngestReplayLeft,
  IngestReplayStopped,
  LakeClosed,
  LakeError,
  NotFound,
  type ReplayLeft,
  ReplayStopped,
} from "./errors.ts";
export { type Tier, TIERS } from "./_paths.ts";
export { visibleFiles } from "./_checked_split.ts";
export {
  canonicalHost,
  checkHost,
  HOST_MAX_BYTES,
  hostNameProblem,
  isReservedLabel,
  LABEL_NAME_MAX_BYTES,
  LABEL_VALUE_MAX_BYTES,
  labelNameProblem,
  labelValueProblem,
  MAX_LABELS,
  METRIC_MAX_BYTES,
  metricNameProblem,
  RESERVED_LABELS,
  sameHost,
  utf8Bytes,
} from "./names.ts";
export { isUnwritable, type Quarantined, quarantineDir } from "./quarantine.ts";
export { mulberry32 } from "./_prng.ts";
export { syncDir, writeFileAtomic, type WriteFileAtomicOptions } from "./write_file_atomic.ts";
export { readAt } from "./read_at.ts";
export { meanSql } from "./mean_sql.ts";
export { quantizeValue, SIGNIFICANT_DIGITS } from "./quantize_value.ts";
export { parquetEncodeRows, type ParquetRows } from "./parquet_encode_rows.ts";
export {
  type LakeRow,
  type RowColumns,
  writePartition,
  writeSamples,
  type WriteSamplesOptions,
  type WrittenFile,
} from "./write_samples.ts";
export {
  hasSpoolReaders,
  listOutbox,
  listSegments,
  OUTBOX_MAX_BYTES,
  outboxDir,
  readSegment,
  retireSegment,
  type RetireSegmentOptions,
  spoolDir,
  spoolReadersDir,
  type SpoolSegment,
  SpoolWriter,
} from "./spool.ts";
export {
  replaySpool,
  replaySpoolAsync,
  type ReplaySpoolAsyncOptions,
  type ReplaySpoolOptions,
} from "./replay_spool.ts";
export { OutboxDropCounter, ReaderClaim } from "./_outbox.ts";
export {
  snapshotRows,
  SPOOL_MAGIC,
  SpoolDecoder,
  SpoolEncoder,
  type SpoolSeries,
  type SpoolSnapshot,
} from "./spool_format.ts";
export {
  acquireCollectorLock,
  CollectorBusyError,
  type CollectorLock,
  type CollectorLockOptions,
  type CollectorLockOwner,
  collectorLockPath,
  readCollectorLock,
} from "./collector_lock.ts";
export {
  acquireCompactionLock,
  CompactionBusyError,
  type CompactionLock,
  type CompactionLockOptions,
  compactionLockPath,
  readCompactionLock,
} from "./compaction_lock.ts";
export {
  acquireServeLock,
  readServeLock,
  ServeBusyError,
  type ServeLock,
  type ServeLockOptions,
  serveLockPath,
} from "./serve_lock.ts";
export {
  acquireTrainLock,
  TrainBusyError,
  type TrainLock,
  type TrainLockOptions,
  trainLockPath,
} from "./train_lock.ts";
export {
  describeHolder,
  type HeldLock,
  type LockHolder,
  readBusyHolder,
  readLockHolder,
  tryProcessLock,
} from "./_process_lock.ts";
export { sleep } from "./sleep.ts";
export { tailSpool, type TailSpoolOptions } from "./tail_spool.ts";
export {
  type Collection,
  type CollectionOptions,
  type CollectionSummary,
  type SampleSource,
  startCollection,
} from "./collect_loop.ts";
export { simulateHost, type SimulateHostOptions, type SimulateHostResult } from "./simulate.ts";
export {
  compactLake,
  type CompactOptions,
  type CompactStep,
  type CompactSummary,
} from "./compact.ts";
export {
  MINUTE_MAX_MS,
  pickStep,
  type PickStepOptions,
  pickTier,
  pickTierFor,
  RAW_MAX_MS,
  type SeriesTier,
  TIER_MS,
  type TierLimits,
} from "./pick_tier.ts";
export {
  Lake,
  type MetricEntry,
  openLake,
  type OpenLakeOptions,
  type QueryOptions,
  type QueryParams,
} from "./open_lake.ts";
export { type SeriesOptions, type SeriesResult } from "./series_one.ts";
export { type SeriesBatchKey, type SeriesBatchOptions } from "./series_batch.ts";
export {
  type BufferedFilter,
  type BufferedRows,
  type BufferedSource,
  emptyBufferedRows,
  type StoredFile,
} from "./buffered_rows.ts";
export { joinBuffered } from "./join_buffered.ts";
export {
  type BufferedSnapshot,
  bufferedSnapshot,
  EVERY_ROW,
  type ViewFiles,
} from "./buffered_snapshot.ts";
export {
  appendBuffered,
  type BufferedColumns,
  bufferedSelectSql,
  type BufferedTableNames,
  bufferedTablesSql,
} from "./append_buffered.ts";
export { SpoolBuffer } from "./spool_buffer.ts";
export { type DiskBufferedOptions, diskBufferedSnapshot } from "./disk_buffered_snapshot.ts";
export { tableWithBuffered } from "./table_with_buffered.ts";
export { bufferedFilterOf, type CastMs, castMsOn } from "./buffered_filter_of.ts";
export { listLabelSets, matchLabels } from "./match_labels.ts";
export { type SeriesEntry, type SeriesManyOptions, type SeriesManyResult } from "./series_many.ts";
export {
  INGEST_LIMITS,
  type IngestBatch,
  IngestBusy,
  type IngestBusyReason,
  type IngestLimits,
  type IngestStats,
  type IngestWriteOptions,
  IngestWriter,
  type IngestWriterOptions,
  parseIngestLines,
  parseIngestLinesAsync,
  type ParseIngestLinesAsyncOptions,
  type ParseIngestLinesOptions,
} from "./ingest_writer.ts";
export {
  INGEST_OUTBOX_MAX_BYTES,
  ingestOutboxDir,
  ingestReadersDir,
  type IngestSegmentFile,
  ingestSpoolDir,
  listIngestOutbox,
  listIngestSegments,
  retireIngestSegment,
} from "./ingest_spool.ts";
export {
  decodeIngestRecord,
  INGEST_RECORD_HEADER_BYTES,
  INGEST_SPOOL_MAGIC,
  ingestRecordSize,
} from "./ingest_spool_format.ts";
export { isSqlNode, sqlLower, type SqlNode, sqlNodes } from "./sql_tree.ts";
