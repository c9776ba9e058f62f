/**
 * The Hono app: middleware (security headers, URL length, token or Host check, origin check on
 * state-changing requests, content types, guarded body reads, a cap on live streams), the API,
 * the pages, and the one error mapping.
 *
 * @module
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { WebDeps } from "./deps.ts";
import { allowedMethods } from "./allowed_methods.ts";
import { HttpError, UnavailableError } from "./errors.ts";
import { LakeClosed } from "../lake/mod.ts";
import { escapeControls } from "../format/mod.ts";
import { BodyBudget } from "./middleware/body_budget.ts";
import { bodyGuard } from "./middleware/body_guard.ts";
import { clientLimit } from "./middleware/client_limit.ts";
import { hostCheck } from "./middleware/host_check.ts";
import { originCheck } from "./middleware/origin_check.ts";
import { requireContentType } from "./middleware/require_content_type.ts";
import { singleParams } from "./middleware/single_params.ts";
import { tokenAuth } from "./middleware/token_auth.ts";
import { urlLimit } from "./middleware/url_limit.ts";
import { utf8Body } from "./middleware/utf8_body.ts";
import { formatExposition, PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";
import { ingestAdmission, ingestRoutes } from "./routes/api_ingest.ts";
import { otlpFailure, otlpRoutes } from "./routes/otlp_metrics.ts";
import { liveRoutes } from "./routes/api_live.ts";
import { metricsRoutes } from "./routes/api_metrics.ts";
import { queryRoutes } from "./routes/api_query.ts";
import { seriesRoutes } from "./routes/api_series.ts";
import { assetRoutes } from "./routes/assets.ts";
import { pageRoutes } from "./routes/pages.ts";
import { capacityRoutes } from "./routes/api_capacity.ts";
import { capacityLoader, type CapacityLoaderOptions } from "./load_capacity.ts";
import { sharedSource } from "./source_reader.ts";
import { reportRoutes } from "./routes/reports.ts";
import { reportApiRoutes } from "./routes/api_reports.ts";
import { alertRoutes } from "./routes/api_alerts.ts";
import { workflowRoutes } from "./routes/api_workflows.ts";
import { serviceRoutes } from "./routes/api_services.ts";
import { dashboardRoutes } from "./routes/dashboards.ts";
import { servicesPage } from "./pages/services_page.ts";
import type { DashboardConfig, ServiceConfig } from "../config/mod.ts";

/** Options for {@linkcode createApp}. */
export interface AppOptions extends WebDeps {
  /** Token every request must carry; without one, only loopback `Host` names are served. */
  token?: string;
  /** Skip the Host check without a token (`--insecure` on a non-loopback address). Default false. */
  insecure?: boolean;
  /** Extra host names the Host check allows, e.g. the bind address. */
  allowedHosts?: readonly string[];
  /**
   * Origins besides the request's own that may POST (e.g. a TLS proxy's
   * `https://perf.example`); default none.
   */
  allowedOrigins?: readonly string[];
  /** Largest `/api/ingest` body in bytes; default 64 MiB. */
  maxIngestBytes?: number;
  /** Largest `/v1/metrics` (OTLP) body in bytes, compressed or not; default 16 MiB. */
  maxOtlpBytes?: number;
  /** Largest `/api/query` body in bytes; default 128 KiB. */
  maxQueryBytes?: number;
  /** Request-body bytes held in memory across all requests at once; default 64 MiB (a quarter
   * of the 256 MB RSS target; past it a body is refused with 503 and `Retry-After: 1`). */
  maxBodyBytesInFlight?: number;
  /** Longest wait for the next chunk of a request body, in ms; default 10 000. */
  bodyIdleTimeoutMs?: number;
  /** Longest time to receive a whole request body, in ms; default 30 000. */
  bodyTimeoutMs?: number;
  /** Longest path plus query string, in characters; default 8192. */
  maxUrlLength?: number;
  /** `/api/live` streams open at once; default 64. */
  maxLiveClients?: number;
  /** Capacity analysis settings (horizon, cache time, charts, bootstrap rounds). */
  capacity?: CapacityLoaderOptions;
  /** Longest a "Generate now" report (`POST /api/reports`) may run, in ms; default 120 000. */
  reportTimeoutMs?: number;
  /** Services named in the config (`services:`); default none (discovered ones only). */
  services?: readonly ServiceConfig[];
  /** Dashboards from the config (`dashboards:`); default none. */
  dashboards?: readonly DashboardConfig[];
}

/**
 * Builds the web app.
 *
 * @param options Collaborators (lake, hub, sandbox, ingest writer) and security settings.
 * @returns The app; serve it with `Deno.serve(app.fetch)` or call `app.request()` in tests.
 */
