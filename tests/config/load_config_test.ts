import assert from "node:assert/strict";
import {
  ConfigError,
  loadConfig,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_DEPTH,
  parseConfig,
} from "../../config/mod.ts";

Deno.test("parseConfig() reads the annotated example with every duration in milliseconds", async () => {
  const config = parseConfig(
    await Deno.readTextFile(new URL("../../examples/perfscope.yaml", import.meta.url)),
  );
  assert.deepEqual(config, {
    data: "data",
    collect: { interval: 1000, flush: 60_000, top: 5 },
    lake: {
      retention: 30 * 86_400_000,
      compact_every: 3_600_000,
      tiers: { raw: 6 * 3_600_000, minute: 8 * 86_400_000 },
    },
    ingest: {
      max_age: 30 * 86_400_000,
      max_ahead: 300_000,
      max_lines: 250_000,
      max_partitions: 64,
    },
    web: { host: "127.0.0.1", port: 8000, collect: true },
  });
});

Deno.test("parseConfig() gives {} for an empty file or one holding only comments", () => {
  assert.deepEqual(parseConfig(""), {});
  assert.deepEqual(parseConfig("# nothing yet\n"), {});
});

const bad: [string, string][] = [
  [
    "collect:\n  interval: 5 minutes\n",
    'x.yaml:2:13: collect.interval: invalid duration "5 minutes"',
  ],
  ["collect:\n  interval: 60\n", "x.yaml:2:13: collect.interval: invalid duration 60"],
  ["collect:\n  intervall: 1s\n", 'x.yaml:2:3: unknown key "intervall" in collect'],
  ["colect: {}\n", 'x.yaml:1:1: unknown key "colect"'],
  ["web:\n  port: 70000\n", "x.yaml:2:9: web.port: must be at most 65535, got 70000"],
  ["web:\n  port: eighty\n", 'x.yaml:2:9: web.port: expected number, got "eighty"'],
  ["web:\n  insecure: yes please\n", "x.yaml:2:13: web.insecure: expected boolean"],
  ["data: ''\n", "x.yaml:1:7: data: must not be empty"],
  ["collect: 5\n", "x.yaml:1:10: collect: expected object, got 5"],
  ["- a\n- b\n", "x.yaml:1:1: (top level): expected object"],
  ["data: a\ndata: b\n", "x.yaml:2:1: Map keys must be unique"],
  ["web: {port: 1\n", "x.yaml:"],
  [
    "lake:\n  retention: 0d\n",
    'x.yaml:2:14: lake.retention: invalid duration "0d" (must be greater than zero)',
  ],
  // 1e400, .inf and .nan are numbers YAML cannot hold finite: "got null" hid what was written
  [
    "ingest:\n  max_lines: 1e400\n",
    "x.yaml:2:14: ingest.max_lines: expected number, got Infinity (a finite number is needed)",
  ],
  ["web:\n  port: .nan\n", "x.yaml:2:9: web.port: expected number, got NaN (a finite"],
  [
    "rules:\n  - {alert: A, metric: m, above: -.inf}\n",
    "x.yaml:2:34: rules[0].above: expected number, got -Infinity",
  ],
  // tiers in the wrong order (serve refused them at start, in ms, after config check passed)
  [
    "lake:\n  tiers:\n    raw: 10d\n    minute: 1h\n",
    "x.yaml:3:10: lake.tiers.raw: must be at most lake.tiers.minute (1 h), got 10 days",
  ],
  [
    "lake:\n  tiers:\n    minute: 1h\n",
    "x.yaml:3:13: lake.tiers.minute: must be at least lake.tiers.raw (default 6h), got 1 h",
  ],
];

for (const [text, expected] of bad) {
  Deno.test(`parseConfig() names the place of the mistake in ${JSON.stringify(text)}`, () => {
    assert.throws(() => parseConfig(text, "x.yaml"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(expected), `${error.message} / ${expected}`);
      assert.ok(!error.message.includes("\n"), "one line");
      return true;
    });
  });
}

Deno.test("parseConfig() refuses an alias bomb instead of expanding it", () => {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 0; i < 9; i++) {
    const prev = String.fromCharCode(97 + i);
    const next = String.fromCharCode(98 + i);
    lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(", ")}]`);
  }
  assert.throws(() => parseConfig(lines.join("\n"), "x.yaml"), ConfigError);
});

Deno.test("loadConfig() takes ./perfscope.yaml when present and nothing when absent", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  try {
    Deno.chdir(dir);
    assert.deepEqual(await loadConfig(), { config: {}, path: undefined });
    await Deno.writeTextFile("perfscope.yaml", "collect:\n  top: 3\n");
    assert.deepEqual(await loadConfig(), {
      config: { collect: { top: 3 } },
      path: "perfscope.yaml",
    });
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig() refuses a named file that is missing, a directory or too large", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadConfig(`${dir}/none.yaml`), /none.yaml: cannot read/);
    await assert.rejects(loadConfig(dir), /not a regular file/);
    const big = `${dir}/big.yaml`;
    await Deno.writeTextFile(big, `# ${"x".repeat(MAX_CONFIG_BYTES)}\n`);
    await assert.rejects(loadConfig(big), /bytes, more than/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseConfig() refuses 100,000 levels of [ or {a: with one line, not a stack overflow", () => {
  // the 101st collection is where the limit is crossed: column 101, and 3 + 99 × 4 + 1 = 400
  assert.equal(MAX_CONFIG_DEPTH, 100);
  assert.throws(() => parseConfig("[".repeat(100_000)), {
    name: "ConfigError",
    message: "perfscope.yaml:1:101: nesting deeper than 100 levels",
  });
  assert.throws(() => parseConfig(`a: ${"{a: ".repeat(100_000)}`, "p.yaml"), {
    name: "ConfigError",
    message: "p.yaml:1:400: nesting deeper than 100 levels",
  });
});

Deno.test("parseConfig() counts block nesting too, and reads 100 levels as any other value", () => {
  const block = Array.from({ length: 150 }, (_, i) => `${" ".repeat(i)}a:`).join("\n");
  assert.throws(() => parseConfig(block), /^ConfigError: perfscope.yaml:101:101: nesting deeper/);
  // the map is level 1, the sequence on line i + 2 level i + 2: the 101st starts line 101, col 199
  const seqs = Array.from({ length: 150 }, (_, i) => `${" ".repeat(2 * i)}-`).join("\n");
  assert.throws(() => parseConfig(`k:\n${seqs}`), /^ConfigError: perfscope.yaml:101:199: nesting/);
  // 100 levels (the map and 99 sequences) pass the depth check and meet the schema
  const deepest = `x: ${"[".repeat(99)}${"]".repeat(99)}\n`;
  assert.throws(() => parseConfig(deepest), /perfscope.yaml:1:1: unknown key "x"/);
  assert.throws(() => parseConfig(`x: ${"[".repeat(100)}${"]".repeat(100)}\n`), /1:103: nesting/);
});
