import { SpoolWriter, spoolDir, tailSpool } from "./lake/mod.ts";
const root = Deno.makeTempDirSync();
const w = new SpoolWriter(root, 1_700_000_000_000);
const c = new AbortController();
let got = 0;
const done = tailSpool(root, () => { got++; }, { signal: c.signal, pollMs: 3_600_000, watchPollMs: 3_600_000 });
await new Promise((r) => setTimeout(r, 100));
new Deno.Command("mkfifo", { args: [`${spoolDir(root)}/evil.fifo`] }).outputSync();
await new Promise((r) => setTimeout(r, 100));
for (let i = 1; i <= 5; i++) { w.append([{ ts: 1_700_000_000_000 + i * 1000, host: "h", metric: "m", labels: "", value: i }]); await new Promise((r) => setTimeout(r, 300)); }
console.log("delivered with fifo:", got, "of 5");
c.abort();
const t = setTimeout(() => { console.log("tail did not end within 3s"); Deno.exit(0); }, 3000);
await done; clearTimeout(t); console.log("ended"); w.close(true);
