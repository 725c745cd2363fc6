import { describe, expect, it } from "vitest";
import type { AssetFileCheck, MediaCheckItem, PhotoCheckItem } from "../ipc";
import { errorPlace, uploadHint, uploadVerdict } from "./asset-draft";

function photoItem(id: PhotoCheckItem["id"], verdict: PhotoCheckItem["verdict"]): PhotoCheckItem {
  return { id, verdict, label: id, message: `${id} ${verdict}`, overridable: ["face_count", "face_size", "sharpness"].includes(id) };
}

function photo(...checks: PhotoCheckItem[]): AssetFileCheck {
  return {
    kind: "photo",
    url: "https://photos.example/ada.jpg",
    format: "jpeg",
    widthPx: 1200,
    heightPx: 1600,
    sizeBytes: 348_211,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    thumbnail: "",
    provider: "BytePlus",
    checks,
    faces: [],
  };
}

function mediaItem(id: MediaCheckItem["id"], verdict: MediaCheckItem["verdict"], label: string = id): MediaCheckItem {
  return { id, verdict, label, message: `${label} ${verdict}` };
}

function video(...checks: MediaCheckItem[]): AssetFileCheck {
  return {
    kind: "media",
    url: "https://clips.example/ada.mp4",
    assetType: "video",
    container: "mp4",
    sizeBytes: 18_000_000,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    durationMs: 21_400,
    fps: 30,
    widthPx: 1080,
    heightPx: 1920,
    provider: "BytePlus",
    checks,
  };
}

describe("uploadVerdict", () => {
  it("waits for a check", () => {
    expect(uploadVerdict(null, false)).toEqual({ kind: "unchecked" });
    expect(uploadVerdict(null, true)).toEqual({ kind: "unchecked" });
  });

  it("lets a passing video go, counting its warnings", () => {
    expect(uploadVerdict(video(mediaItem("format", "pass"), mediaItem("duration", "pass")), false)).toEqual({ kind: "ok", warnings: 0, overridden: false });
    expect(uploadVerdict(video(mediaItem("format", "pass"), mediaItem("frame_rate", "warn")), false)).toMatchObject({ kind: "ok", warnings: 1 });
  });

  it("refuses a video with any failed check, whatever is ticked", () => {
    const check = video(mediaItem("format", "pass"), mediaItem("duration", "fail", "Duration"), mediaItem("frame_rate", "fail", "Frame rate"));
    expect(uploadVerdict(check, true)).toEqual({ kind: "refused", label: "Duration", message: "Duration fail" });
  });

  it("holds a photo whose face checks failed until overridden, then says it was", () => {
    const check = photo(photoItem("format", "pass"), photoItem("face_count", "fail"), photoItem("sharpness", "warn"));
    expect(uploadVerdict(check, false)).toEqual({ kind: "needs_override", failed: ["face_count"] });
    expect(uploadVerdict(check, true)).toEqual({ kind: "ok", warnings: 1, overridden: true });
  });

  it("refuses a photo over a provider limit, even when overridden", () => {
    const check = photo(photoItem("dimensions", "fail"), photoItem("face_count", "fail"));
    expect(uploadVerdict(check, true)).toMatchObject({ kind: "refused", label: "dimensions" });
  });

  it("never reports an override for a clean photo", () => {
    expect(uploadVerdict(photo(photoItem("format", "pass")), true)).toEqual({ kind: "ok", warnings: 0, overridden: false });
  });
});

describe("uploadHint", () => {
  it("says why Upload waits, in the file's own word", () => {
    expect(uploadHint({ kind: "unchecked" }, "video")).toBe("Check the video first: nothing is uploaded until it passes.");
    expect(uploadHint({ kind: "refused", label: "Duration", message: "x" }, "voice clip")).toContain("refuse this voice clip");
    expect(uploadHint({ kind: "needs_override", failed: ["Faces", "Face size"] }, "photo")).toContain("(Faces, Face size)");
    expect(uploadHint({ kind: "ok", warnings: 2, overridden: false }, "photo")).toContain("2 warnings");
    expect(uploadHint({ kind: "ok", warnings: 1, overridden: false }, "photo")).toContain("a warning");
    expect(uploadHint({ kind: "ok", warnings: 0, overridden: true }, "photo")).toContain("Face checks overridden");
  });
});

describe("errorPlace", () => {
  it("puts a refusal about the link next to the link, anything else at the top of the form", () => {
    expect(errorPlace({ code: "invalid_input", message: "404", field: "url" })).toBe("url");
    expect(errorPlace({ code: "invalid_input", message: "x", field: "image_url" })).toBe("url");
    expect(errorPlace({ code: "invalid_input", message: "x", field: "group" })).toBe("form");
    expect(errorPlace({ code: "unauthorized", message: "x", field: null })).toBe("form");
  });
});
