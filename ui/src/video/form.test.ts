import { describe, expect, it } from "vitest";
import type { VideoModelOption } from "../ipc";
import { formatDateTime } from "../lib/format";
import { assetSummary, job, summary, T0, videoOptions } from "../testing/views";
import {
  withFace,
  accountBillingNote,
  clipLabel,
  clipLimitText,
  clipOffer,
  draftLike,
  draftProblem,
  estimateLine,
  faceOptionLabel,
  initialDraft,
  matchingFaces,
  noFacesHelp,
  promptCountText,
  promptLength,
  ratioLabel,
  requestOf,
  resolutionsFor,
  tierLine,
  videoErrorField,
  withClip,
  withModel,
} from "./form";

const STANDARD = "bytedance/seedance-2.0";
const FAST = "bytedance/seedance-2.0-fast";
const ada = summary({ assetId: "ta_ada", name: "Ada Lovelace" });
const grace = summary({ assetId: "ta_grace", name: "Grace Hopper" });
const options = videoOptions({ faces: [ada, grace] });

/** A Crun model: 720p only; group clips only on 2.0, as Crun's pages document them. */
function crunModel(m: Pick<VideoModelOption, "id" | "label" | "tier">): VideoModelOption {
  const clips = m.tier === "seedance-2.0" ? 3 : 0;
  return {
    ...m,
    resolutions: ["720p"],
    defaultResolution: "720p",
    note: null,
    maxReferenceVideos: clips,
    maxReferenceAudios: clips,
    clipsNote: clips === 0 ? "Crun's 2.0 fast page does not document uploaded clips; choose Seedance 2.0." : null,
  };
}

describe("initialDraft", () => {
  it("starts from the provider's defaults, with no face picked among several", () => {
    expect(initialDraft(options)).toEqual({
      faceId: "",
      model: FAST,
      prompt: "",
      durationSeconds: 5,
      resolution: "720p",
      aspectRatio: "16:9",
      clipIds: [],
    });
  });

  it("picks the only usable face", () => {
    expect(initialDraft(videoOptions({ faces: [ada] })).faceId).toBe("ta_ada");
  });

  it("keeps what was chosen while it is still offered, and nothing that is not", () => {
    const chosen = {
      faceId: "ta_grace",
      model: STANDARD,
      prompt: "She waves",
      durationSeconds: 12,
      resolution: "1080p",
      aspectRatio: "21:9",
      clipIds: [],
    };
    expect(initialDraft(options, chosen)).toEqual(chosen);
    // Crun: its own models, 720p only, 16:9 or auto; no face of another provider carries over.
    const crun = videoOptions({
      provider: "crun",
      api: "crun",
      billing: "account",
      models: [
        crunModel({ id: "bytedance/seedance2-0-r2v", label: "Seedance 2.0", tier: "seedance-2.0" }),
        crunModel({ id: "bytedance/seedance2-0-fast-r2v", label: "Seedance 2.0 fast", tier: "seedance-2.0-fast" }),
      ],
      defaultModel: "bytedance/seedance2-0-fast-r2v",
      ratios: ["16:9", "auto"],
      faces: [summary({ assetId: "asset-1", kind: "asset", provider: "crun" }), summary({ assetId: "asset-2", kind: "asset", provider: "crun" })],
    });
    expect(initialDraft(crun, chosen)).toEqual({
      faceId: "",
      model: "bytedance/seedance2-0-fast-r2v",
      prompt: "She waves",
      durationSeconds: 12,
      resolution: "720p",
      aspectRatio: "16:9",
      clipIds: [],
    });
  });
});

