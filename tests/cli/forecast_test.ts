import assert from "node:assert/strict";
import { main } from "../../cli/forecast.ts";
import { simulateHost } from "../../lake/mod.ts";
import { testApp } from "../web/_app.ts";

async function csv(rows: string[]): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, rows.join("\n") + "\n");
  return path;
}

function hourly(n: number): string[] {
  const rows = ["time,cpu,load"];
  for (let i = 0; i < n; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString();
    rows.push(`${ts},${(0.5 + 0.2 * Math.sin((2 * Math.PI * i) / 24)).toFixed(4)},${i % 3}`);
  }
  return rows;
}

Deno.test("forecast CLI prints H rows of timestamp,mean,lo80,hi80,lo95,hi95 after the last row", async () => {
  const path = await csv(hourly(240));
  let out = "";
  const code = await main(
    ["--input", path, "--horizon", "3", "--value-column", "cpu"],
    (t) => (out += t),
  );
  assert.equal(code, 0);
  const lines = out.trim().split("\n");
  assert.equal(lines[0], "timestamp,mean,lo80,hi80,lo95,hi95");
  assert.equal(lines.length, 4);
  assert.ok(lines[1]!.startsWith("2024-01-11T00:00:00.000Z,"));
  const [, mean, lo80, hi80, lo95, hi95] = lines[1]!.split(",").map(Number);
  assert.ok(lo95! <= lo80! && lo80! <= mean! && mean! <= hi80! && hi80! <= hi95!);
  let out2 = "";
  await main(
    ["--input", path, "--horizon", "1", "--season", "0", "--time-column", "time"],
    (t) => (out2 += t),
  );
  assert.equal(out2.trim().split("\n").length, 2);
  await Deno.remove(path);
});

Deno.test("forecast CLI prints help and rejects bad flags, missing files and missing columns", async () => {
  let out = "";
  assert.equal(await main(["--help"], (t) => (out += t)), 0);
  assert.match(out, /Usage: deno task forecast/);
  const path = await csv(hourly(50));
  await assert.rejects(main(["--bogus"]), { name: "UsageError", message: /Unknown option/ });
  await assert.rejects(main(["--horizon", "2"]), {
    name: "UsageError",
    message: /Missing input: give either --input FILE.csv or --metric NAME/,
  });
  await assert.rejects(main(["--input", path]), {
    name: "UsageError",
    message: /Missing --horizon/,
  });
  await assert.rejects(main(["--input", path, "--horizon", "0"]), { name: "UsageError" });
  await assert.rejects(main(["--input", path, "--horizon", "2", "--season", "1"]), {
    name: "UsageError",
  });
  await assert.rejects(main(["--input", path, "--horizon", "2", "--season", "x"]), {
    name: "UsageError",
  });
  await assert.rejects(
    main(["--input", "/nonexistent/x.csv", "--horizon", "2"]),
    /Cannot read --input/,
  );
  await assert.rejects(main(["--input", path, "--horizon", "2", "--value-column", "nope"]), {
    name: "UsageError",
    message: /Invalid --value-column: nope/,
  });
  const bad = await csv(["time,value", "2024-01-01T00:00:00Z,x", "2024-01-01T01:00:00Z,"]);
  await assert.rejects(main(["--input", bad, "--horizon", "2"]), /No numeric values/);
  const one = await csv(["time,value", "2024-01-01T00:00:00Z,1"]);
  await assert.rejects(main(["--input", one, "--horizon", "2"]), /Cannot infer the time step/);
  const notcsv = await csv(["just a header"]);
  await assert.rejects(main(["--input", notcsv, "--horizon", "2"]), /Invalid CSV/);
  for (const p of [path, bad, one, notcsv]) await Deno.remove(p);
});

