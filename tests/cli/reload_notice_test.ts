import assert from "node:assert/strict";
import { reloadNotice } from "../../cli/_reload_notice.ts";

Deno.test("The reload notice says a new receivers_limits applies now, keeping the series flowing", () => {
  const before = { receivers_limits: { max_series_per_source: 10 } };
  const line = reloadNotice("p.yaml", before, { receivers_limits: { max_series_per_source: 40 } });
  assert.equal(
    line,
    "perfscope serve: reloaded p.yaml; receivers_limits.max_series_per_source 40 applies now, " +
      "the series flowing keeping their places",
  );
  assert.match(
    reloadNotice("p.yaml", {}, { receivers_limits: { max_ingest_series: 5 } }),
    /; receivers_limits\.max_ingest_series 5 applies now, the series flowing keeping their places$/,
  );
  assert.match(
    reloadNotice("p.yaml", before, {}),
    /; receivers_limits\.max_series_per_source \(default\) applies now/,
  );
  assert.equal(
    reloadNotice("p.yaml", {}, { receivers_limits: { max_scrape_bytes: 4096 } }),
    "perfscope serve: reloaded p.yaml",
  );
  assert.equal(
    reloadNotice("p.yaml", {}, { collect: { interval: 2000 }, lake: { retention: 86_400_000 } }),
    "perfscope serve: reloaded p.yaml; the collector restarts with the new settings; lake " +
      "apply when serve restarts",
  );
});