describe("withModel", () => {
  it("keeps the resolution the new model also offers", () => {
    const draft = { ...initialDraft(options), model: STANDARD, resolution: "480p" };
    expect(withModel(draft, options, FAST).resolution).toBe("480p");
  });

  it("resets the resolution when the new model does not offer it", () => {
    const draft = { ...initialDraft(options), model: STANDARD, resolution: "1080p" };
    const fast = withModel(draft, options, FAST);
    expect(fast).toMatchObject({ model: FAST, resolution: "720p" });
    expect(resolutionsFor(options, FAST)).toEqual(["480p", "720p"]);
    expect(resolutionsFor(options, STANDARD)).toEqual(["480p", "720p", "1080p"]);
    expect(resolutionsFor(options, "nope")).toEqual([]);
  });

  it("falls back to the model's first resolution when its default is not listed", () => {
    const odd = videoOptions({
      models: [
        {
          id: "m",
          label: "M",
          tier: "seedance-2.0",
          resolutions: ["480p"],
          defaultResolution: "720p",
          note: null,
          maxReferenceVideos: 0,
          maxReferenceAudios: 0,
          clipsNote: null,
        },
      ],
      defaultModel: "m",
    });
    expect(withModel({ ...initialDraft(options), resolution: "1080p" }, odd, "m").resolution).toBe("480p");
  });
});

describe("the prompt", () => {
  it("counts characters as the backend does: trimmed, not bytes", () => {
    expect(promptLength("  héllo 👋  ")).toBe(7);
    expect(promptCountText("She waves", 5000)).toBe("9 / 5,000 characters");
  });
});

describe("draftProblem", () => {
  const ready = { ...initialDraft(options), faceId: "ta_ada", prompt: "She waves" };

  it("holds the form until a face is picked and the video described", () => {
    expect(draftProblem({ ...ready, faceId: "" }, options)).toMatchObject({ field: "face" });
    expect(draftProblem({ ...ready, faceId: "ta_other" }, options)).toMatchObject({ field: "face" });
    expect(draftProblem({ ...ready, prompt: "   " }, options)).toMatchObject({ field: "prompt" });
    expect(draftProblem({ ...ready, prompt: "x".repeat(5001) }, options)).toEqual({
      field: "prompt",
      message: "The prompt is 5,001 characters; at most 5,000 are taken. Shorten it.",
    });
    expect(draftProblem(ready, options)).toBeNull();
  });

  it("sends exactly the choices, the prompt trimmed", () => {
    expect(requestOf({ ...ready, prompt: "  She waves  " }, options)).toEqual({
      faceAssetId: "ta_ada",
      prompt: "She waves",
      model: FAST,
      durationSeconds: 5,
      resolution: "720p",
      aspectRatio: "16:9",
      referenceVideos: [],
      referenceAudios: [],
    });
  });
});

describe("videoErrorField", () => {
  it("places a refusal next to the field it names, else under the form", () => {
    for (const field of ["face", "model", "prompt", "duration", "resolution", "ratio", "clips"]) {
      expect(videoErrorField({ field })).toBe(field);
    }
    expect(videoErrorField({ field: "job" })).toBeNull();
    expect(videoErrorField({ field: null })).toBeNull();
  });
});

describe("withFace", () => {
  it("chooses a face the provider offers, and refuses one it does not", () => {
    const options = videoOptions({ faces: [ada, grace] });
    const draft = initialDraft(options);
    expect(withFace(draft, options, "ta_grace")?.faceId).toBe("ta_grace");
    expect(withFace(draft, options, "ta_elsewhere")).toBeNull();
  });
});

