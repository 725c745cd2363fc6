// "Wait until 14:32 (about 12 min)": a rate-limited error's wait as a time of day, computed from
// when the window received the error (the backend sends a duration, not a moment).

import type { CommandError } from "../ipc";

/** Formats a moment as a time of day to the minute, never before it (see `formatTime`). */
export type TimeOfDay = (ms: number) => string;

const arrivals = new WeakMap<CommandError, number>();

/**
 * When the window first saw this error. Recorded the first time it is asked, which is when the
 * error is first shown: as it arrives.
 */
export function arrivalOf(error: CommandError, nowMs: number = Date.now()): number {
  const seen = arrivals.get(error);
  if (seen !== undefined) {
    return seen;
  }
  arrivals.set(error, nowMs);
  return nowMs;
}

/** When the provider takes calls again, for a rate-limited error that says; else null. */
export function retryAtMs(error: CommandError, arrivedAtMs: number): number | null {
  const seconds = error.retryAfterSeconds;
  if (error.code !== "rate_limited" || typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
    return null;
  }
  return arrivedAtMs + seconds * 1000;
}

/** How long is left until `untilMs`, in plain words: "about 12 min", "less than a minute". */
export function roughWait(untilMs: number, nowMs: number): string {
  const left = untilMs - nowMs;
  if (left < 60_000) {
    return "less than a minute";
  }
  // A no-break space keeps "12 min" together when the line wraps.
  return `about ${Math.ceil(left / 60_000)}\u00a0min`;
}

/** "Wait until 14:32 (about 12 min)", or "You can try again now." once that time has come. */
export function waitWords(untilMs: number, nowMs: number, timeOfDay: TimeOfDay): string {
  if (untilMs <= nowMs) {
    return "You can try again now.";
  }
  return `Wait until ${timeOfDay(untilMs)} (${roughWait(untilMs, nowMs)}).`;
}

/** The wait line for an error, or null when it is not a rate limit with a known wait. */
export function rateLimitWait(error: CommandError, nowMs: number, timeOfDay: TimeOfDay): string | null {
  const until = retryAtMs(error, arrivalOf(error, nowMs));
  return until === null ? null : waitWords(until, nowMs, timeOfDay);
}
