/**
 * The workflows API: `GET /api/audit?since=7d&limit=1000` (the audit log, newest first, at most
 * 1000 entries), `GET /api/workflows` (states and pending
 * approvals), `POST /api/workflows/approve {id}` and `POST /api/workflows/rollback {id}` (a
 * repeat on one already approved or rolled back answers 200 with `already: {who, at, …}` and does
 * nothing, after a restart too: the audit log holds the first answer; an approval or a rollback
 * while a run of its workflow goes is a 409 naming that run, and keeps waiting or stays reversible),
 * `GET /api/schedule` (jobs' last run, outcome and next run), `GET /api/maintenance` (the
 * quietest window) and `GET /api/balance` (load-balancing advice).
 *
 * @module
 */
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import { lakeSource } from "../../analytics/mod.ts";
import type { BlackoutConfig } from "../../config/mod.ts";
import type { Lake } from "../../lake/mod.ts";
import {
  AuditLog,
  balanceAdvice,
  findMaintenanceWindow,
  type JobStatus,
  unknownHostsProblem,
  WorkflowBusyError,
  type Workflows,
} from "../../workflows/mod.ts";
import { BadRequestError, ConflictError, echo, NotFoundError } from "../errors.ts";
import { parseDurationMs, rejectInvalid } from "../validate.ts";
import { knownParams } from "../middleware/known_params.ts";

/** What `serve` hands the web app when workflows or a schedule are configured. */
export interface WorkflowsDeps {
  /** The runner (states, approvals, rollback). */
  workflows?: Workflows;
  /** The scheduler (`GET /api/schedule`). */
  scheduler?: { status(): JobStatus[] };
  /** Blackouts a maintenance window avoids. */
  blackouts?: readonly BlackoutConfig[];
  /** Time zone of recurring blackouts. Default UTC. */
  timezone?: string;
}

