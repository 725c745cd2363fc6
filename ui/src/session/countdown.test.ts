import { describe, expect, it } from "vitest";
import { T0 } from "../testing/views";
import { DEFAULT_LINK_WINDOW_MS, formatCountdown, linkWindowMs, remainingFraction, remainingSeconds } from "./countdown";

describe("remainingSeconds", () => {
  const expires = T0 + 120_000;

  it("reads a fresh 120 s link as 120", () => {
    expect(remainingSeconds(expires, T0)).toBe(120);
  });

  it("rounds part seconds up, so 0:00 means the time is really up", () => {
    expect(remainingSeconds(expires, T0 + 6_001)).toBe(114);
    expect(remainingSeconds(expires, T0 + 119_999)).toBe(1);
    expect(remainingSeconds(expires, T0 + 120_000)).toBe(0);
  });

  it("never goes negative after the deadline", () => {
    expect(remainingSeconds(expires, T0 + 500_000)).toBe(0);
  });

  it("is zero when the deadline is unknown", () => {
    expect(remainingSeconds(null, T0)).toBe(0);
    expect(remainingSeconds(Number.NaN, T0)).toBe(0);
  });
});

describe("formatCountdown", () => {
  it.each([
    [120, "2:00"],
    [113, "1:53"],
    [60, "1:00"],
    [59, "0:59"],
    [5, "0:05"],
    [0, "0:00"],
    [-3, "0:00"],
    [725, "12:05"],
    [9.7, "0:09"],
  ])("%s s → %s", (seconds, text) => {
    expect(formatCountdown(seconds)).toBe(text);
  });

  it("matches the m:ss shape the end-to-end test reads", () => {
    expect(formatCountdown(remainingSeconds(T0 + 120_000, T0 + 7_500))).toMatch(/^\d:\d\d$/);
  });
});

describe("the ring", () => {
  it("measures the link's life from when it was issued", () => {
    expect(linkWindowMs({ expiresAtMs: T0 + 90_000, updatedAtMs: T0 })).toBe(90_000);
  });

  it("falls back to 120 s when the window cannot be told", () => {
    expect(linkWindowMs({ expiresAtMs: null, updatedAtMs: T0 })).toBe(DEFAULT_LINK_WINDOW_MS);
    expect(linkWindowMs({ expiresAtMs: T0, updatedAtMs: T0 + 5 })).toBe(DEFAULT_LINK_WINDOW_MS);
  });

  it("runs from full to empty", () => {
    const s = { expiresAtMs: T0 + 120_000, updatedAtMs: T0 };
    expect(remainingFraction(s, T0)).toBe(1);
    expect(remainingFraction(s, T0 + 30_000)).toBeCloseTo(0.75);
    expect(remainingFraction(s, T0 + 120_000)).toBe(0);
    expect(remainingFraction(s, T0 + 999_000)).toBe(0);
    expect(remainingFraction(s, T0 - 5_000)).toBe(1);
    expect(remainingFraction({ expiresAtMs: null, updatedAtMs: T0 }, T0)).toBe(0);
  });
});
