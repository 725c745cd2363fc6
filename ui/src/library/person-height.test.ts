import { describe, expect, it } from "vitest";
import { assetSummary, summary, T0 } from "../testing/views";
import { groupPeople } from "./people";
import { BLOCKED_NOTE, CARD_FRAME, FAILED_LINE, FILE_ROW, HEAD, LIST_TOP, OPEN_FORM, ROW_GAP, estimatePersonHeight, isLone } from "./person-height";

const loneFace = groupPeople([summary()])[0];
const group = (n: number, failed = 0) =>
  groupPeople(
    Array.from({ length: n }, (_, i) => assetSummary({ assetId: `asset-${i}`, enrolledAtMs: T0 + i, status: i < failed ? "failed" : "active" })),
  )[0];

describe("estimatePersonHeight", () => {
  it("gives a lone face one fixed-height card", () => {
    if (loneFace === undefined) throw new Error("no person");
    expect(isLone(loneFace)).toBe(true);
    expect(estimatePersonHeight(loneFace, { blocked: false })).toBe(CARD_FRAME + HEAD + ROW_GAP);
  });

  it("grows a group's card by one row per file", () => {
    const one = group(1);
    const five = group(5);
    if (one === undefined || five === undefined) throw new Error("no person");
    expect(isLone(one)).toBe(false);
    expect(estimatePersonHeight(one, { blocked: false })).toBe(CARD_FRAME + HEAD + LIST_TOP + ROW_GAP + FILE_ROW - 1);
    expect(estimatePersonHeight(five, { blocked: false }) - estimatePersonHeight(one, { blocked: false })).toBe(4 * FILE_ROW);
  });

  it("adds a line per failed file, the blocked note, or the open form", () => {
    const two = group(2);
    const twoFailed = group(2, 2);
    if (two === undefined || twoFailed === undefined) throw new Error("no person");
    const base = estimatePersonHeight(two, { blocked: false });
    expect(estimatePersonHeight(twoFailed, { blocked: false })).toBe(base + 2 * FAILED_LINE);
    expect(estimatePersonHeight(two, { blocked: true })).toBe(base + BLOCKED_NOTE);
    expect(estimatePersonHeight(two, { blocked: true, formOpen: true })).toBe(base + OPEN_FORM);
  });
});
