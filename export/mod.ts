/**
 * Sending the collector's samples out: a Prometheus remote write 1.0 client
 * ({@linkcode RemoteWriteSender}) whose queue is the collector's write-ahead spool, read from a
 * position saved on disk ({@linkcode SpoolCursor}).
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
} from "./remote_write_sender.ts";
export {
  pruneOutbox,
  readPosition,
  savePosition,
  SpoolCursor,
  type SpoolPosition,
  type SpoolRead,
} from "./spool_cursor.ts";
export {
  type WriteColumns,
  type WriteLabels,
  WriteRequestEncoder,
  type WriteRequestEncoderOptions,
} from "./write_request_encoder.ts";
