import { describe, expect, it } from "vitest";
import { ASSET_LIMITS, assetNoun, assetStatusLabel, assetTypeLabel, formatDuration, formatFileSize, formatFps, mediaFacts } from "./asset-format";

describe("asset labels", () => {
  it("names each kind of file and status in plain words", () => {
    expect([assetTypeLabel("image"), assetTypeLabel("video"), assetTypeLabel("audio")]).toEqual(["Photo", "Video", "Voice"]);
    expect(assetNoun("audio")).toBe("voice clip");
    expect([assetStatusLabel("processing"), assetStatusLabel("active"), assetStatusLabel("failed")]).toEqual(["Processing", "Active", "Failed"]);
  });

  it("states the provider's limits for each kind, ranges kept on one line", () => {
    const plain = (text: string): string => text.replaceAll("\u2060", "");
    expect(ASSET_LIMITS.image).toContain("under 30 MB");
    expect(plain(ASSET_LIMITS.image)).toContain("300–6000 px");
    expect(plain(ASSET_LIMITS.video)).toContain("2–15 s");
    expect(plain(ASSET_LIMITS.video)).toContain("24–60 fps");
    expect(plain(ASSET_LIMITS.audio)).toBe("MP3 or WAV, up to 15 MB, 2–15 s long.");
    expect(ASSET_LIMITS.video).toContain("0.4–\u20602.5");
  });
});

describe("formatDuration", () => {
  it("gives a tenth of a second under a minute, as the checklist does", () => {
    expect(formatDuration(3_000)).toBe("3.0 s");
    expect(formatDuration(21_400)).toBe("21.4 s");
    expect(formatDuration(59_949)).toBe("59.9 s");
  });

  it("gives minutes and seconds from a minute on", () => {
    expect(formatDuration(59_950)).toBe("1 min 00 s");
    expect(formatDuration(65_000)).toBe("1 min 05 s");
    expect(formatDuration(754_000)).toBe("12 min 34 s");
  });

  it("is empty for nonsense", () => {
    expect(formatDuration(-1)).toBe("");
    expect(formatDuration(Number.NaN)).toBe("");
  });
});

describe("formatFps and formatFileSize", () => {
  it("trims a frame rate to what it says", () => {
    expect(formatFps(30)).toBe("30 fps");
    expect(formatFps(29.97002997)).toBe("29.97 fps");
    expect(formatFps(23.5)).toBe("23.5 fps");
    expect(formatFps(0)).toBe("");
  });

  it("counts sizes in decimal units, like the provider's caps", () => {
    expect(formatFileSize(512)).toBe("512 bytes");
    expect(formatFileSize(348_211)).toBe("348 KB");
    expect(formatFileSize(50_000_001)).toBe("50.0 MB");
    expect(formatFileSize(18_240_000)).toBe("18.2 MB");
    expect(formatFileSize(-3)).toBe("");
  });
});

describe("mediaFacts", () => {
  it("lists a video's container, length, frame rate, frame and size", () => {
    expect(
      mediaFacts({ container: "mp4", durationMs: 21_400, fps: 30, widthPx: 1080, heightPx: 1920, sizeBytes: 18_240_000 }),
    ).toEqual(["MP4", "21.4 s", "30 fps", "1080 × 1920 px", "18.2 MB"]);
  });

  it("leaves out what a voice clip does not have, and says when the format is unknown", () => {
    expect(mediaFacts({ container: "wav", durationMs: 4_000, fps: null, widthPx: null, heightPx: null, sizeBytes: 705_644 })).toEqual([
      "WAV",
      "4.0 s",
      "706 KB",
    ]);
    expect(mediaFacts({ container: null, durationMs: null, fps: null, widthPx: null, heightPx: null, sizeBytes: 120 })).toEqual([
      "Unknown format",
      "120 bytes",
    ]);
  });
});
