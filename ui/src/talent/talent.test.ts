import { describe, expect, it } from "vitest";
import type { TalentView } from "../ipc";
import { talentLines, typedNameToSend } from "./talent";

const T0 = 1_780_000_000_000;

function view(over: Partial<TalentView> = {}): TalentView {
  return {
    sessionId: "ses_1",
    talentName: "Ada Lovelace",
    stage: "scan",
    qrSvg: "<svg/>",
    expiresAtMs: T0 + 90_000,
    release: null,
    agreedAs: "Ada Lovelace",
    problem: null,
    phone: { kind: "not_yet" },
    ...over,
  };
}

describe("the talent's window", () => {
  it("counts down from the operator's deadline and says what to do", () => {
    const lines = talentLines(view(), T0);
    expect(lines.countdown).toBe("1:30");
    expect(lines.headline).toContain("Scan this code");
    expect(lines.detail).toContain("nod and blink");
    const over = talentLines(view(), T0 + 90_000);
    expect(over.countdown).toBeNull();
    expect(over.headline).toBe("Time is up for this code.");
  });

  it("speaks to the talent at every stage, by first name", () => {
    expect(talentLines(view({ stage: "release", qrSvg: null }), T0).headline).toBe("Ada, please read this release.");
    expect(talentLines(view({ stage: "verified" }), T0).headline).toBe("Verified ✓");
    expect(talentLines(view({ stage: "expired", problem: "The check did not pass." }), T0).detail).toBe(
      "The check did not pass.",
    );
    for (const stage of ["agreed", "stopped"] as const) {
      expect(talentLines(view({ stage }), T0).countdown).toBeNull();
    }
  });

  it("sends a typed name only when it is one line and not empty", () => {
    expect(typedNameToSend("  Ada Lovelace ")).toBe("Ada Lovelace");
    expect(typedNameToSend("   ")).toBeNull();
    expect(typedNameToSend("Ada\nLovelace")).toBeNull();
    expect(typedNameToSend("x".repeat(121))).toBeNull();
  });
});
