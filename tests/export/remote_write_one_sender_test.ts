/**
 * One sender per receiver and data directory: a sender's position file is named after its
 * receiver (`DATA/spool/readers/rw-<hash of url>.json`), the same in `collect`, serve's
 * collector and `deno task remote-write`. Two of them would each save over the other's position
 * and send samples twice or skip some, so the second is refused at its start, naming the first.
 */
import assert from "node:assert/strict";
import { main as collect } from "../../cli/collect.ts";
import { main as remoteWrite } from "../../cli/remote_write.ts";
import { readLockHolder } from "../../lake/mod.ts";
import { missing } from "../_skip.ts";
import { startVictoriaMetrics } from "./_engines.ts";

const cli = (name: string) => new URL(`../../cli/${name}.ts`, import.meta.url).pathname;

/** The lock file of the one sender registered in `data`, once its holder has written it. */
async function senderLock(data: string, child: Deno.ChildProcess): Promise<string> {
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      for (const e of Deno.readDirSync(`${data}/spool/readers`)) {
        const path = `${data}/spool/readers/${e.name}`;
        if (e.name.endsWith(".lock") && readLockHolder(path)?.pid === child.pid) return path;
      }
    } catch {
      // not made yet
    }
    if (Date.now() > until) throw new Error("the collector's sender took no lock");
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name: "remote-write beside a collect that sends to the same receiver is refused in one line " +
    "naming it; another receiver is not",
  ignore: missing("victoria-metrics", "the one-sender test"),
  async fn() {
    const vm = await startVictoriaMetrics({ port: 18601 });
    const data = Deno.makeTempDirSync();
    const collector = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        cli("collect"),
        "--no-config",
        "--data",
        data,
        "--remote-write",
        vm.writeUrl,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const lock = await senderLock(data, collector);
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          cli("remote_write"),
          "--no-config",
          "--data",
          data,
          "--remote-write",
          vm.writeUrl,
        ],
        // without the refusal it runs on, sending the same spool: killed, it fails the checks
        signal: AbortSignal.timeout(30_000),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1, stderr);
      assert.match(
        stderr,
        new RegExp(
          `^perfscope remote-write: Remote write of ${data}/ to ${vm.writeUrl} is already ` +
            `running in pid ${collector.pid} \\(deno task collect, started \\d\\d:\\d\\d:\\d\\d\\): ` +
            `one sender per receiver and data directory\\n$`,
        ),
      );
      // the collector's sender still holds its place
      assert.equal(readLockHolder(lock)?.pid, collector.pid);
      // a second receiver has a position of its own: it runs beside
      const stop = new AbortController();
      const other = remoteWrite(
        ["--no-config", "--data", data, "--remote-write", "http://127.0.0.1:18602/api/v1/write"],
        stop.signal,
      );
      setTimeout(() => stop.abort(), 200);
      assert.equal(await other, 0);
    } finally {
      collector.kill("SIGTERM");
      await collector.status;
      await vm.stop();
      Deno.removeSync(data, { recursive: true });
    }
  },
});

Deno.test({
  name: "collect --remote-write beside a remote-write to the same receiver is refused naming it; " +
    "once that stops, collect runs",
  ignore: missing("victoria-metrics", "the one-sender test"),
  async fn() {
    const vm = await startVictoriaMetrics({ port: 18603 });
    const data = Deno.makeTempDirSync();
    const stop = new AbortController();
    const sending = remoteWrite(
      ["--no-config", "--data", data, "--remote-write", vm.writeUrl],
      stop.signal,
    );
    try {
      await lockedHere(data);
      const args = ["--no-config", "--data", data, "--remote-write", vm.writeUrl];
      await assert.rejects(() => collect([...args, "--duration", "1s"]), {
        name: "SenderBusyError",
        message: new RegExp(
          `^Remote write of ${data}/ to ${vm.writeUrl} is already running in pid ${Deno.pid} ` +
            `\\(deno task remote-write, started `,
        ),
      });
      stop.abort();
      assert.equal(await sending, 0);
      assert.equal(await collect([...args, "--duration", "1s"]), 0);
    } finally {
      stop.abort();
      await sending;
      await vm.stop();
      Deno.removeSync(data, { recursive: true });
    }
  },
});

/** Until an in-process remote-write has made its sender: its lock file names this process. */
async function lockedHere(data: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (readLockHolder(`${data}/spool/readers/${lockName(data)}`)?.pid !== Deno.pid) {
    if (Date.now() > until) throw new Error("remote-write's sender took no lock");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The name of the one lock file in `data`'s readers directory, or "" before it is made. */
function lockName(data: string): string {
  try {
    for (const e of Deno.readDirSync(`${data}/spool/readers`)) {
      if (e.name.endsWith(".lock")) return e.name;
    }
  } catch {
    // not made yet
  }
  return "";
}

Deno.test({
  name: "serve --remote-write beside a remote-write to the same receiver exits 1 at its start " +
    "naming it (its collector would be refused at every restart)",
  ignore: missing("victoria-metrics", "the one-sender test"),
  async fn() {
    const vm = await startVictoriaMetrics({ port: 18606 });
    const data = Deno.makeTempDirSync();
    const stop = new AbortController();
    const sending = remoteWrite(
      ["--no-config", "--data", data, "--remote-write", vm.writeUrl],
      stop.signal,
    );
    try {
      await lockedHere(data);
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          cli("serve"),
          "--host",
          "127.0.0.1",
          "--port",
          "18605",
          "--data",
          data,
          "--remote-write",
          vm.writeUrl,
        ],
        // no perfscope.yaml there (serve takes no --no-config)
        cwd: data,
        // without the check it serves on: killed, it fails the checks
        signal: AbortSignal.timeout(30_000),
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 1, stderr);
      assert.match(
        stderr,
        new RegExp(
          `^perfscope serve: Remote write of ${data}/ to ${vm.writeUrl} is already running in ` +
            `pid ${Deno.pid} \\(deno task remote-write, started \\d\\d:\\d\\d:\\d\\d\\): one sender ` +
            `per receiver and data directory\\n$`,
        ),
      );
    } finally {
      stop.abort();
      await sending;
      await vm.stop();
      Deno.removeSync(data, { recursive: true });
    }
  },
});
