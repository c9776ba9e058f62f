// Alerts page, Schedule section: the scheduler's jobs from /api/schedule (last run, outcome,
// how long it took, next run, the run's one-line summary or error), refreshed every 5 s so a run
// that ends while the page is open shows without a reload. Times and durations go through the
// shared formatter; job names and details come from the config and the jobs' output: as text.
import { formatTime, formatValue } from "/assets/format.js";

(function () {
  const meta = document.getElementById("schedule-meta");
  const table = document.getElementById("schedule-table");
  if (!meta || !table) return;

  const OUTCOME = {
    ok: "ok",
    failed: "failed",
    running: "running",
    unknown: "started, outcome unknown",
  };

  function cell(text, attrs) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    for (const [k, v] of Object.entries(attrs ?? {})) td.setAttribute(k, v);
    return td;
  }

  function jobRow(job) {
    const tr = document.createElement("tr");
    tr.dataset.job = job.name;
    const last = job.lastRun;
    // a run in progress shows as running whatever the last finished run said
    const outcome = job.running ? "running" : last ? last.outcome : null;
    if (outcome) tr.dataset.outcome = outcome;
    const outcomeText = outcome === null
      ? "never ran"
      : (OUTCOME[outcome] ?? outcome) + (last?.catchUp ? " (catch-up)" : "");
    const took = last && !job.running && last.durationMs !== undefined
      ? formatValue(last.durationMs, "ms")
      : "";
    const next = job.nextRun === null ? null : Date.parse(job.nextRun);
    tr.append(
      cell(job.name),
      cell(job.cron),
      cell(last ? formatTime(last.at, { seconds: true }) : "–"),
      cell(outcomeText, { class: `outcome-${outcome ?? "none"}` }),
      cell(took, { class: "num" }),
      cell(next === null ? "no more runs" : formatTime(next)),
      cell(last?.detail ?? ""),
    );
    return tr;
  }

  async function refresh() {
    try {
      const res = await fetch("/api/schedule");
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
      const at = Date.now();
      const jobs = body.jobs ?? [];
      table.tBodies[0].replaceChildren(...jobs.map(jobRow));
      const failed = jobs.filter((j) => !j.running && j.lastRun?.outcome === "failed").length;
      const running = jobs.filter((j) => j.running).length;
      meta.textContent = jobs.length === 0
        ? "No scheduled jobs: add schedule: or a workflow with a schedule trigger to perfscope.yaml."
        : `${jobs.length} job${
          jobs.length === 1 ? "" : "s"
        }, ${running} running, ${failed} failed at their last run · ${
          formatTime(at, { seconds: true })
        }`;
    } catch (e) {
      meta.textContent = "Could not load the schedule: " + e.message;
    }
  }

  refresh();
  setInterval(refresh, 5000);
})();
