import assert from "node:assert/strict";
import { cronProblem } from "../../config/cron_problem.ts";

const ZONES = [
  "UTC",
  "Pacific/Pago_Pago", // UTC−11
  "Pacific/Kiritimati", // UTC+14
  "America/New_York", // DST, the gap at 02:00
  "Europe/Berlin", // DST, the gap at 02:00 (UTC 01:00)
  "Australia/Lord_Howe", // DST of 30 minutes
  "Pacific/Apia", // skipped 30 December 2011 when it crossed the date line
  "Asia/Kathmandu", // UTC+05:45
];

Deno.test("cronProblem() gives the same verdict in every time zone, DST gaps included", () => {
  const expressions = [
    "0 3 * * *",
    "30 2 * * *", // in the spring-forward gap once a year in New York and Berlin
    "30 2 8-14 3 0", // day or weekday: fires on many days
    "0 2 29 3 *", // Berlin's gap on 29 March 2026, other years fine
    "15 2 4 10 *", // Lord Howe's half-hour gap on 4 October 2026
    "0 12 30 12 *", // the day Apia skipped, other years fine
    "0 0 29 2 *", // rare
    "0 0 30 2 *", // never
    "0 0 31 4,6,9,11 *", // never
  ];
  for (const text of expressions) {
    const utc = cronProblem(text);
    for (const zone of ZONES) assert.equal(cronProblem(text, zone), utc, `${text} in ${zone}`);
  }
  assert.equal(cronProblem("0 0 30 2 *", "America/New_York"), "never fires: no 30 February");
});
