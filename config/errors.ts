/**
 * The error a bad config file raises: one line that names the file, the line and column, the key
 * and what is wrong, e.g. `perfscope.yaml:12:5: collect.interval: invalid duration "5 minutes"`.
 *
 * @module
 */

/** A config file that cannot be read, parsed or validated. */
export class ConfigError extends Error {
  /**
   * @param message The whole line, starting with `file:line:column:` where a position is known.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}
