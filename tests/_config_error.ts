/**
 * Test helper: the message of the ConfigError a config text gets, for the tests of what the
 * config refuses.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../config/mod.ts";

/**
 * Parses `text` and answers the message of the ConfigError it throws; fails the test where it
 * parses or throws anything else.
 *
 * @param text A config file's text.
 * @returns The error's message.
 */
export function configError(text: string): string {
  try {
    parseConfig(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail("expected a ConfigError");
}