describe("the face picker", () => {
  const many = Array.from({ length: 500 }, (_, i) => summary({ assetId: `ta_${String(i).padStart(3, "0")}`, name: i === 321 ? "Zoë Ada" : `Person ${i}` }));

  it("labels a face with its name, kind and date (no id), and marks a Rehearsal face as a test", () => {
    const when = formatDateTime(T0);
    expect(faceOptionLabel(summary({ name: "Ada", provider: "blockrun", enrolledAtMs: T0 }))).toBe(`Ada · Real person · ${when}`);
    expect(faceOptionLabel(summary({ name: "Ada", provider: "anyfast", kind: "asset", enrolledAtMs: T0 }))).toBe(`Ada · Real person, photo · ${when}`);
    expect(faceOptionLabel(summary({ name: "Ada", provider: "rehearsal", kind: "portrait", enrolledAtMs: T0 }))).toBe(`Ada · AI character · Test · ${when}`);
  });

  it("searches by name or id, shows at most the limit, and never drops the chosen face", () => {
    expect(matchingFaces(many, "", "", 200)).toMatchObject({ total: 500 });
    expect(matchingFaces(many, "", "", 200).faces).toHaveLength(200);
    expect(matchingFaces(many, "zoë", "", 200).faces.map((f) => f.name)).toEqual(["Zoë Ada"]);
    expect(matchingFaces(many, "TA_499", "", 200).faces.map((f) => f.assetId)).toEqual(["ta_499"]);
    const kept = matchingFaces(many, "zoë", "ta_007", 200);
    expect(kept.faces.map((f) => f.assetId)).toEqual(["ta_007", "ta_321"]);
    expect(kept.total).toBe(1);
  });
});

describe("words", () => {
  it("says how to get a usable face on each kind of provider", () => {
    expect(noFacesHelp({ provider: "blockrun", api: "blockrun" })).toContain("enroll the talent with BlockRun in Session");
    expect(noFacesHelp({ provider: "rehearsal", api: "anyfast" })).toContain("run a session with Rehearsal (as Anyfast)");
    expect(noFacesHelp({ provider: "crun", api: "crun" })).toContain("once the photo is Active");
  });

  it("names the ratios and who is billed", () => {
    expect(ratioLabel("9:16")).toBe("9:16 portrait");
    expect(ratioLabel("auto")).toBe("Automatic");
    expect(ratioLabel("5:4")).toBe("5:4");
    expect(ratioLabel("constructor")).toBe("constructor");
    expect(accountBillingNote("anyfast", "anyfast")).toBe("Billed to your Anyfast account");
    expect(accountBillingNote("rehearsal", "crun")).toContain("nothing is billed");
  });
});

