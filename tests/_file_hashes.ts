/**
 * Test helper: the SHA-256 of every file under some folders, to prove a refused request or
 * statement changed nothing on disk.
 *
 * @module
 */

/**
 * Hashes every file under the given folders.
 *
 * @param roots Folders to walk (recursively).
 * @returns File path → base64 SHA-256 of its bytes.
 */
export async function fileHashes(...roots: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(dir: string) {
    for await (const e of Deno.readDir(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else {
        const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
        out.set(path, btoa(String.fromCharCode(...new Uint8Array(digest))));
      }
    }
  }
  for (const root of roots) await walk(root);
  return out;
}
