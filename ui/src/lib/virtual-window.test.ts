import { describe, expect, it } from "vitest";
import { anchorShift, indexAt, offsetsOf, visibleRange } from "./virtual-window";

describe("offsetsOf", () => {
  it("gives each item's top and the total", () => {
    expect(Array.from(offsetsOf([100, 50, 200]))).toEqual([0, 100, 150, 350]);
    expect(Array.from(offsetsOf([]))).toEqual([0]);
  });

  it("never lets a negative height move later items up", () => {
    expect(Array.from(offsetsOf([10, -5, 10]))).toEqual([0, 10, 10, 20]);
  });
});

describe("indexAt", () => {
  const offsets = offsetsOf([100, 50, 200]);

  it("finds the item under a position", () => {
    expect(indexAt(offsets, 0)).toBe(0);
    expect(indexAt(offsets, 99.9)).toBe(0);
    expect(indexAt(offsets, 100)).toBe(1);
    expect(indexAt(offsets, 149)).toBe(1);
    expect(indexAt(offsets, 150)).toBe(2);
  });

  it("clamps positions outside the list", () => {
    expect(indexAt(offsets, -50)).toBe(0);
    expect(indexAt(offsets, 10_000)).toBe(2);
    expect(indexAt(offsetsOf([]), 10)).toBe(0);
  });
});

describe("visibleRange", () => {
  // 10,000 rows of 100 px in a 500 px viewport.
  const offsets = offsetsOf(Array.from({ length: 10_000 }, () => 100));

  it("renders the rows in view plus the overscan, and stands in for the rest", () => {
    expect(visibleRange(offsets, 0, 500, 3)).toEqual({ start: 0, end: 9, before: 0, after: 9_991 * 100 });
    const mid = visibleRange(offsets, 250_050, 500, 3);
    expect(mid).toEqual({ start: 2497, end: 2509, before: 249_700, after: (10_000 - 2509) * 100 });
  });

  it("adds up to the whole list's height", () => {
    for (const top of [0, 1234, 500_000, 999_500]) {
      const r = visibleRange(offsets, top, 500, 2);
      expect(r.before + (r.end - r.start) * 100 + r.after).toBe(1_000_000);
    }
  });

  it("keeps the last rows when scrolled past the end", () => {
    const r = visibleRange(offsets, 2_000_000, 500, 3);
    expect(r.end).toBe(10_000);
    expect(r.after).toBe(0);
    expect(r.start).toBeLessThan(10_000);
  });

  it("handles rows of different heights (a person with many files is taller)", () => {
    const mixed = offsetsOf([102, 400, 102, 102, 900, 102]);
    // Scrolled to 450: row 1 (102–502) is partly in view, the 300 px viewport reaches row 4 (706–1606).
    expect(visibleRange(mixed, 450, 300, 0)).toEqual({ start: 1, end: 5, before: 102, after: 102 });
  });

  it("renders nothing for an empty list", () => {
    expect(visibleRange(offsetsOf([]), 0, 500)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});

describe("anchorShift", () => {
  it("moves the scroll only for rows above the first visible one", () => {
    expect(anchorShift(3, 10, 100, 160)).toBe(60);
    expect(anchorShift(3, 10, 160, 100)).toBe(-60);
    expect(anchorShift(10, 10, 100, 160)).toBe(0);
    expect(anchorShift(12, 10, 100, 160)).toBe(0);
  });
});