Deno.test("forecast CLI prints values with 6 significant digits on stdout and its model and accuracy on stderr", async () => {
  const rows = ["timestamp,value"];
  for (let i = 0; i < 240; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + i * 600_000).toISOString();
    rows.push(`${ts},${1e9 + 12345.678901 * i + 1e5 * Math.sin((2 * Math.PI * i) / 36) + 0.3}`);
  }
  const path = await csv(rows);
  let out = "", err = "";
  const code = await main(
    ["--input", path, "--horizon", "4"],
    (t) => (out += t),
    (t) => (err += t),
  );
  assert.equal(code, 0);
  const lines = out.trimEnd().split("\n");
  assert.equal(lines.length, 5);
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    assert.equal(cells.length, 6, line);
    for (const cell of cells.slice(1)) {
      const digits = cell.replace(/^-/, "").replace(/e.*$/, "").replace(".", "")
        .replace(/^0+/, "").replace(/0+$/, "");
      assert.ok(digits.length <= 6, `${cell} has more than 6 significant digits`);
      assert.ok(Number.isFinite(Number(cell)), cell);
    }
  }
  assert.doesNotMatch(out, /forecast:|model:|backtest/);
  const summary = err.trimEnd().split("\n");
  assert.equal(summary.length, 3, err);
  assert.match(
    summary[0]!,
    /^forecast: .*:value: 240 points, step 10 min, horizon 4 steps \(40 min\)$/,
  );
  assert.match(summary[1]!, /^model: \w+/);
  assert.match(
    summary[2]!,
    /^backtest: \d+ origins × \d+ steps: MAE [\d.e+]+, MSE [\d.e+]+, WAPE [\d.]+ %, coverage [\d.]+ % of 80 % intervals, [\d.]+ % of 95 %$/,
  );
  await Deno.remove(path);
});

Deno.test("forecast CLI on a new user's two samples says 'Not enough data yet' instead of zero-width intervals", async () => {
  const two = await csv(["timestamp,value", "2026-01-01T00:00:00Z,1", "2026-01-01T00:01:00Z,2"]);
  let out = "";
  await assert.rejects(main(["--input", two, "--horizon", "3"], (t) => (out += t), () => {}), {
    name: "Error",
    message: /^Not enough data yet: 2 points in .*:value; a forecast needs at least 3$/,
  });
  assert.equal(out, "");
  await Deno.remove(two);
});

Deno.test("forecast CLI refuses a horizon past 1× the history unless --allow-extrapolation, which notes it", async () => {
  const path = await csv(hourly(24));
  const args = ["--input", path, "--value-column", "cpu"];
  let out = "", err = "";
  await assert.rejects(main([...args, "--horizon", "24"], (t) => (out += t), () => {}), {
    name: "Error",
    message:
      /^Not enough data yet: .*:cpu: 23 h of history; forecasts up to 23 h ahead; 1 day needs at least 1 day of history \(use --horizon 23 or less, or --allow-extrapolation\)$/,
  });
  assert.equal(out, "");
  const code = await main(
    [...args, "--horizon", "97", "--allow-extrapolation"],
    (t) => (out += t),
    (t) => (err += t),
  );
  assert.equal(code, 0);
  assert.equal(out.trimEnd().split("\n").length, 98);
  assert.match(
    err,
    /\nnote: the horizon \(4 days\) is 4\.2× the history \(23 h\): that far ahead the forecast is guesswork\n$/,
  );
  err = "";
  await main([...args, "--horizon", "23"], () => {}, (t) => (err += t));
  assert.doesNotMatch(err, /note:/);
  await Deno.remove(path);
});

/** `minutes` of a load average sampled every second, as a fresh collector writes it. */
function minutesOfLoad(minutes: number): string[] {
  const rows = ["timestamp,value"];
  const start = Date.UTC(2026, 11, 6, 18, 0);
  for (let i = 0; i < minutes * 60; i++) {
    const load = 11 + 0.5 * Math.sin(i / 40) + 0.002 * i + 0.1 * Math.sin(i * 7.3);
    rows.push(`${new Date(start + i * 1000).toISOString()},${load.toFixed(2)}`);
  }
  return rows;
}

Deno.test("forecast CLI on a few minutes of data asked for a day ahead says 'Not enough data yet', and forecasts with the override", async () => {
  const path = await csv(minutesOfLoad(5));
  let out = "", err = "";
  await assert.rejects(
    main(["--input", path, "--horizon", "86400"], (t) => (out += t), (t) => (err += t)),
    {
      name: "Error",
      message:
        /^Not enough data yet: .*:value: 5 min of history; forecasts up to 5 min ahead; 1 day needs at least 1 day of history \(use --horizon 299 or less, or --allow-extrapolation\)$/,
    },
  );
  assert.equal(out + err, "");
  const code = await main(
    ["--input", path, "--horizon", "3600", "--allow-extrapolation"],
    (t) => (out += t),
    (t) => (err += t),
  );
  assert.equal(code, 0);
  assert.equal(out.trimEnd().split("\n").length, 3601);
  assert.match(
    err,
    /\nnote: the horizon \(1 h\) is 12× the history \(5 min\): that far ahead the forecast is guesswork\n$/,
  );
  out = err = "";
  assert.equal(
    await main(["--input", path, "--horizon", "299"], (t) => (out += t), (t) => (err += t)),
    0,
  );
  assert.equal(out.trimEnd().split("\n").length, 300);
  assert.doesNotMatch(err, /note:/);
  await Deno.remove(path);
});

