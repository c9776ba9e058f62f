/**
 * Sending the collector's samples out: a Prometheus remote write 1.0 client
 * ({@linkcode RemoteWriteSender}) whose queue is the collector's write-ahead spool, read from a
 * position saved on disk ({@linkcode SpoolCursor}), or the ingest spool of the application
 * metrics `serve` accepts ({@linkcode IngestSpoolCursor}).
 *
 * @module
 */

export {
  decodeWriteRequest,
  encodeWriteRequest,
  type WriteSeries,
} from "./encode_write_request.ts";
export {
  type RemoteWriteOptions,
  RemoteWriteSender,
  type RemoteWriteStats,
  type RemoteWriteTls,
  SenderBusyError,
} from "./remote_write_sender.ts";
export {
  RemoteWriteThread,
  type SenderThreadReport,
  type SenderView,
} from "./remote_write_thread.ts";
export { IngestSpoolCursor, type IngestSpoolRead } from "./ingest_spool_cursor.ts";
export {
  pruneOutbox,
  readPosition,
  savePosition,
  SpoolCursor,
  type SpoolPosition,
  type SpoolQueue,
  type SpoolRead,
} from "./spool_cursor.ts";
export {
  type WriteColumns,
  type WriteLabels,
  WriteRequestEncoder,
  type WriteRequestEncoderOptions,
} from "./write_request_encoder.ts";
