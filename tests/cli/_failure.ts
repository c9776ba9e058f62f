/**
 * Test helper: what a command's failure looks like to its user.
 *
 * @module
 */
import { errorLine, exitCode } from "../../cli/_args.ts";

/**
 * The exit code `runMain` would give and the one-line message, for a call that rejects.
 *
 * @param run The call, e.g. `() => main(args)`.
 * @returns Its exit code and message line.
 * @throws {Error} If the call resolves.
 */
export async function failure(run: () => Promise<unknown>): Promise<[number, string]> {
  try {
    await run();
  } catch (error) {
    return [exitCode(error), errorLine(error)];
  }
  throw new Error("Expected a failure");
}
