/**
 * Child process of tests/lake/outbox_cut_kill_test.ts and
 * tests/export/spool_cursor_cut_race_test.ts: retires segment after segment (segment `id` holds
 * one snapshot at time `id`) into an outbox whose cap cuts one at each retirement once full
 * (every cut a drop: a reader is registered at segment 0), until it is killed. Says "ready"
 * once the first cut is done.
 *
 * Usage: `deno run -A _outbox_cut_child.ts ROOT CAP`
 */
import { retireSegment, SpoolWriter } from "../../lake/mod.ts";

const [root, cap] = [Deno.args[0]!, Number(Deno.args[1])];
let ready = false;
for (let id = 1;; id++) {
  const w = new SpoolWriter(root, id);
  w.append(
    Array.from({ length: 150 }, (_, i) => ({
      ts: id,
      host: "h",
      metric: "m",
      labels: `n=${i}`,
      value: id * 1000 + i,
    })),
  );
  w.close();
  retireSegment(root, w.segment.path, {
    outboxMaxBytes: cap,
    onDrop: () => {
      if (!ready) Deno.stdout.writeSync(new TextEncoder().encode("ready\n"));
      ready = true;
    },
  });
}
