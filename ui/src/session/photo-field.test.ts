import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PhotoCheck, PhotoCheckItem } from "../ipc";
import { PhotoField } from "./photo-field.svelte";

const URL_A = "https://photos.example/a.jpg";
const URL_B = "https://photos.example/b.jpg";

function item(id: PhotoCheckItem["id"], verdict: PhotoCheckItem["verdict"]): PhotoCheckItem {
  return { id, verdict, label: id, message: `${id} ${verdict}`, overridable: ["face_count", "face_size", "sharpness"].includes(id) };
}

function photo(url: string, ...checks: PhotoCheckItem[]): PhotoCheck {
  return { url, format: "jpeg", widthPx: 600, heightPx: 800, sizeBytes: 52_000, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", thumbnail: "data:image/jpeg;base64,AA==", provider: "BlockRun", checks, faces: [] };
}

const answers = new Map<string, PhotoCheck>([
  [URL_A, photo(URL_A, item("format", "pass"), item("face_count", "fail"), item("sharpness", "warn"))],
  [URL_B, photo(URL_B, item("format", "fail"), item("face_count", "pass"))],
  ["https://photos.example/good.jpg", photo("https://photos.example/good.jpg", item("format", "pass"), item("face_count", "pass"))],
]);

function field(): PhotoField {
  return new PhotoField((url) => Promise.resolve(answers.get(url) ?? photo(url)), 10);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("PhotoField's checklist", () => {
  it("a clean photo is ready and does not block paid steps", async () => {
    const f = field();
    f.paste("https://photos.example/good.jpg");
    await vi.advanceTimersByTimeAsync(0);
    expect(f.ready).toBe(true);
    expect(f.blocked).toBe(false);
    expect(f.overriddenChecks).toEqual([]);
  });

  it("a failed face check blocks until overridden, and the override names the failed checks", async () => {
    const f = field();
    f.paste(URL_A);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.ready).toBe(true);
    expect(f.blocked).toBe(true);
    expect(f.summary?.canOverride).toBe(true);
    f.setOverride(true);
    expect(f.blocked).toBe(false);
    expect(f.overriddenChecks).toEqual(["face_count"]);
    f.setOverride(false);
    expect(f.blocked).toBe(true);
  });

  it("a photo the provider would refuse is not ready and cannot be overridden", async () => {
    const f = field();
    f.paste(URL_B);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.status.kind).toBe("ok");
    expect(f.ready).toBe(false);
    expect(f.value).toBeNull();
    f.setOverride(true);
    expect(f.override).toBe(false);
    expect(f.blocked).toBe(true);
  });

  it("another link clears the override", async () => {
    const f = field();
    f.paste(URL_A);
    await vi.advanceTimersByTimeAsync(0);
    f.setOverride(true);
    f.paste("https://photos.example/good.jpg");
    expect(f.override).toBe(false);
    f.paste(URL_A);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.override).toBe(false);
    expect(f.blocked).toBe(true);
  });

  it("keeps download progress for its own link only", () => {
    const f = new PhotoField(() => new Promise<PhotoCheck>(() => undefined), 10);
    f.paste(URL_A);
    f.progress({ url: URL_B, receivedBytes: 10, totalBytes: 100 });
    expect(f.status).toEqual({ kind: "checking", url: URL_A });
    f.progress({ url: URL_A, receivedBytes: 2_000_000, totalBytes: 6_000_000 });
    expect(f.status).toEqual({ kind: "checking", url: URL_A, progress: { url: URL_A, receivedBytes: 2_000_000, totalBytes: 6_000_000 } });
  });
});