Deno.test("forecast CLI on a long history is the same with or without --allow-extrapolation", async () => {
  const path = await csv(hourly(240));
  const args = ["--input", path, "--horizon", "24", "--value-column", "cpu"];
  let a = "", b = "", errA = "", errB = "";
  assert.equal(await main(args, (t) => (a += t), (t) => (errA += t)), 0);
  assert.equal(
    await main([...args, "--allow-extrapolation"], (t) => (b += t), (t) => (errB += t)),
    0,
  );
  assert.equal(a, b);
  assert.equal(errA, errB);
  assert.doesNotMatch(errA, /note:/);
  await Deno.remove(path);
});

Deno.test("forecast CLI --transform fits a positive series on the Box-Cox scale and says so", async () => {
  const path = await csv(hourly(240));
  let out = "", err = "";
  const args = ["--input", path, "--horizon", "2", "--value-column", "cpu"];
  const code = await main([...args, "--transform", "boxcox", "--bias-adjust"], (t) => (out += t), (
    t,
  ) => (err += t));
  assert.equal(code, 0);
  assert.equal(out.trim().split("\n").length, 3);
  assert.match(err, /transform: (log|Box-Cox λ [0-9.]+), forecast the mean/);
  await assert.rejects(main([...args, "--transform", "sqrt"]), {
    name: "UsageError",
    message: /Invalid --transform: sqrt/,
  });
  await assert.rejects(main([...args, "--transform", "none", "--bias-adjust"]), {
    name: "UsageError",
    message: /--bias-adjust needs a transform/,
  });
  await Deno.remove(path);
});

Deno.test({
  name:
    "forecast CLI on a 5-minute lake says 'Not enough data yet' for a day ahead, and the Capacity page and API say it too",
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "perfscope-forecast-" });
    // minutes ago, as a new user's lake is (the default look-back is 14 days of the clock)
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    simulateHost({ root, host: "new1", start, durationMs: 5 * 60_000, stepMs: 1000, topN: 1 });
    const args = ["--metric", "load_average", "--labels", "window=1m", "--data", root];
    await assert.rejects(main([...args, "--horizon", "86400"], () => {}, () => {}), {
      name: "Error",
      message:
        /^Not enough data yet: load_average\{window=1m\}.*: 5 min of history; forecasts up to 5 min ahead; 1 day needs at least 1 day of history \(use --horizon 299 or less, or --allow-extrapolation\)$/,
    });
    // a horizon given as a duration is answered with one the flag takes, which then forecasts
    await assert.rejects(main([...args, "--horizon", "1h"], () => {}, () => {}), {
      name: "Error",
      message:
        /^Not enough data yet: load_average\{window=1m\}.*: 5 min of history; forecasts up to 5 min ahead; 1 h needs at least 1 h of history \(use --horizon 4m59s or less, or --allow-extrapolation\)$/,
    });
    let suggested = "";
    assert.equal(await main([...args, "--horizon", "4m59s"], () => {}, (t) => (suggested += t)), 0);
    assert.match(suggested, /horizon 299 s = 299 steps of 1 s\n/);
    assert.doesNotMatch(suggested, /note:/);
    let out = "", err = "";
    const code = await main(
      [...args, "--horizon", "600", "--allow-extrapolation"],
      (t) => (out += t),
      (t) => (err += t),
    );
    assert.equal(code, 0);
    assert.equal(out.trimEnd().split("\n").length, 601);
    assert.match(err, /\nnote: the horizon \(10 min\) is 2\.0× the history \(5 min\)/);
    {
      await using t = await testApp({ root, capacity: { bootstrap: 5 } });
      const api = await (await t.app.request("/api/capacity")).json();
      assert.equal(api.status, "insufficient");
      assert.equal(api.reason, "5 min of history; ETAs need 1 day");
      assert.equal(api.evidence.minForecastShare, 1);
      assert.ok(api.resources.length > 0);
      for (const r of api.resources) assert.equal(r.forecast, null, r.name);
      const page = await (await t.app.request("/capacity")).text();
      assert.match(page, /Not enough data yet: too little history for ETAs\./);
      assert.match(page, /5 min of history; ETAs need 1 day/);
    }
    await Deno.remove(root, { recursive: true });
  },
});

