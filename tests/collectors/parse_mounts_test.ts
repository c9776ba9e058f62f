import assert from "node:assert/strict";
import { parseMounts } from "../../collectors/parse_mounts.ts";
import { readFixture } from "./_util.ts";

Deno.test("parseMounts() reads this machine's captured /proc/mounts", () => {
  const text = readFixture("proc/linux-6.18/t0/mounts");
  const mounts = parseMounts(text);
  assert.equal(mounts.length, text.trim().split("\n").length);
  assert.ok(mounts.some((m) => m.mountpoint === "/" && m.device.startsWith("/dev/")));
});

Deno.test("parseMounts() decodes octal escapes and skips short lines", () => {
  const mounts = parseMounts(readFixture("proc/linux-4.9/mounts"));
  assert.ok(mounts.some((m) => m.mountpoint === "/home/my files" && m.fstype === "xfs"));
  assert.ok(mounts.every((m) => m.device !== "broken-line"));
  assert.deepEqual(parseMounts(""), []);
});
