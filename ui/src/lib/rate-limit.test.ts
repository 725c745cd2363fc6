import { describe, expect, it } from "vitest";
import type { CommandError } from "../ipc";
import { arrivalOf, rateLimitWait, retryAtMs, roughWait, waitWords } from "./rate-limit";
import { formatTime } from "./format";

const T0 = Date.UTC(2026, 10, 23, 14, 20, 0);
const hhmm = (ms: number): string => formatTime(ms, { locale: "en-GB", timeZone: "UTC", roundUp: true });
const limited = (retryAfterSeconds?: number | null): CommandError => ({
  code: "rate_limited",
  message: "BlockRun is rate-limiting us.",
  field: null,
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});

describe("retryAtMs", () => {
  it("adds the wait to when the error arrived", () => {
    expect(retryAtMs(limited(600), T0)).toBe(T0 + 600_000);
    expect(retryAtMs(limited(0), T0)).toBe(T0);
  });

  it("is null without a wait, or for another error", () => {
    expect(retryAtMs(limited(null), T0)).toBeNull();
    expect(retryAtMs(limited(), T0)).toBeNull();
    expect(retryAtMs(limited(-1), T0)).toBeNull();
    expect(retryAtMs({ code: "network", message: "Offline.", field: null, retryAfterSeconds: 30 }, T0)).toBeNull();
  });
});

describe("waitWords", () => {
  it("says the time of day and roughly how long", () => {
    expect(waitWords(T0 + 12 * 60_000, T0, hhmm)).toBe("Wait until 14:32 (about 12\u00a0min).");
  });

  it("rounds both up, so the operator never tries too early", () => {
    expect(waitWords(T0 + 11 * 60_000 + 20_000, T0, hhmm)).toBe("Wait until 14:32 (about 12\u00a0min).");
  });

  it("says less than a minute for short waits", () => {
    expect(waitWords(T0 + 30_000, T0, hhmm)).toBe("Wait until 14:21 (less than a minute).");
    expect(roughWait(T0 + 59_999, T0)).toBe("less than a minute");
    expect(roughWait(T0 + 60_000, T0)).toBe("about 1\u00a0min");
  });

  it("says so once the time has come", () => {
    expect(waitWords(T0, T0, hhmm)).toBe("You can try again now.");
    expect(waitWords(T0 - 1, T0, hhmm)).toBe("You can try again now.");
  });
});

describe("rateLimitWait", () => {
  it("counts from when the error was first seen, not from each redraw", () => {
    const e = limited(600);
    expect(rateLimitWait(e, T0, hhmm)).toBe("Wait until 14:30 (about 10\u00a0min).");
    expect(rateLimitWait(e, T0 + 5 * 60_000, hhmm)).toBe("Wait until 14:30 (about 5\u00a0min).");
    expect(arrivalOf(e, T0 + 9_999_999)).toBe(T0);
  });

  it("is null for anything that is not a rate limit with a wait", () => {
    expect(rateLimitWait(limited(null), T0, hhmm)).toBeNull();
    expect(rateLimitWait({ code: "timeout", message: "Slow.", field: null }, T0, hhmm)).toBeNull();
  });
});
