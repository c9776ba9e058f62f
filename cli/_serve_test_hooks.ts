/**
 * Routes for the tests of `serve`'s stop, present only when the environment has
 * `PERFSCOPE_TEST_HOOKS=1`: a child process cannot be handed in-process hooks, and the stop's
 * bounds are about requests that hang, which no real route does on demand.
 *
 * - `GET /__test/slow-lake-query`: a lake statement that runs for hours unless interrupted (it
 *   writes a line to stderr first, so a test knows the request has arrived).
 * - `GET /__test/slow-buffered-read`: the same, over the rows still buffered for Parquet too (the
 *   hand-over that serves them to DuckDB from this process's memory).
 * - `GET /__test/hang`: a request that never ends (nothing to interrupt).
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";

/** `Deno.serve`'s handler. */
type Handler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/**
 * Wraps the app's handler with the test routes when `PERFSCOPE_TEST_HOOKS=1`.
 *
 * @param handler The app's handler.
 * @param lake The lake whose shared connection the slow query occupies.
 * @returns The handler, wrapped or as it was.
 */
export function withTestHooks(handler: Handler, lake: Lake): Handler {
  if (Deno.env.get("PERFSCOPE_TEST_HOOKS") !== "1") return handler;
  return async function testHooks(request, info) {
    const path = new URL(request.url).pathname;
    if (path === "/__test/slow-lake-query") {
      // the tests signal serve once the request is here, not after a guessed delay
      console.error("perfscope serve: test hook: slow lake query running");
      try {
        // a trillion rows, filtered: hours of work in DuckDB's vectors, each checks for interrupts
        const rows = await lake.query(
          "SELECT count(*) AS n FROM range(1000000000000) t(x) WHERE x % 7 = 3",
        );
        return Response.json({ rows });
      } catch (error) {
        return new Response(String(error), { status: 500 });
      }
    }
    if (path === "/__test/slow-buffered-read") {
      console.error("perfscope serve: test hook: slow buffered read running");
      try {
        // each buffered row met a billion times: the buffered copy is scanned while it runs
        const rows = await lake.query(
          "SELECT count(*) AS n FROM samples, range(1000000000) t(x) WHERE x % 7 = 3",
          [],
          { buffered: { from: 0, to: Date.now() + 3_600_000 } },
        );
        return Response.json({ rows });
      } catch (error) {
        return new Response(String(error), { status: 500 });
      }
    }
    if (path === "/__test/hang") return await new Promise<Response>(() => {});
    return await handler(request, info);
  };
}
