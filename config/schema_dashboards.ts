/**
 * The `dashboards:` key of `perfscope.yaml`: pages of panels, each a metric (with labels) or a
 * read-only SQL query, drawn as a line, area, bar, table or single number.
 *
 * @module
 */
import { z } from "zod";
import { durationSchema } from "./schema_duration.ts";
import { repeatedIndexes } from "./_repeated_indexes.ts";
import { labelMap } from "./_label_map.ts";
import { hostName } from "./_host_name.ts";

const labelValue = z.union([z.string(), z.number()]).transform(String);

/** One panel. */
export const panelSchema = z.strictObject({
  /** Panel heading. */
  title: z.string().trim().min(1, "must not be empty").max(200),
  /** Metric drawn (one line per series), unless `sql` is given. */
  metric: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be a metric name").optional(),
  /** Labels a series must carry (a subset match). Default none. */
  labels: labelMap(labelValue).optional(),
  /** Host (a name the lake stores); default every host. */
  host: hostName().optional(),
  /** A read-only query run in the SQL sandbox; columns `ts` (time), `value`, optional `name`
   * draw a chart, any columns fill a table. */
  sql: z.string().trim().min(1).max(100_000).optional(),
  /** How the panel is drawn. Default `line`. */
  kind: z.enum(["line", "area", "bar", "table", "number"]).optional(),
  /** Unit of the values (`bytes`, `seconds`, `ratio`, …). Default none. */
  unit: z.string().max(40).optional(),
  /** Levels drawn as horizontal rules (and colouring a number panel). Default none. */
  thresholds: z.array(z.number()).max(10).optional(),
  /** Time range shown. Default 15m. */
  range: durationSchema("15m, 1h, 1d").optional(),
}).refine((p) => (p.metric === undefined) !== (p.sql === undefined), {
  message: "give either metric or sql",
});

/** One dashboard, shown at `/dashboards/NAME`. */
export const dashboardSchema = z.strictObject({
  /** URL name: letters, digits, `-` and `_`. */
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "use letters, digits, - and _ (at most 64)"),
  /** Heading; default the name. */
  title: z.string().trim().min(1).max(200).optional(),
  panels: z.array(panelSchema).min(1, "needs at least one panel").max(50),
});

/** The `dashboards:` list; names must be unique. */
export const dashboardsSchema = z.array(dashboardSchema).max(200).superRefine((list, ctx) => {
  for (const i of repeatedIndexes(list.map((d) => d.name))) {
    const message = `duplicate dashboard ${list[i]!.name}`;
    ctx.addIssue({ code: "custom", path: [i, "name"], message });
  }
});

/** A configured dashboard (ranges in ms). */
export type DashboardConfig = z.output<typeof dashboardSchema>;
/** A configured panel. */
export type PanelConfig = z.output<typeof panelSchema>;
