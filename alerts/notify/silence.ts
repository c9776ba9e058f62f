/**
 * The shape of one silence, shared by the store (`silences.ts`) and its log (`silence_log.ts`).
 *
 * @module
 */
import type { Matcher } from "./matchers.ts";

/** A silence as stored and shown. */
export interface Silence {
  /** Random id (UUID). */
  id: string;
  matchers: Matcher[];
  /** Start, ms epoch. */
  startsAt: number;
  /** End, ms epoch; expiring a silence sets it to the present. */
  endsAt: number;
  /** Who made it (free text). */
  createdBy: string;
  /** Why. */
  comment: string;
  /** When it was made, ms epoch. */
  createdAt: number;
}
