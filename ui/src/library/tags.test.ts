import { describe, expect, it } from "vitest";
import { parseTags, tagsText } from "./tags";

describe("tags in the drawer's field", () => {
  it("splits at commas and drops blanks, keeping the spelling", () => {
    expect(parseTags(" Northwind spring, stunt ,, ")).toEqual(["Northwind spring", "stunt"]);
    expect(parseTags("")).toEqual([]);
    expect(tagsText(["a", "B c"])).toBe("a, B c");
    expect(parseTags(tagsText(["a", "B c"]))).toEqual(["a", "B c"]);
  });
});
