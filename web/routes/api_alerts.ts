/**
 * The alerting API: `GET /api/alerts` (live states, with the silences and inhibitions that mute
 * each, the series' own labels where the rule adds `extra_labels`, and the notifications
 * receivers' `delay:` holds back), `GET /api/alerts/history?from=&to=` (state changes),
 * `GET/POST /api/silences`, `DELETE /api/silences/:id` (expire), and `POST /api/alerts/backtest` (replay a rule over the
 * lake). Bodies are JSON only, checked with zod; `app.ts` puts the origin check, the content-type
 * check and a body limit in front of the POSTs.
 *
 * @module
 */
import { alertsConfigured } from "../alerts_configured.ts";
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { type AlertInstance, parseMatcher } from "../../alerts/mod.ts";
import type { WebDeps } from "../deps.ts";
import { BadRequestError, echo, NotFoundError, UnavailableError } from "../errors.ts";
import { parseDurationMs, parseTimeMs, rejectInvalid } from "../validate.ts";
import { knownParams } from "../middleware/known_params.ts";

const DAY = 86_400_000;
/** Longest history range one request reads. */
const MAX_HISTORY_MS = 90 * DAY;
/** Longest backtest range. */
const MAX_BACKTEST_MS = 90 * DAY;

const time = z.union([z.number().finite(), z.string().max(64)]);
const label = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a label name");

const silenceSchema = z.strictObject({
  /** `name="value"` texts or `{name, op, value}` objects. */
  matchers: z.array(
    z.union([
      z.string().min(1).max(1100),
      z.strictObject({
        name: label,
        op: z.enum(["=", "!=", "=~", "!~"]),
        value: z.string().max(1024),
      }),
    ]),
  ).min(1).max(64),
  /** Start (ms, ISO or `now-…`); default now. */
  startsAt: time.optional(),
  /** End (ms, ISO or `now…`); or give `duration`. */
  endsAt: time.optional(),
  /** Length from the start, e.g. `2h`. */
  duration: z.string().max(32).optional(),
  createdBy: z.string().max(256).optional(),
  comment: z.string().max(1024).optional(),
});

const backtestSchema = z.strictObject({
  /** The rule as in `rules:` of perfscope.yaml (its own checks are the engine's). */
  rule: z.record(z.string(), z.unknown()),
  /** Start of the replay (ms, ISO or `now-7d`). */
  from: time,
  /** End; default now. */
  to: time.optional(),
});

function at(value: string | number | undefined, now: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "number" ? value : parseTimeMs(value, now);
  if (ms === undefined || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new BadRequestError(`Invalid ${what}: ${JSON.stringify(echo(value))}`);
  }
  return ms;
}

/** Most held notifications one answer lists (soonest due first). */
const MAX_HELD = 200;

/** A change a receiver's `delay:` holds back, as `/api/alerts` lists it. */
interface HeldNotification {
  receiver: string;
  /** The alert's name (its `alertname` label). */
  alert: string;
  fingerprint: string;
  labels: Record<string, string>;
  /** The state the receiver will hear about. */
  state: "firing" | "resolved";
  /** When it goes on to the receiver, ms epoch. */
  dueAt: number;
}

// soonest first and bounded: a flapping fleet can hold one change per alert and receiver
function heldNotifications(deps: WebDeps): HeldNotification[] {
  const held = deps.notifier?.held?.() ?? [];
  return held
    .map((h) => ({
      receiver: h.receiver,
      alert: h.labels.alertname ?? "",
      fingerprint: h.fingerprint,
      labels: h.labels,
      state: h.firing ? "firing" as const : "resolved" as const,
      dueAt: h.dueAt,
    }))
    .sort((a, b) => a.dueAt - b.dueAt || a.receiver.localeCompare(b.receiver))
    .slice(0, MAX_HELD);
}

/** An instance as the page gets it: with its series' own labels when its rule adds some. */
type ShownInstance = AlertInstance & { seriesLabels?: Record<string, string> };

// The page links an alert to its series and draws it from the instance's labels, which hold the
// rule's `extra_labels` too (no series has those): each rule that adds labels gets its instances'
// series labels alongside. An extra label that shares its name with one of the series' labels
// has replaced the series' value in the instance, so that series cannot be named from it.
function seriesLabeller(deps: WebDeps): (inst: AlertInstance) => ShownInstance {
  const extra = new Map<string, readonly string[]>();
  for (const r of deps.alerts?.rules?.() ?? []) {
    if (r.extraLabels?.length) extra.set(r.alert, r.extraLabels);
  }
  return function shown(inst) {
    const names = extra.get(inst.rule);
    if (!names) return inst;
    const seriesLabels = { ...inst.labels };
    for (const name of names) delete seriesLabels[name];
    return { ...inst, seriesLabels };
  };
}