/** Options of {@linkcode workflowRoutes}. */
export interface WorkflowRoutesOptions extends WorkflowsDeps {
  lake: Lake;
  /** Lake root (the audit log is under `audit/`). Default `data`. */
  root?: string;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

const idBody = z.strictObject({ id: z.string().min(1).max(100) });

function duration(name: string, fallback: string) {
  return z.string().default(fallback).transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `invalid ${name} ${JSON.stringify(text)} (use e.g. 2h, 7d)`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

/** Most audit entries one answer lists (the newest). */
const MAX_AUDIT_ENTRIES = 1000;
// a parameter none of these queries takes is refused by knownParams (which lets ?token= by)
const auditQuery = z.object({
  since: duration("since", "7d"),
  /** The newest this many entries; default and at most {@linkcode MAX_AUDIT_ENTRIES}. */
  limit: z.string().regex(/^[1-9][0-9]{0,5}$/, "must be a positive integer").default(
    String(MAX_AUDIT_ENTRIES),
  ).transform(Number).pipe(z.number().max(MAX_AUDIT_ENTRIES)),
});
const maintenanceQuery = z.object({
  duration: duration("duration", "2h"),
  within: duration("within", "7d"),
  metric: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).max(200).optional(),
  host: z.string().min(1).max(253).optional(),
});
const balanceQuery = z.object({ within: duration("within", "3d") });

/**
 * Creates the routes (`app.ts` mounts the content-type check and body guard for the POSTs).
 *
 * @param options Lake, root, clock, runner, scheduler, blackouts.
 * @returns A Hono app to mount at the root.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake } from "../../lake/mod.ts";
 * import { workflowRoutes } from "./api_workflows.ts";
 * const root = await Deno.makeTempDir();
 * const lake = await openLake({ root });
 * const res = await workflowRoutes({ lake, root }).request("/api/audit");
 * lake.close();
 * assert.deepEqual(await res.json(), { entries: [] });
 * ```
 */
export function workflowRoutes(options: WorkflowRoutesOptions): Hono {
  const root = options.root ?? "data";
  const now = options.now ?? Date.now;
  const audit = options.workflows?.audit ?? new AuditLog(root);
  return new Hono()
    .get(
      "/api/audit",
      knownParams(Object.keys(auditQuery.shape)),
      zValidator("query", auditQuery, rejectInvalid),
      async function auditLog(c) {
        const { since, limit } = c.req.valid("query");
        // newest first, so the limit keeps the latest (the Alerts page polls with limit=100)
        return c.json({ entries: (await audit.read({ since: now() - since })).slice(0, limit) });
      },
    )
    .get("/api/workflows", knownParams([]), function workflows(c) {
      const w = options.workflows;
      return c.json({ workflows: w?.states() ?? [], pending: w?.pending() ?? [] });
    })
    .post(
      "/api/workflows/approve",
      knownParams([]),
      zValidator("json", idBody, rejectInvalid),
      async function approve(c) {
        const { id } = c.req.valid("json");
        // what becomes of the run is said with the answer: a window or a rate limit that skips
        // it was seen only in the audit log, under an answer of "approved"
        let run;
        try {
          run = options.workflows?.approve(id, "web");
        } catch (error) {
          // a run of the workflow goes: the approval waits on, and the answer names that run
          if (error instanceof WorkflowBusyError) throw new ConflictError(error.message);
          throw error;
        }
        if (run !== undefined) {
          return c.json({ approved: id, workflow: run.workflow, acts: run.acts, next: run.next });
        }
        // a second click (another tab, a list drawn before the first click landed): what was
        // asked for holds already, so the answer is a success that says so and nothing runs twice
        // (after a restart too: the audit log holds the first answer)
        const done = await options.workflows?.answered(id);
        if (done?.result === "approved") {
          return c.json({ approved: id, workflow: done.workflow, already: done });
        }
        if (done?.result === "expired") {
          throw new NotFoundError(
            `Approval ${id} expired unanswered at ${new Date(done.at).toISOString()}`,
          );
        }
        throw new NotFoundError(`No pending approval ${echo(id)} (it may have expired)`);
      },
    )
    .post(
      "/api/workflows/rollback",
      knownParams([]),
      zValidator("json", idBody, rejectInvalid),
      async function rollback(c) {
        const { id } = c.req.valid("json");
        let result;
        try {
          result = await options.workflows?.rollback(id, "web");
        } catch (error) {
          // a run of its workflow goes: the action stays reversible, the answer names that run
          if (error instanceof WorkflowBusyError) throw new ConflictError(error.message);
          throw error;
        }
        if (result !== undefined) return c.json({ id, result });
        const done = await options.workflows?.answered(id);
        if (done?.result === "rolled-back" || done?.result === "backed-off") {
          return c.json({ id, result: done.result, already: done });
        }
        throw new NotFoundError(`No reversible action ${echo(id)}`);
      },
    )
    .get("/api/schedule", knownParams([]), function schedule(c) {
      return c.json({ jobs: options.scheduler?.status() ?? [] });
    })
    .get(
      "/api/maintenance",
      knownParams(Object.keys(maintenanceQuery.shape)),
      zValidator("query", maintenanceQuery, rejectInvalid),
      async function maintenance(c) {
        const q = c.req.valid("query");
        if (q.duration > q.within) throw new RangeError(`Invalid duration: longer than within`);
        const source = lakeSource(options.lake);
        if (q.host !== undefined) {
          // a host the lake never saw (a typo) was "Not enough data yet", as if waiting would
          // help; the CLI's --host names the hosts it does know, and so does this answer
          const known = (await source.extent()).map((e) => e.host);
          const where = { name: "host", where: "the lake" };
          if (unknownHostsProblem([q.host], known, where) !== undefined) {
            // quoted as echo() cuts it (a 253-character name is not worth repeating whole)
            throw new BadRequestError(unknownHostsProblem([echo(q.host)], known, where)!);
          }
        }
        return c.json(
          await findMaintenanceWindow(source, {
            durationMs: q.duration,
            withinMs: q.within,
            now: now(),
            ...(q.metric !== undefined && { metric: q.metric }),
            ...(q.host !== undefined && { host: q.host }),
            ...(options.blackouts && { blackouts: options.blackouts }),
            ...(options.timezone && { timezone: options.timezone }),
          }),
        );
      },
    )
    .get(
      "/api/balance",
      knownParams(Object.keys(balanceQuery.shape)),
      zValidator("query", balanceQuery, rejectInvalid),
      async function balance(c) {
        const q = c.req.valid("query");
        return c.json(
          await balanceAdvice(lakeSource(options.lake), { now: now(), withinMs: q.within }),
        );
      },
    );
}