export function createApp(appOptions: AppOptions): Hono {
  // serve --source: every route reads one opened source, renewed each minute
  const options: AppOptions = appOptions.source
    ? {
      ...appOptions,
      source: { name: appOptions.source.name, open: sharedSource(appOptions.source) },
    }
    : appOptions;
  const app = new Hono();
  const strict = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
    },
    referrerPolicy: "no-referrer",
  });
  // generated reports inline their scripts and styles: they get their own policy
  const reportPolicy = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'unsafe-inline'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["data:"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
    referrerPolicy: "no-referrer",
  });
  // the Reports page itself (/reports) is one of the app's pages, under the strict policy
  app.use(function securityHeaders(c, next) {
    return /^\/reports\/[^/]+$/.test(c.req.path) ? reportPolicy(c, next) : strict(c, next);
  });
  app.use(urlLimit({ maxLength: options.maxUrlLength ?? 8192 }));
  if (options.token) app.use(tokenAuth({ token: options.token }));
  else if (!options.insecure) app.use(hostCheck({ allowed: options.allowedHosts ?? [] }));
  // in every mode: a token cookie is sent from other ports of the same host (same site), and
  // --insecure has no other guard
  app.use(originCheck({ allowedOrigins: options.allowedOrigins ?? [] }));
  // every route reads one value of a parameter; several metrics have their own parameter
  app.use(singleParams({
    hints: { metric: "several metrics go in one metrics=a,b, which adds to metric=" },
  }));
  app.use(
    "/api/live",
    clientLimit({ max: options.maxLiveClients ?? 64, current: () => options.hub.clients }),
  );
  const budget = new BodyBudget(options.maxBodyBytesInFlight ?? 64 * 1024 * 1024);
  function guard(maxBytes: number) {
    return bodyGuard({
      maxBytes,
      budget,
      idleTimeoutMs: options.bodyIdleTimeoutMs ?? 10_000,
      totalTimeoutMs: options.bodyTimeoutMs ?? 30_000,
    });
  }
  // before the routes, so the content type is checked and the body read under limits before a
  // handler runs (other methods on these paths are 405 without reading the body)
  app.on(
    "POST",
    "/api/ingest",
    requireContentType({
      accept: [
        "application/x-ndjson",
        "application/jsonl",
        "application/json-lines",
        "application/json",
      ],
      hint:
        "one sample per line, e.g. curl -H 'Content-Type: application/x-ndjson' --data-binary @samples.jsonl",
    }),
    ingestAdmission(options),
    guard(options.maxIngestBytes ?? 64 * 1024 * 1024),
  );
  // OTLP/HTTP: protobuf or JSON; a browser page cannot send either cross-origin without a CORS
  // preflight, which gets no CORS headers here, and the origin check and token apply as well
  app.on(
    "POST",
    "/v1/metrics",
    requireContentType({
      accept: ["application/x-protobuf", "application/json"],
      hint: "OTLP/HTTP metrics, e.g. OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf",
      encodings: ["identity", "gzip"],
    }),
    guard(options.maxOtlpBytes ?? 16 * 1024 * 1024),
  );
  app.on(
    "POST",
    "/api/query",
    requireContentType({
      accept: ["application/json"],
      hint:
        `like {"sql": "SELECT …"}, e.g. curl -H 'Content-Type: application/json' -d '{"sql": "SELECT 1"}'`,
    }),
    // (the route checks UTF-8 itself: "SQL is not valid UTF-8")
    guard(options.maxQueryBytes ?? 128 * 1024),
  );
  // JSON only, like /api/query: the Reports page posts with fetch from /assets/reports.js (no
  // inline script under the CSP), and a form's urlencoded body, which any site can send without
  // a preflight, is refused here as well as by the origin check
  app.on(
    "POST",
    "/api/reports",
    requireContentType({
      accept: ["application/json"],
      hint: "e.g. curl -H 'Content-Type: application/json' -d '{}'",
    }),
    guard(1024),
    utf8Body(),
  );
  app.on(
    "POST",
    ["/api/workflows/approve", "/api/workflows/rollback"],
    requireContentType({
      accept: ["application/json"],
      hint: `like {"id": "…"}, e.g. curl -H 'Content-Type: application/json' -d '{"id": "…"}'`,
    }),
    guard(1024),
    utf8Body(),
  );

  // the Alerts page's silence form and backtest post JSON with fetch, like the Reports page
  const alertPosts = [["/api/silences", 16 * 1024], ["/api/alerts/backtest", 64 * 1024]] as const;
  for (const [path, max] of alertPosts) {
    app.on(
      "POST",
      path,
      requireContentType({
        accept: ["application/json"],
        hint:
          `e.g. curl -H 'Content-Type: application/json' -d '{"matchers": ["host=\\"db1\\""], "duration": "2h"}'`,
      }),
      guard(max),
      utf8Body(),
    );
  }

  app.get("/healthz", function healthz(c) {
    const last = options.hub.lastTs;
    return c.json({
      status: "ok",
      lastSample: Number.isFinite(last) ? new Date(last).toISOString() : null,
      liveClients: options.hub.clients,
    });
  });
  app.get("/metrics", function metrics(c) {
    // not what a scrape stored (the scraper sets `target`): it came from a /metrics already, and
    // re-exposed it fed a serve scraping itself (or two scraping each other) its own series
    // back under a longer name at every scrape (`exported_exported_host`, …)
    const samples = options.hub.latest().filter((s) => !Object.hasOwn(s.labels, "target"));
    return c.body(formatExposition(samples), 200, {
      "Content-Type": PROMETHEUS_CONTENT_TYPE,
    });
  });
  app.route("/", seriesRoutes(options));
  app.route("/", metricsRoutes(options));
  app.route("/", liveRoutes(options));
  app.route("/", queryRoutes(options));
  app.route("/", ingestRoutes(options));
  app.route(
    "/",
    otlpRoutes(options, { maxBytes: options.maxOtlpBytes ?? 16 * 1024 * 1024 }),
  );
  app.route("/", assetRoutes());
  const loadCapacity = capacityLoader(options, {
    ...options.capacity,
    ...(options.services && { services: options.services }),
  });
  app.route("/", capacityRoutes(loadCapacity));
  app.route("/", pageRoutes(options, loadCapacity));
  app.route("/", alertRoutes(options));
  app.route("/", serviceRoutes(options, { services: options.services ?? [] }));
  app.get("/services", async (c) => c.html(await servicesPage()));
  app.route("/", dashboardRoutes(options, options.dashboards ?? []));
  app.route("/reports", reportRoutes({ root: options.root ?? "data" }));
  app.route(
    "/",
    reportApiRoutes({
      lake: options.lake,
      ...(options.source && { source: options.source }),
      root: options.root ?? "data",
      ...(options.now && { now: options.now }),
      ...(options.reportTimeoutMs !== undefined && { timeoutMs: options.reportTimeoutMs }),
      ...(options.capacity && { capacity: options.capacity }),
      ...(options.services && { services: options.services }),
    }),
  );

  app.route(
    "/",
    workflowRoutes({
      lake: options.lake,
      root: options.root ?? "data",
      ...(options.now && { now: options.now }),
      ...options.workflows,
    }),
  );

  app.notFound(function notFound(c) {
    const path = new URL(c.req.url).pathname;
    // a known path with another method: 405 naming the methods (a 404 read as a wrong path)
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length > 0 && !allow.includes(c.req.method)) {
      c.header("Allow", allow.join(", "));
      return c.json({
        error: `Method not allowed: ${c.req.method} ${path} (use ${allow.join(" or ")})`,
      }, 405);
    }
    return c.json({ error: `Not found: ${c.req.method} ${path}` }, 404);
  });
  app.onError(function onError(thrown, c) {
    // the lake closed under the read (serve stopping): the request was fine, so a 503 the
    // client retries, where a 500 read as a bug and was not retried
    const error = closedLake(thrown)
      ? new UnavailableError(
        "Service unavailable: the lake closed while this request read it (serve is stopping)",
        { retryAfterSeconds: LAKE_CLOSED_RETRY_SECONDS },
      )
      : thrown;
    if (error instanceof UnavailableError && error.retryAfterSeconds !== undefined) {
      c.header("Retry-After", String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    }
    if (error instanceof HttpError && c.req.method === "POST" && c.req.path === "/v1/metrics") {
      return otlpFailure(c, error);
    }
    // a message quotes what the client sent (`Invalid from: …`): a newline in it broke the
    // one-line message, and a C1 CSI reached the terminal of a client reading it with curl
    const said = escapeControls(error.message);
    if (error instanceof HttpError) return c.json({ error: said }, error.status);
    // serve --source: the fleet's query API is down or refused the query (sources/' error)
    if (error.name === "PrometheusQueryError") return c.json({ error: said }, 502);
    if (error instanceof HTTPException) {
      return c.json({ error: said || "Bad request" }, error.status);
    }
    if (
      error instanceof RangeError || error instanceof TypeError && /Invalid/.test(error.message)
    ) {
      return c.json({ error: said }, 400);
    }
    // the message may quote what a client sent: its control characters would reach the
    // terminal serve runs in (an escape sequence) or forge log lines (a newline)
    console.error(`serve: ${c.req.method} ${new URL(c.req.url).pathname}: ${said}`);
    return c.json(
      { error: `Internal error: ${escapeControls(error.message.split("\n")[0]!)}` },
      500,
    );
  });
  return app;
}

/** `Retry-After` of a read the lake's close cut off: about what a supervised serve takes to be
 * back (its stop waits 5 s for requests in flight). */
const LAKE_CLOSED_RETRY_SECONDS = 5;

/** Whether `error`, or an error it wraps (`cause`), is the lake's {@linkcode LakeClosed}. */
function closedLake(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof LakeClosed) return true;
  }
  return false;
}
