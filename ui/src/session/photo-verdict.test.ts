import { describe, expect, it } from "vitest";
import type { PhotoCheck, PhotoCheckItem } from "../ipc";
import { progressShare, showsProgress, summarize } from "./photo-verdict";

function item(id: PhotoCheckItem["id"], verdict: PhotoCheckItem["verdict"], overridable = id.startsWith("face") || id === "sharpness"): PhotoCheckItem {
  return { id, verdict, label: id, message: `${id} ${verdict}`, overridable };
}

function check(...checks: PhotoCheckItem[]): PhotoCheck {
  return {
    url: "https://photos.example/a.jpg",
    format: "jpeg",
    widthPx: 1200,
    heightPx: 1600,
    sizeBytes: 300_000,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    thumbnail: "data:image/jpeg;base64,AA==",
    provider: "BlockRun",
    checks,
    faces: [],
  };
}

describe("summarize", () => {
  it("says Photo OK when every check passed", () => {
    const s = summarize(check(item("format", "pass"), item("face_count", "pass")));
    expect(s).toMatchObject({ verdict: "pass", headline: "Photo OK", canOverride: false, refusal: null });
  });

  it("counts warnings without blocking", () => {
    const s = summarize(check(item("format", "pass"), item("sharpness", "warn"), item("face_size", "warn")));
    expect(s).toMatchObject({ verdict: "warn", headline: "Photo OK, 2 warnings", canOverride: false });
    expect(s.warned.map((c) => c.id)).toEqual(["sharpness", "face_size"]);
  });

  it("offers the override when only face checks failed", () => {
    const s = summarize(check(item("format", "pass"), item("face_count", "fail"), item("sharpness", "warn")));
    expect(s).toMatchObject({ verdict: "fail", headline: "1 check failed", canOverride: true, refusal: null });
  });

  it("names the provider that would refuse a failed limit, and offers no override", () => {
    const s = summarize(check(item("format", "fail"), item("face_count", "fail")));
    expect(s.verdict).toBe("fail");
    expect(s.headline).toBe("BlockRun would refuse this photo");
    expect(s.refusal?.id).toBe("format");
    expect(s.canOverride).toBe(false);
  });
});

describe("download progress", () => {
  const url = "https://photos.example/big.jpg";
  it("shows a bar for large files only", () => {
    expect(showsProgress(undefined)).toBe(false);
    expect(showsProgress({ url, receivedBytes: 0, totalBytes: 400_000 })).toBe(false);
    expect(showsProgress({ url, receivedBytes: 0, totalBytes: 6_500_000 })).toBe(true);
    // No Content-Length: the bar appears once a megabyte has arrived.
    expect(showsProgress({ url, receivedBytes: 200_000, totalBytes: null })).toBe(false);
    expect(showsProgress({ url, receivedBytes: 1_200_000, totalBytes: null })).toBe(true);
  });

  it("is a share of the announced size, or unknown", () => {
    expect(progressShare({ url, receivedBytes: 3_250_000, totalBytes: 6_500_000 })).toBe(0.5);
    expect(progressShare({ url, receivedBytes: 7_000_000, totalBytes: 6_500_000 })).toBe(1);
    expect(progressShare({ url, receivedBytes: 10, totalBytes: null })).toBeNull();
  });
});
