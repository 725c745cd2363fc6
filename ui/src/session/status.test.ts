import { describe, expect, it } from "vitest";
import { T0, quote, view } from "../testing/views";
import { describeSession, shownPhase } from "./status";

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

describe("describeSession", () => {
  it("says who it is waiting for, and when the next automatic check is", () => {
    const lines = describeSession(view({}, { nextCheckAtMs: T0 + 15_000 }), T0 + 1_000, clock);
    expect(lines.headline).toBe("Waiting for Ada Lovelace to finish on their phone…");
    expect(lines.detail).toBe("Next automatic check at 12:00:15");
    expect(lines.tone).toBe("waiting");
  });

  it("sends the operator to the talent's window until the talent agrees", () => {
    const waiting = describeSession(view({ state: "awaiting_consent", h5Link: "" }, { qrSvg: null }), T0, clock);
    expect(waiting.headline).toBe("Waiting for Ada Lovelace to agree to the release.");
    expect(waiting.detail).toContain("Show to talent");
    expect(waiting.tone).toBe("waiting");
    expect(describeSession(view({ state: "consented" }), T0, clock).headline).toBe("Ada Lovelace agreed to the release.");
  });

  it("does not announce a check that is already in the past", () => {
    expect(describeSession(view({}, { nextCheckAtMs: T0 }), T0 + 5_000, clock).detail).toBeNull();
    expect(describeSession(view(), T0, clock).detail).toBeNull();
  });

  it("words a BytePlus session's steps as adding to the talent's group", () => {
    expect(describeSession(view({ state: "verified" }), T0, clock, true).detail).toBe("Add their photo to their group to use it in videos.");
    expect(describeSession(view({ state: "expired" }), T0, clock, true).detail).toBe("Generate a fresh QR to carry on: it starts a new phone check.");
    expect(describeSession(view({ state: "enrolling" }), T0, clock, true).headline).toBe("Adding the photo to Ada Lovelace's group…");
    expect(describeSession(view({ state: "verified" }), T0, clock).detail).toBe("Enroll to save the face to the library.");
  });

  it("says a failed phone check did not pass, not that the QR ran out of time", () => {
    const notice = { code: "liveness_failed" as const, message: "The phone check did not pass (code 10001).", field: null, retryAfterSeconds: null };
    const failed = describeSession(view({ state: "expired" }, { notice }), T0, clock, true);
    expect(failed.headline).toBe("Ada Lovelace's phone check did not pass.");
    expect(failed.detail).toBeNull();
    const expired = describeSession(view({ state: "expired" }, { notice: { ...notice, code: "session_expired" } }), T0, clock, true);
    expect(expired.headline).toBe("This QR expired before Ada Lovelace finished.");
  });

  it("says time is up when the countdown reaches zero before the backend's verdict", () => {
    const lines = describeSession(view(), T0 + 120_000, clock);
    expect(lines.headline).toBe("Time is up for this QR.");
    expect(lines.tone).toBe("attention");
  });

  it.each([
    ["expired", "This QR expired before Ada Lovelace finished.", "attention"],
    ["verified", "Ada Lovelace finished the phone check.", "good"],
    ["enrolling", "Enrolling Ada Lovelace…", "busy"],
    ["enrolled", "Ada Lovelace is enrolled.", "good"],
    ["cancelled", "This session was cancelled.", "muted"],
  ] as const)("%s", (state, headline, tone) => {
    const lines = describeSession(view({ state }), T0, clock);
    expect(lines.headline).toBe(headline);
    expect(lines.tone).toBe(tone);
  });

  it("names the price while a payment waits for the operator", () => {
    const lines = describeSession(view({ state: "awaiting_payment" }, { quote: quote() }), T0, clock);
    expect(lines.headline).toBe("The provider asks $0.01 to enroll Ada Lovelace.");
    expect(lines.tone).toBe("attention");
  });
});

describe("shownPhase", () => {
  it("shows an expired link as expired as soon as the refusal says so", () => {
    expect(shownPhase("verified", "session_expired")).toBe("expired");
    expect(shownPhase("enrolling", "session_expired")).toBe("expired");
    expect(shownPhase("awaiting_payment", "session_expired")).toBe("expired");
  });

  it("leaves every other case to the backend's state", () => {
    expect(shownPhase("verified", null)).toBe("verified");
    expect(shownPhase("verified", "face_mismatch")).toBe("verified");
    expect(shownPhase("enrolled", "session_expired")).toBe("enrolled");
    expect(shownPhase("awaiting_scan", "session_expired")).toBe("awaiting_scan");
  });
});
