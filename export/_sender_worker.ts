/**
 * Private: the thread of {@linkcode RemoteWriteThread}. It runs the senders it is given and
 * posts their metrics every second; `{ stop: flushMs }` stops them (with that long to send what
 * is left) and answers `{ stopped: true }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type RemoteWriteOptions, RemoteWriteSender } from "./remote_write_sender.ts";
import type { SenderThreadReport } from "./remote_write_thread.ts";

let senders: RemoteWriteSender[] = [];
let timer: ReturnType<typeof setInterval> | undefined;

function report(): void {
  const message: SenderThreadReport = {
    metrics: senders.map((s) => s.metrics().map(([m, , kind, value]) => [m, kind, value])),
  };
  self.postMessage(message);
}

self.onmessage = async (
  e: MessageEvent<{ start?: { root: string; options: RemoteWriteOptions[] }; stop?: number }>,
) => {
  if (e.data.start) {
    const { root, options } = e.data.start;
    senders = options.map((o) => new RemoteWriteSender(root, o).start());
    timer = setInterval(report, 1000);
    report();
  } else if (e.data.stop !== undefined) {
    const flushMs = e.data.stop;
    clearInterval(timer);
    await Promise.all(senders.map((s) => s.stop({ flushMs })));
    report();
    self.postMessage({ stopped: true });
  }
};
