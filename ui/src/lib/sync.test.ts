import { describe, expect, it } from "vitest";
import { syncSummary } from "./sync";

const report = (added = 0, updated = 0, unchanged = 0, conflicts = 0) => ({ added, updated, unchanged, conflicts });

describe("syncSummary", () => {
  it("says what came in", () => {
    expect(syncSummary(report(2, 1, 5))).toBe("2 new faces, 1 updated");
    expect(syncSummary(report(1))).toBe("1 new face");
    expect(syncSummary(report(0, 3))).toBe("3 updated");
  });

  it("says when nothing changed", () => {
    expect(syncSummary(report(0, 0, 1))).toBe("Already up to date (1 face).");
    expect(syncSummary(report(0, 0, 4))).toBe("Already up to date (4 faces).");
    expect(syncSummary(report())).toBe("The provider lists no faces for this studio yet.");
  });

  it("mentions faces filed under another provider", () => {
    expect(syncSummary(report(2, 0, 0, 1))).toBe(
      "2 new faces. 1 face the provider lists is filed under another provider here, so it was left as it is.",
    );
    expect(syncSummary(report(0, 0, 0, 2))).toBe(
      "Nothing new. 2 faces the provider lists are filed under another provider here, so they were left as they are.",
    );
  });
});
