import { describe, expect, it } from "vitest";
import { cameraProblem, countdownSteps } from "./webcam";

describe("cameraProblem", () => {
  it("says plainly when there is no camera", () => {
    expect(cameraProblem("NotFoundError")).toContain("No camera found");
    expect(cameraProblem(null)).toContain("No camera found");
  });

  it("tells a refusal and a busy camera apart", () => {
    expect(cameraProblem("NotAllowedError")).toContain("not allowed");
    expect(cameraProblem("NotReadableError")).toContain("busy");
    expect(cameraProblem("WeirdError")).toContain("could not be opened");
  });
});

describe("countdownSteps", () => {
  it("counts down to one", () => {
    expect(countdownSteps()).toEqual([3, 2, 1]);
    expect(countdownSteps(0)).toEqual([]);
  });
});
