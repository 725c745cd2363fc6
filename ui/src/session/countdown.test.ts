import { describe, expect, it } from "vitest";
import { session, T0 } from "../testing/views";
import { formatCountdown, linkWindowMs, remainingFraction, remainingSeconds } from "./countdown";

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
  it("measures the link's life from when it was issued, not from the last update", () => {
    expect(linkWindowMs(session({ linkIssuedAtMs: T0, expiresAtMs: T0 + 90_000, updatedAtMs: T0 + 60_000 }))).toBe(90_000);
    expect(linkWindowMs({ linkIssuedAtMs: T0 + 125_000, expiresAtMs: T0 + 245_000 })).toBe(120_000);
  });

  it("has no window for a link that expired as it was issued", () => {
    expect(linkWindowMs({ linkIssuedAtMs: T0, expiresAtMs: T0 })).toBe(0);
    expect(linkWindowMs({ linkIssuedAtMs: T0 + 5, expiresAtMs: T0 })).toBe(0);
    expect(remainingFraction({ linkIssuedAtMs: T0, expiresAtMs: T0 }, T0)).toBe(0);
  });

  it("runs from full to empty", () => {
    const s = { linkIssuedAtMs: T0, expiresAtMs: T0 + 120_000 };
    expect(remainingFraction(s, T0)).toBe(1);
    expect(remainingFraction(s, T0 + 30_000)).toBeCloseTo(0.75);
    expect(remainingFraction(s, T0 + 120_000)).toBe(0);
    expect(remainingFraction(s, T0 + 999_000)).toBe(0);
    expect(remainingFraction(s, T0 - 5_000)).toBe(1);
  });

  it("stays in step with the link when a status change touched the session", () => {
    // Verified and back (a refused enroll) moves updatedAtMs; the link's life does not change.
    const s = session({ linkIssuedAtMs: T0, expiresAtMs: T0 + 120_000, updatedAtMs: T0 + 90_000 });
    expect(remainingFraction(s, T0 + 90_000)).toBeCloseTo(0.25);
  });

  it("measures a fresh link's own window (a shorter one than the first)", () => {
    const fresh = session({ linkIssuedAtMs: T0 + 200_000, expiresAtMs: T0 + 260_000, updatedAtMs: T0 + 200_000 });
    expect(remainingFraction(fresh, T0 + 230_000)).toBeCloseTo(0.5);
  });
});
