import { describe, expect, it } from "vitest";
import { columnsFor, rowHeight, rowOfIndex, rowsOf, TILE_CAPTION_PX } from "./grid";

describe("the grid", () => {
  it("fits as many 200 px tiles as the width takes, never none", () => {
    expect(columnsFor(0)).toBe(1);
    expect(columnsFor(150)).toBe(1);
    expect(columnsFor(415)).toBe(1);
    expect(columnsFor(416)).toBe(2);
    expect(columnsFor(968)).toBe(4);
    expect(columnsFor(Number.NaN)).toBe(1);
  });

  it("cuts items into rows in order, the last one short", () => {
    const rows = rowsOf(["a", "b", "c", "d", "e"], 2);
    expect(rows.map((r) => r.items)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    // Keyed by place and width: a narrower search refills the same rows.
    expect(rows.map((r) => r.key)).toEqual(["0|2", "1|2", "2|2"]);
    expect(rowsOf(["c", "e"], 2).map((r) => r.key)).toEqual(["0|2"]);
    expect(rowsOf([], 3)).toEqual([]);
    expect(rowOfIndex(4, 2)).toBe(2);
    expect(rowOfIndex(0, 4)).toBe(0);
  });

  it("makes 10,000 people into 2,500 rows of 4", () => {
    const people = Array.from({ length: 10_000 }, (_, i) => `p${i}`);
    const rows = rowsOf(people, 4);
    expect(rows).toHaveLength(2_500);
    expect(rows.at(-1)?.items).toEqual(["p9996", "p9997", "p9998", "p9999"]);
  });

  it("sizes a row as a square photo plus its caption and gap", () => {
    // 4 tiles across 968 px with 16 px gaps: 230 px photos.
    expect(rowHeight(968, 4)).toBe(230 + TILE_CAPTION_PX + 16);
  });
});