describe("clips", () => {
  const GROUP = "group-20260702221642-5czvq";
  const R2V = "bytedance/seedance2-0-r2v";
  const R2V_FAST = "bytedance/seedance2-0-fast-r2v";
  const face = assetSummary({ assetId: "asset-face", provider: "crun", status: "active", assetType: "image" });
  const video = assetSummary({ assetId: "asset-video", provider: "crun", status: "active", assetType: "video" });
  const voice = assetSummary({ assetId: "asset-voice", provider: "crun", status: "active", assetType: "audio" });
  const busy = assetSummary({ assetId: "asset-busy", provider: "crun", status: "processing", assetType: "video" });
  const someoneElses = assetSummary({ assetId: "asset-bea", provider: "crun", status: "active", assetType: "video", groupId: "group-bea" });
  const crun = videoOptions({
    provider: "crun",
    api: "crun",
    billing: "account",
    models: [crunModel({ id: R2V, label: "Seedance 2.0", tier: "seedance-2.0" }), crunModel({ id: R2V_FAST, label: "Seedance 2.0 fast", tier: "seedance-2.0-fast" })],
    defaultModel: R2V,
    ratios: ["16:9", "auto"],
    faces: [face],
    clips: [video, voice, busy, someoneElses],
  });

  it("offers the face's group's active clips on a model that takes them", () => {
    const draft = initialDraft(crun);
    expect(draft.faceId).toBe("asset-face");
    const offer = clipOffer(crun, draft);
    expect(offer.clips.map((c) => c.assetId)).toEqual(["asset-video", "asset-voice"]);
    expect(clipLimitText(offer)).toBe("Up to 3 videos and 3 voice clips go with one video. A voice clip makes the video with sound.");
    expect(clipLabel(video)).toBe(`Ada Lovelace · Video · asset-video`);
    expect(clipLabel(voice)).toBe(`Ada Lovelace · Voice clip · asset-voice`);
    expect(face.groupId).toBe(GROUP);
  });

  it("offers none without a grouped face, or on a model without clips, and drops ticked ones", () => {
    expect(clipOffer(crun, { faceId: "", model: R2V }).clips).toEqual([]);
    expect(clipOffer(options, { faceId: "ta_ada", model: FAST }).clips).toEqual([]);
    const ticked = withClip(withClip(initialDraft(crun), "asset-video", true), "asset-voice", true);
    expect(ticked.clipIds).toEqual(["asset-video", "asset-voice"]);
    const fast = withModel(ticked, crun, R2V_FAST);
    expect(clipOffer(crun, fast).clips).toEqual([]);
    expect(clipOffer(crun, fast)).toMatchObject({ left: 2, note: expect.stringContaining("choose Seedance 2.0") as unknown });
    expect(fast.clipIds).toEqual([]);
    expect(withClip(ticked, "asset-video", false).clipIds).toEqual(["asset-voice"]);
  });

  it("sends the ticked clips by kind, and only those still offered", () => {
    const ticked = { ...withClip(withClip(initialDraft(crun), "asset-voice", true), "asset-video", true), prompt: "She says hello" };
    expect(requestOf(ticked, crun)).toMatchObject({ referenceVideos: ["asset-video"], referenceAudios: ["asset-voice"] });
    // Another person's or an unready clip never goes, even if its id lingers in the draft.
    const stale = { ...ticked, clipIds: ["asset-bea", "asset-busy"] };
    expect(requestOf(stale, crun)).toMatchObject({ referenceVideos: [], referenceAudios: [] });
    expect(draftProblem(ticked, crun)).toBeNull();
  });

  it("holds the form when more clips of a kind are ticked than the model takes", () => {
    const many = [1, 2, 3, 4].map((n) => assetSummary({ assetId: `asset-v${n}`, provider: "crun", status: "active", assetType: "video" }));
    const roomy = { ...crun, clips: many };
    const draft = { ...initialDraft(roomy), prompt: "She waves", clipIds: many.map((c) => c.assetId) };
    expect(draftProblem(draft, roomy)).toEqual({
      field: "clips",
      message: "4 videos are ticked; at most 3 go with one video. Untick 1.",
    });
  });
});

describe("estimateLine and tierLine", () => {
  it("leads with the documented price on the wallet, the account's words otherwise, then the time", () => {
    const estimate = { priceUsd: "0.83", usually: "usually 1–3 min (BlockRun's figure)" };
    expect(estimateLine(estimate, options)).toBe("About $0.83, before the provider names its price · usually 1–3 min (BlockRun's figure).");
    const account = videoOptions({ provider: "anyfast", api: "anyfast", billing: "account" });
    expect(estimateLine({ priceUsd: null, usually: null }, account)).toBe("Billed to your Anyfast account.");
    expect(estimateLine({ priceUsd: null, usually: null }, options)).toBeNull();
    expect(estimateLine(null, options)).toBeNull();
  });

  it("says what the fast model trades, from the resolutions each takes", () => {
    expect(tierLine(options)).toBe("Seedance 2.0 fast is quicker and cheaper, up to 720p; Seedance 2.0 is the full model, up to 1080p.");
    expect(tierLine(videoOptions({ models: options.models.slice(0, 1) }))).toBeNull();
  });
});

describe("draftLike", () => {
  it("fills the form as a finished job was asked for, where the options still offer it", () => {
    const done = job({
      faceAssetId: "ta_grace",
      model: STANDARD,
      prompt: "She laughs",
      durationSeconds: 8,
      resolution: "1080p",
      aspectRatio: "9:16",
    });
    expect(draftLike(done, options)).toEqual({
      faceId: "ta_grace",
      model: STANDARD,
      prompt: "She laughs",
      durationSeconds: 8,
      resolution: "1080p",
      aspectRatio: "9:16",
      clipIds: [],
    });
    const gone = draftLike(job({ faceAssetId: "ta_gone", model: FAST, resolution: "1080p" }), options);
    expect(gone.faceId).toBe("");
    expect(gone.resolution).toBe("720p");
  });
});
