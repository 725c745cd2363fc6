import { describe, expect, it } from "vitest";
import { hiddenNote, isTest, splitByMode } from "./test-mode";

const PEOPLE = { one: "person", many: "people" };

describe("isTest", () => {
  it("marks Rehearsal only", () => {
    expect(isTest("rehearsal")).toBe(true);
    for (const p of ["blockrun", "jarvisclaw", "anyfast", "crun"] as const) {
      expect(isTest(p)).toBe(false);
    }
  });
});

describe("splitByMode", () => {
  const items = [
    { id: 1, provider: "rehearsal" as const },
    { id: 2, provider: "blockrun" as const },
    { id: 3, provider: "anyfast" as const },
    { id: 4, provider: "rehearsal" as const },
  ];

  it("shows only test entries while rehearsing", () => {
    const split = splitByMode(items, "rehearsal");
    expect(split.shown.map((i) => i.id)).toEqual([1, 4]);
    expect(split.hidden).toBe(2);
  });

  it("shows every real provider's entries on a real stage, never Rehearsal's", () => {
    const split = splitByMode(items, "crun");
    expect(split.shown.map((i) => i.id)).toEqual([2, 3]);
    expect(split.hidden).toBe(2);
  });

  it("hides nothing before the stage is known", () => {
    expect(splitByMode(items, null)).toEqual({ shown: items, hidden: 0 });
  });
});

describe("hiddenNote", () => {
  it("says nothing when nothing is hidden", () => {
    expect(hiddenNote(0, "rehearsal", PEOPLE)).toBeNull();
    expect(hiddenNote(3, null, PEOPLE)).toBeNull();
  });

  it("names the other kind and counts it", () => {
    expect(hiddenNote(1, "rehearsal", PEOPLE)).toBe("1 real person is hidden while you rehearse.");
    expect(hiddenNote(4, "blockrun", PEOPLE)).toBe("4 test people from Rehearsal are hidden. They show when Rehearsal runs.");
  });
});
