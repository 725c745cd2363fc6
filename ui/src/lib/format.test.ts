import { describe, expect, it } from "vitest";
import {
  costNote,
  faceKindLabel,
  formatBytes,
  formatClock,
  formatCount,
  formatDateTime,
  formatTime,
  providerLabel,
  shortName,
  stageNote,
} from "./format";

describe("format", () => {
  it("sizes", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(52_000)).toBe("51 KB");
    expect(formatBytes(2_500_000)).toBe("2.4 MB");
    expect(formatBytes(-1)).toBe("");
  });

  it("times of day with seconds", () => {
    const ms = Date.UTC(2026, 10, 23, 12, 3, 41);
    expect(formatClock(ms, { locale: "en-GB", timeZone: "UTC" })).toBe("12:03:41");
    expect(formatClock(ms, { locale: "en-US", timeZone: "UTC" })).toBe("12:03:41 PM");
  });

  it("times of day to the minute, rounded up when asked", () => {
    const ms = Date.UTC(2026, 10, 23, 14, 31, 20);
    expect(formatTime(ms, { locale: "en-GB", timeZone: "UTC" })).toBe("14:31");
    expect(formatTime(ms, { locale: "en-GB", timeZone: "UTC", roundUp: true })).toBe("14:32");
    expect(formatTime(Date.UTC(2026, 10, 23, 14, 32), { locale: "en-GB", timeZone: "UTC", roundUp: true })).toBe("14:32");
  });

  it("dates for the library", () => {
    const ms = Date.UTC(2026, 10, 23, 9, 40);
    expect(formatDateTime(ms, { locale: "en-GB", timeZone: "UTC" })).toBe("23 Nov 2026, 09:40");
  });

  it("labels", () => {
    expect(providerLabel("rehearsal")).toBe("Rehearsal");
    expect(costNote("rehearsal")).toBe("test money only");
    expect(providerLabel("blockrun")).toBe("BlockRun");
    expect(providerLabel("jarvisclaw")).toBe("JarvisClaw");
    expect(costNote("blockrun")).toBe("real payments");
    expect(faceKindLabel("real_face")).toBe("Real person");
    expect(faceKindLabel("portrait")).toBe("AI character");
    expect(faceKindLabel("asset")).toBe("Real person");
    expect(providerLabel("anyfast")).toBe("Anyfast");
    expect(providerLabel("crun")).toBe("Crun");
    expect(costNote("crun")).toBe("billed per upload");
  });

  it("short names for buttons", () => {
    expect(shortName(" Ada Lovelace ")).toBe("Ada Lovelace");
    expect(shortName("Maria Salomea Skłodowska-Curie of Warsaw")).toBe("Maria");
  });
});

describe("stageNote", () => {
  it("says whose API Rehearsal plays and what it costs", () => {
    expect(stageNote({ provider: "rehearsal", rehearsalPersonality: "jarvisclaw" })).toBe("as JarvisClaw · test money only");
    expect(stageNote({ provider: "rehearsal", rehearsalPersonality: "blockrun" })).toBe("as BlockRun · test money only");
    expect(stageNote({ provider: "blockrun", rehearsalPersonality: null })).toBe("real payments");
    expect(stageNote({ provider: "rehearsal", rehearsalPersonality: "crun" })).toBe("as Crun · test money only");
    expect(stageNote({ provider: "anyfast", rehearsalPersonality: null })).toBe("billed per upload");
  });
});

describe("formatCount", () => {
  it("groups thousands the same on every machine", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1000)).toBe("1,000");
    expect(formatCount(10_000)).toBe("10,000");
    expect(formatCount(1_234_567)).toBe("1,234,567");
    expect(formatCount(-4321)).toBe("-4,321");
    expect(formatCount(12.9)).toBe("12");
  });

  it("formats library dates with the same (reused) formatter each time", () => {
    const at = Date.UTC(2026, 10, 23, 9, 40);
    expect(formatDateTime(at)).toBe(formatDateTime(at));
    expect(formatDateTime(at, { locale: "en-GB", timeZone: "UTC" })).toBe("23 Nov 2026, 09:40");
  });
});
