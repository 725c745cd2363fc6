import { describe, expect, it } from "vitest";
import { detailsToCopy, nextStepFor } from "./errors";

describe("detailsToCopy", () => {
  it("puts the sentence first and the technical part after it", () => {
    expect(detailsToCopy("BlockRun sent an answer we could not read.", 'BlockRun answered: not valid JSON; the answer was {"ok"')).toBe(
      'BlockRun sent an answer we could not read.\n\nDetails: BlockRun answered: not valid JSON; the answer was {"ok"',
    );
  });
});

describe("nextStepFor", () => {
  it("offers a next step for the codes that have one", () => {
    expect(nextStepFor("unauthorized")).toContain("API key");
    expect(nextStepFor("internal")).toBeNull();
  });
});