/**
 * Creates the routes.
 *
 * @param deps The app's collaborators: `alerts`, `notifier`, `silences`, `backtest` (each
 * optional: what is missing answers as empty, 404 or 503 and says why).
 * @returns A Hono app to mount at the root.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SilenceStore } from "../../alerts/mod.ts";
 * import { alertRoutes } from "./api_alerts.ts";
 * const silences = await SilenceStore.open(undefined);
 * const app = alertRoutes({ silences } as Parameters<typeof alertRoutes>[0]);
 * const res = await app.request("/api/silences", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ matchers: ['host="db1"'], duration: "2h", comment: "disk swap" }),
 * });
 * assert.equal(res.status, 201);
 * assert.equal((await res.json()).silence.matchers[0].value, "db1");
 * ```
 */
export function alertRoutes(deps: WebDeps): Hono {
  const now = deps.now ?? Date.now;
  function store() {
    if (!deps.silences) {
      throw new NotFoundError("Not found: silences need alert rules (rules: in perfscope.yaml)");
    }
    return deps.silences;
  }
  return new Hono()
    .get("/api/alerts", knownParams([]), function alerts(c) {
      const instances = deps.alerts?.instances() ?? [];
      const shown = seriesLabeller(deps);
      return c.json({
        configured: alertsConfigured(deps.alerts),
        at: now(),
        alerts: instances.map((a) => ({
          ...shown(a),
          silencedBy: deps.silences?.silencedBy(a.labels) ?? [],
          inhibitedBy: a.state === "firing" ? deps.notifier?.inhibitedBy(a.labels) ?? [] : [],
        })),
        receivers: deps.notifier?.stats() ?? {},
        held: heldNotifications(deps),
        rules: deps.alerts?.rules?.() ?? [],
      });
    })
    .get("/api/alerts/history", knownParams(["from", "to"]), async function history(c) {
      const t = now();
      const until = at(c.req.query("to"), t, "to") ?? t;
      const since = at(c.req.query("from"), t, "from") ?? until - DAY;
      if (!(since < until)) throw new BadRequestError("Invalid range: from must be before to");
      if (until - since > MAX_HISTORY_MS) {
        throw new BadRequestError(`Range too long: at most ${MAX_HISTORY_MS / DAY} days`);
      }
      const shown = seriesLabeller(deps);
      const transitions = (deps.alerts ? await deps.alerts.history({ since, until }) : [])
        .map((t) => ({ ...t, instance: shown(t.instance) }));
      return c.json({ configured: alertsConfigured(deps.alerts), since, until, transitions });
    })
    .get("/api/silences", knownParams([]), function listSilences(c) {
      return c.json({ silences: deps.silences?.list() ?? [] });
    })
    .post(
      "/api/silences",
      knownParams([]),
      zValidator("json", silenceSchema, rejectInvalid),
      async function createSilence(c) {
        const body = c.req.valid("json");
        const t = now();
        const startsAt = at(body.startsAt, t, "startsAt") ?? t;
        let endsAt: number;
        if ((body.endsAt === undefined) === (body.duration === undefined)) {
          throw new BadRequestError("Invalid json: give exactly one of endsAt or duration");
        }
        if (body.duration !== undefined) {
          const ms = parseDurationMs(body.duration);
          if (ms === undefined) {
            throw new BadRequestError(`Invalid duration: ${echo(body.duration)}`);
          }
          endsAt = startsAt + ms;
        } else endsAt = at(body.endsAt, t, "endsAt")!;
        const matchers = body.matchers.map((m) => typeof m === "string" ? parseMatcher(m) : m);
        const silence = await store().create({
          matchers,
          startsAt,
          endsAt,
          ...(body.createdBy !== undefined && { createdBy: body.createdBy }),
          ...(body.comment !== undefined && { comment: body.comment }),
        });
        return c.json({ silence }, 201);
      },
    )
    .delete("/api/silences/:id", knownParams([]), async function expireSilence(c) {
      const id = c.req.param("id");
      const silence = await store().expire(id);
      if (!silence) throw new NotFoundError(`Not found: no silence ${echo(id)}`);
      return c.json({ silence });
    })
    .post(
      "/api/alerts/backtest",
      knownParams([]),
      zValidator("json", backtestSchema, rejectInvalid),
      async function backtest(c) {
        if (!deps.backtest) {
          throw new UnavailableError("Backtest unavailable: this server runs no alert engine");
        }
        const body = c.req.valid("json");
        const t = now();
        const since = at(body.from, t, "from")!;
        const until = at(body.to, t, "to") ?? t;
        if (!(since < until)) throw new BadRequestError("Invalid range: from must be before to");
        if (until - since > MAX_BACKTEST_MS) {
          throw new BadRequestError(`Range too long: at most ${MAX_BACKTEST_MS / DAY} days`);
        }
        const intervals = await deps.backtest(body.rule, since, until);
        return c.json({ since, until, intervals });
      },
    );
}
