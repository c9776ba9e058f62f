/**
 * Loads augurs (Grafana's Rust time-series library compiled to WebAssembly) synchronously from
 * the package's `.wasm` files in `node_modules`.
 *
 * @module
 */

import { initSync as initMstl, MSTL } from "@bsull/augurs/mstl";

let ready = false;

/**
 * Returns augurs' MSTL class after instantiating its WebAssembly module once.
 *
 * @returns The `MSTL` class.
 * @throws {Error} If `node_modules/@bsull/augurs/mstl_bg.wasm` cannot be read.
 */
export function augursMstlClass(): typeof MSTL {
  if (!ready) {
    const url = import.meta.resolve("@bsull/augurs/mstl").replace(/mstl\.js$/, "mstl_bg.wasm");
    const bytes = url.startsWith("file:")
      ? Deno.readFileSync(new URL(url))
      : Deno.readFileSync(new URL("../node_modules/@bsull/augurs/mstl_bg.wasm", import.meta.url));
    initMstl({ module: bytes });
    ready = true;
  }
  return MSTL;
}
