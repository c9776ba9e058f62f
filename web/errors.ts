/**
 * The failures the web app tells apart. Each carries the HTTP status it maps to; the one
 * `app.onError` in `app.ts` turns them into a JSON body `{ "error": message }`.
 *
 * @module
 */

import { formatDuration } from "../config/mod.ts";

/** How much of a request's own text a message quotes back (see {@linkcode echo}). */
export const MAX_ECHO = 100;

/**
 * A piece of the request as an error message quotes it: cut at {@linkcode MAX_ECHO} characters
 * and marked with `…`. A 5,000-character Host header or a 400-digit `from` came back whole in
 * the 400, which then outweighed the request and filled a log line; the start says which value
 * it was.
 *
 * @param value What the client sent.
 * @returns Its text, at most `MAX_ECHO` characters and `…`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { echo } from "./errors.ts";
 * assert.equal(echo("soon"), "soon");
 * assert.equal(echo("9".repeat(400)), `${"9".repeat(100)}…`);
 * ```
 */
export function echo(value: unknown): string {
  const text = String(value);
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
}

/** Base class: a failure with an HTTP status and a message safe to show the client. */
export class HttpError extends Error {
  /** The HTTP status code this failure maps to. */
  readonly status: 400 | 401 | 403 | 404 | 408 | 409 | 413 | 414 | 415 | 422 | 503;
  /**
   * @param status HTTP status code.
   * @param message What went wrong, e.g. `Invalid from: yesterday`.
   * @param options Standard error options (`cause`).
   */
  constructor(status: HttpError["status"], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpError";
    this.status = status;
  }
}

/** The request is malformed: a bad parameter, body or line (400). */
export class BadRequestError extends HttpError {
  /**
   * @param message What is wrong with the request.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
    this.name = "BadRequestError";
  }
}

/** The request lacks a valid token (401). */
export class UnauthorizedError extends HttpError {
  /** @param message Why the request was refused. */
  constructor(message = "Unauthorized: a valid token is required") {
    super(401, message);
    this.name = "UnauthorizedError";
  }
}

/** The request is understood but not allowed, e.g. SQL that is not read-only (403). */
export class ForbiddenError extends HttpError {
  /**
   * @param message Why the request was refused.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(403, message, options);
    this.name = "ForbiddenError";
  }
}

/** Nothing here (404). */
export class NotFoundError extends HttpError {
  /** @param message What was not found. */
  constructor(message: string) {
    super(404, message);
    this.name = "NotFoundError";
  }
}

/** The request conflicts with work in progress, e.g. a report already being generated (409). */
export class ConflictError extends HttpError {
  /** @param message What is in progress. */
  constructor(message: string) {
    super(409, message);
    this.name = "ConflictError";
  }
}

/** A query ran longer than its time limit and was interrupted (408). */
export class QueryTimeoutError extends HttpError {
  /** @param ms The time limit in milliseconds. */
  constructor(ms: number) {
    super(408, `Query timeout: interrupted after ${formatDuration(ms)}`);
    this.name = "QueryTimeoutError";
  }
}

/** The request body did not arrive in time: too long between chunks, or in total (408). */
export class RequestTimeoutError extends HttpError {
  /** @param message What was too slow, e.g. `Request timeout: no body bytes for 10000 ms`. */
  constructor(message: string) {
    super(408, message);
    this.name = "RequestTimeoutError";
  }
}

/** A query used more memory than the sandbox allows and was stopped (422). */
export class QueryMemoryError extends HttpError {
  /** @param bytes The memory cap in bytes. */
  constructor(bytes: number) {
    super(
      422,
      `Query memory limit: used more than ${Math.round(bytes / 2 ** 20)} MiB and was stopped`,
    );
    this.name = "QueryMemoryError";
  }
}

/** The request body is larger than allowed (413). */
export class PayloadTooLargeError extends HttpError {
  /** @param limit The limit in bytes. */
  constructor(limit: number) {
    super(413, `Payload too large: the limit is ${limit} bytes`);
    this.name = "PayloadTooLargeError";
  }
}

/** The URL (path and query string) is longer than allowed (414). */
export class UriTooLongError extends HttpError {
  /** @param limit The limit in characters. */
  constructor(limit: number) {
    super(414, `URI too long: the limit is ${limit} characters`);
    this.name = "UriTooLongError";
  }
}

/** The body has a content type the route does not accept (415). */
export class UnsupportedMediaTypeError extends HttpError {
  /** @param message What was expected. */
  constructor(message: string) {
    super(415, message);
    this.name = "UnsupportedMediaTypeError";
  }
}

/** The server cannot take this request now (too many queries, no lake writer) (503). */
export class UnavailableError extends HttpError {
  /** Seconds the client should wait before retrying (sent as `Retry-After`), if known. */
  readonly retryAfterSeconds: number | undefined;
  /**
   * @param message Why the service is unavailable.
   * @param options `retryAfterSeconds`: when to retry, sent as `Retry-After`.
   */
  constructor(message: string, options: { retryAfterSeconds?: number } = {}) {
    super(503, message);
    this.name = "UnavailableError";
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