/** `n` rows a minute apart of a gently seasonal positive value; `jitter(i)` ms added to row i. */
function minutely(n: number, jitter: (i: number) => number = () => 0): string[] {
  const rows = ["time,value"];
  for (let i = 0; i < n; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + i * 60_000 + jitter(i)).toISOString();
    rows.push(`${ts},${(5 + Math.sin((2 * Math.PI * i) / 30)).toFixed(4)}`);
  }
  return rows;
}

Deno.test("forecast CLI --horizon takes a duration, in steps of the series' step rounded up, and says so", async () => {
  const path = await csv(minutely(240));
  let out = "", err = "";
  assert.equal(
    await main(["--input", path, "--horizon", "1h"], (t) => (out += t), (t) => (err += t)),
    0,
  );
  assert.equal(out.trimEnd().split("\n").length, 61);
  assert.match(
    err,
    /^forecast: .*:value: 240 points, step 1 min, horizon 1 h = 60 steps of 1 min\n/,
  );
  // the same forecast as the 60 steps written out
  let steps = "";
  await main(["--input", path, "--horizon", "60"], (t) => (steps += t), () => {});
  assert.equal(out, steps);
  out = "", err = "";
  await main(["--input", path, "--horizon", "90s"], (t) => (out += t), (t) => (err += t));
  assert.equal(out.trimEnd().split("\n").length, 3);
  assert.match(err, /horizon 90 s = 2 steps of 1 min \(rounded up to 2 min\)\n/);
  await assert.rejects(main(["--input", path, "--horizon", "30s"], () => {}, () => {}), {
    name: "UsageError",
    message: "Invalid --horizon: 30s is shorter than one step (1 min)",
  });
  await assert.rejects(main(["--input", path, "--horizon", "soon"], () => {}, () => {}), {
    name: "UsageError",
    message: /^Invalid --horizon: soon \(expected a number of steps ≥ 1 or a duration/,
  });
  // a bare number that is not a whole count of steps names the duration form too
  for (const bad of ["1.5", "0", "1e7"]) {
    await assert.rejects(main(["--input", path, "--horizon", bad], () => {}, () => {}), {
      name: "UsageError",
      message: `Invalid --horizon: ${bad} (expected a whole number of steps from 1 to 1000000 ` +
        "or a duration, e.g. 90s, 1h, 1d)",
    });
  }
  await Deno.remove(path);
});

Deno.test("forecast CLI allows a horizon as long as a history whose timestamps jitter by 1 ms", async () => {
  // 360 points a minute apart, the last 1 ms early: the span is 359 min − 1 ms
  const path = await csv(minutely(360, (i) => (i === 359 ? -1 : 0)));
  let out = "";
  assert.equal(await main(["--input", path, "--horizon", "359"], (t) => (out += t), () => {}), 0);
  assert.equal(out.trimEnd().split("\n").length, 360);
  await assert.rejects(main(["--input", path, "--horizon", "360"], () => {}, () => {}), {
    message: /\(use --horizon 359 or less, or --allow-extrapolation\)$/,
  });
  // as a duration: the most the history supports, read back by --horizon, and not a step more
  await assert.rejects(main(["--input", path, "--horizon", "6h"], () => {}, () => {}), {
    message: /\(use --horizon 5h59m or less, or --allow-extrapolation\)$/,
  });
  out = "";
  assert.equal(await main(["--input", path, "--horizon", "5h59m"], (t) => (out += t), () => {}), 0);
  assert.equal(out.trimEnd().split("\n").length, 360);
  await assert.rejects(main(["--input", path, "--horizon", "5h59m1s"], () => {}, () => {}), {
    message: /\(use --horizon 5h59m or less, or --allow-extrapolation\)$/,
  });
  await Deno.remove(path);
});

Deno.test({
  name:
    "forecast CLI on a lake ratio (cpu_ratio) uses the ratio rule (no transform) unless --transform says otherwise",
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "perfscope-forecast-ratio-" });
    // an hour that ended within the last week (the default look-back is 14 days of the clock),
    // at the same time of the week as 2026-12-06 18:00 UTC, so the simulated daily and weekly
    // shape, and so the values, are the same whenever the test runs
    const week = 7 * 86_400_000, anchor = Date.UTC(2026, 11, 6, 18, 0);
    const start = anchor + Math.floor((Date.now() - 2 * 3_600_000 - anchor) / week) * week;
    simulateHost({ root, host: "r1", start, durationMs: 60 * 60_000, stepMs: 10_000, cpus: 1 });
    const args = ["--metric", "cpu_ratio", "--labels", "cpu=0,mode=user", "--data", root];
    const run = async (extra: string[]) => {
      let out = "", err = "";
      const code = await main([...args, ...extra], (t) => (out += t), (t) => (err += t));
      assert.equal(code, 0, err);
      return { out, err };
    };
    const plain = await run(["--horizon", "30"]);
    assert.doesNotMatch(plain.err, /transform:/);
    for (const line of plain.out.trim().split("\n").slice(1)) {
      for (const v of line.split(",").slice(1).map(Number)) assert.ok(v >= 0, line);
    }
    const boxcox = await run(["--horizon", "30", "--transform", "boxcox"]);
    assert.match(boxcox.err, /transform: (log|Box-Cox λ [0-9.]+), forecast the median/);
    const biased = await run(["--horizon", "30", "--bias-adjust"]);
    assert.match(biased.err, /transform: (log|Box-Cox λ [0-9.]+), forecast the mean/);
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test("forecast CLI on rows that mostly repeat their time says so, not that times never increase", async () => {
  // a new user's walkthrough: every time written twice made the median gap 0, and the error said
  // the file needed "two rows with increasing times", which it had
  const rows = ["timestamp,value"];
  for (let i = 0; i < 300; i++) rows.push(`${1764979200 + Math.floor(i / 2) * 60},${i}`);
  const path = await csv(rows);
  await assert.rejects(
    main(["--input", path, "--horizon", "2"]),
    /Cannot infer the time step of .*: 150 of 299 rows repeat the time of the row before; give one row per time/,
  );
});

Deno.test("forecast CLI says when the transform it was given cannot be applied, and why", async () => {
  // a new user's walkthrough: --transform boxcox on a utilisation with idle zeros printed no
  // transform line and no reason
  const rows = minutely(240).map((r, i) => (i === 50 || i === 90 ? r.replace(/,.*/, ",0") : r));
  const path = await csv(rows);
  const cases: [string[], string][] = [[["--transform", "log"], "log"], [
    ["--bias-adjust"],
    "Box-Cox",
  ]];
  for (const [flags, name] of cases) {
    let err = "";
    const code = await main(
      ["--input", path, "--horizon", "5", ...flags],
      () => {},
      (t) => (err += t),
    );
    assert.equal(code, 0);
    assert.doesNotMatch(err, /\ntransform:/);
    assert.match(
      err,
      new RegExp(
        `\\nnote: no ${name} transform: 2 of 240 values are ≤ 0 \\(it needs every value > 0\\)\\n`,
      ),
    );
  }
  // a straight line: Box-Cox's λ comes out ≥ 1, nothing to stabilise
  const line = ["time,value"];
  for (let i = 0; i < 240; i++) {
    line.push(`${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${100 + i}`);
  }
  let err = "";
  await main(
    ["--input", await csv(line), "--horizon", "5", "--transform", "boxcox"],
    () => {},
    (t) => (err += t),
  );
  assert.doesNotMatch(err, /\ntransform:/);
  assert.match(
    err,
    /\nnote: no Box-Cox transform: its λ came out ≥ 1, so the series is fitted as it is\n/,
  );
  // without --transform nothing is asked for, so nothing is said
  err = "";
  await main(["--input", path, "--horizon", "5"], () => {}, (t) => (err += t));
  assert.doesNotMatch(err, /note: no/);
  await Deno.remove(path);
});

Deno.test("forecast CLI keeps 6 significant digits for values past 2^53 too", async () => {
  // past 2^53 every double is whole, which the lake's rule kept exact: 17 digits were printed
  const rows = ["time,v"];
  for (let i = 0; i < 48; i++) {
    rows.push(`${new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString()},${i + 1}e300`);
  }
  const path = await csv(rows);
  let out = "";
  assert.equal(await main(["--input", path, "--horizon", "2"], (t) => (out += t), () => {}), 0);
  const cells = out.trim().split("\n").slice(1).flatMap((line) => line.split(",").slice(1));
  assert.equal(cells.length, 10);
  for (const cell of cells) {
    const digits = cell.replace(/e[+-]\d+$/, "").replace(/[-.]/g, "").replace(/^0+/, "");
    assert.ok(digits.length <= 6, cell);
    assert.ok(Number.isFinite(Number(cell)) && Number(cell) > 1e299, cell);
  }
});
