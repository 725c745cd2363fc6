import { describe, expect, it } from "vitest";
import { nextStepFor, splitErrorDetail } from "./errors";

describe("splitErrorDetail", () => {
  it("keeps a plain message whole", () => {
    const m = "The photo was refused: it does not show the person who did the phone check. Nothing was charged.";
    expect(splitErrorDetail(m)).toEqual({ plain: m, detail: null });
  });

  it("sets the provider's raw answer apart from the backend's sentence", () => {
    const m =
      'BlockRun sent an answer we could not read. Try again in a moment; if it keeps happening, report this answer: missing field h5_link; the answer was {"ok":true}';
    expect(splitErrorDetail(m)).toEqual({
      plain: 'BlockRun sent an answer we could not read. Try again in a moment; if it keeps happening, report it with "Copy details".',
      detail: 'missing field h5_link; the answer was {"ok":true}',
    });
  });

  it("cuts at the answer itself when nothing asks to report it", () => {
    expect(splitErrorDetail('Crun refused the upload; the answer was {"code":500}')).toEqual({
      plain: "Crun refused the upload.",
      detail: '{"code":500}',
    });
  });
});

describe("nextStepFor", () => {
  it("offers a next step for the codes that have one", () => {
    expect(nextStepFor("unauthorized")).toContain("API key");
    expect(nextStepFor("internal")).toBeNull();
  });
});
