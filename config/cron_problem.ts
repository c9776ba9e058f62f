/**
 * Which cron expressions the scheduler can run as written: five fields read by `croner` (the
 * scheduler's own parser, with its defaults), and at least one fire time.
 *
 * @module
 */
import { Cron } from "croner";

const FIELDS = "perfscope cron has 5 (minute hour day month weekday)";

/** Where the search for a fire time starts: 1 January 2000, the first day of a 400-year cycle. */
const CYCLE_START = Date.UTC(2000, 0, 1);
/** The Gregorian calendar repeats every 400 years (146 097 days, exactly 20 871 weeks: the same
 * dates fall on the same weekdays), so a five-field expression that has no fire time in one cycle
 * has none ever. Eight years would cover the leap years but not a weekday rule such as a fifth
 * Monday in February (`* 2 1#5`), which comes round once in 28 years or more. croner itself
 * walks until the year 3000 before it says there is no next time. */
const CYCLE_END = Date.UTC(2400, 0, 1);

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The numbers a plain list field (`30`, `4,6,9,11`, `30-31`, `FEB`) holds, else `undefined`. */
function plainList(field: string): number[] | undefined {
  const out: number[] = [];
  for (const part of field.split(",")) {
    const m = /^(\w+)(?:-(\w+))?$/.exec(part);
    if (!m) return undefined;
    const from = value(m[1]!);
    const to = m[2] === undefined ? from : value(m[2]);
    if (from === undefined || to === undefined) return undefined;
    for (let v = from; v <= to; v++) out.push(v);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

function value(token: string): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const month = MONTHS.findIndex((m) => m.slice(0, 3).toUpperCase() === token.toUpperCase());
  return month < 0 ? undefined : month + 1;
}

/** "30 or 31", "April, June or November": a list as it reads. */
function words(items: (string | number)[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** Why the expression has no fire time, as precise as its day and month fields allow. */
function neverReason(day: string, month: string, weekday: string): string {
  const days = plainList(day);
  const months = plainList(month);
  if (!days || !months || !["*", "?"].includes(weekday)) return "never fires";
  return `never fires: no ${words(days)} ${words(months.map((m) => MONTHS[m - 1] ?? m))}`;
}

/**
 * Tells what keeps a cron expression from running on the scheduler as its author meant. Six or
 * seven fields (Quartz and Spring put seconds first, Quartz may add a year) are refused, though
 * croner would read them: the jobs run on minutes, a seconds field of `*` runs them every second,
 * and Quartz counts weekdays 1–7 from Sunday where cron counts 0–6, so a pasted expression is
 * better rewritten by its author than guessed at. The `@daily`-style nicknames are accepted. An
 * expression that never fires (`0 0 30 2 *`) is refused too; one that fires rarely
 * (`0 0 29 2 *`) is not.
 *
 * The verdict does not depend on the time zone the scheduler reads the expression in
 * (`schedule.timezone`): croner runs a local time that a spring-forward gap skips at the gap's
 * end, so every expression that fires in UTC fires in every zone (a test compares zones from
 * UTC−11 to UTC+14, with 30-minute DST and a skipped day); the default UTC only picks where the
 * search runs.
 *
 * @param text The expression.
 * @param timezone IANA zone to read it in. Default `UTC`.
 * @returns Why it is refused, or `undefined` when it is accepted.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cronProblem } from "./cron_problem.ts";
 * assert.equal(cronProblem("0 3 * * *"), undefined);
 * assert.equal(cronProblem("0 0 29 2 *"), undefined);
 * assert.match(cronProblem("0 0 3 * * *") ?? "", /^6 fields: .*, no seconds$/);
 * assert.equal(cronProblem("0 0 30 2 *"), "never fires: no 30 February");
 * ```
 */
export function cronProblem(text: string, timezone = "UTC"): string | undefined {
  const fields = text.trim().split(/\s+/);
  if (fields[0] === "") return `empty: ${FIELDS}`;
  if (!fields[0]!.startsWith("@") && fields.length !== 5) {
    const extra = fields.length === 6
      ? ", no seconds"
      : fields.length === 7
      ? ", no seconds or year"
      : "";
    return `${fields.length} field${fields.length === 1 ? "" : "s"}: ${FIELDS}${extra}`;
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { paused: true, timezone });
  } catch (error) {
    return fields[0]!.startsWith("@")
      ? "unknown nickname (use @hourly, @daily, @weekly, @monthly or @yearly)"
      : (error as Error).message.replace(/^CronPattern: /, "");
  }
  // the first fire time from the start of a cycle: none within the cycle means none ever
  const next = cron.nextRun(new Date(CYCLE_START))?.getTime();
  if (next === undefined || next >= CYCLE_END) {
    return neverReason(fields[2]!, fields[3]!, fields[4]!);
  }
  return undefined;
}
