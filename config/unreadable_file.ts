/**
 * The files a config names (CAs, tokens, certificates, keys), tried before anything uses them.
 *
 * @module
 */
import { configPosition } from "./load_config.ts";
import type { PerfscopeConfig } from "./schema.ts";

/**
 * The first file the config names that cannot be read (a probe's CA, a remote-write or source
 * token, CA, certificate or key), as `file:line:column: key: cannot read PATH: why`. serve
 * stopped at start on such a file ("Cannot start the receivers: No such file or directory (os
 * error 2): readfile …", naming no key) after config check had said the file was valid; both
 * `config check` and serve's start now name it.
 *
 * @param config The loaded config.
 * @param file The config file it came from (for the position).
 * @returns The line naming the first unreadable file, or undefined when all can be read.
 */
export async function unreadableFile(
  config: PerfscopeConfig,
  file: string,
): Promise<string | undefined> {
  const named: [(string | number)[], string][] = [];
  config.probes?.forEach((p, i) => p.ca_file && named.push([["probes", i, "ca_file"], p.ca_file]));
  for (const list of ["remote_write", "sources"] as const) {
    config[list]?.forEach((e, i) => {
      if (e.bearer_token_file) named.push([[list, i, "bearer_token_file"], e.bearer_token_file]);
      for (const key of ["ca_file", "cert_file", "key_file"] as const) {
        const at = e.tls?.[key];
        if (at) named.push([[list, i, "tls", key], at]);
      }
    });
  }
  for (const [key, path] of named) {
    let why: string | undefined;
    try {
      const info = await Deno.stat(path);
      if (!info.isFile) why = "not a regular file";
      else (await Deno.open(path)).close();
    } catch (error) {
      why = error instanceof Deno.errors.NotFound
        ? "no such file"
        : error instanceof Deno.errors.PermissionDenied
        ? "permission denied"
        : (error as Error).message;
    }
    if (why === undefined) continue;
    const where = configPosition(await Deno.readTextFile(file), key, file);
    const name = key.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("").slice(1);
    return `${where}: ${name}: cannot read ${path}: ${why}`;
  }
  return undefined;
}
