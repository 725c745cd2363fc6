import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PhotoCheck } from "../ipc";
import { PhotoChecker, photoReady, type PhotoStatus } from "./photo-check";

const URL_A = "https://photos.example/a.jpg";
const URL_B = "https://photos.example/b.jpg";

function photo(url: string): PhotoCheck {
  return { url, format: "jpeg", widthPx: 600, heightPx: 800, sizeBytes: 52_000, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", thumbnail: "data:image/jpeg;base64,AA==", provider: "BlockRun", checks: [], faces: [] };
}

interface Pending {
  url: string;
  resolve: (check: PhotoCheck) => void;
  reject: (e: unknown) => void;
}

function setup() {
  const calls: Pending[] = [];
  const seen: PhotoStatus[] = [];
  const checker = new PhotoChecker(
    (url) =>
      new Promise<PhotoCheck>((resolve, reject) => {
        calls.push({ url, resolve, reject });
      }),
    (s) => seen.push(s),
    600,
  );
  return { checker, calls, seen };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("PhotoChecker", () => {
  it("waits for a pause in typing, then checks once", async () => {
    const { checker, calls } = setup();
    checker.input("https://photos.example/a");
    await vi.advanceTimersByTimeAsync(300);
    checker.input(URL_A);
    await vi.advanceTimersByTimeAsync(599);
    expect(calls).toHaveLength(0);
    expect(checker.status).toEqual({ kind: "waiting", url: URL_A });
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.url)).toEqual([URL_A]);
    expect(checker.status).toEqual({ kind: "checking", url: URL_A });
    calls[0]?.resolve(photo(URL_A));
    await vi.advanceTimersByTimeAsync(0);
    expect(checker.status).toEqual({ kind: "ok", url: URL_A, check: photo(URL_A) });
  });

  it("checks at once on paste or blur, and not again for the same link", async () => {
    const { checker, calls } = setup();
    checker.commit(URL_A);
    expect(calls).toHaveLength(1);
    checker.commit(URL_A);
    checker.input(URL_A);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(1);
  });

  it("a blur during the typing pause checks now instead of later", async () => {
    const { checker, calls } = setup();
    checker.input(URL_A);
    checker.commit(URL_A);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(1);
  });

  it("shows only the answer for the link now in the field", async () => {
    const { checker, calls } = setup();
    checker.commit(URL_A);
    checker.commit(URL_B);
    calls[1]?.resolve(photo(URL_B));
    await vi.advanceTimersByTimeAsync(0);
    calls[0]?.reject({ code: "invalid_input", message: "404", field: "image_url" });
    await vi.advanceTimersByTimeAsync(0);
    expect(checker.status).toEqual({ kind: "ok", url: URL_B, check: photo(URL_B) });
  });

  it("drops an answer that arrives after the field was cleared", async () => {
    const { checker, calls } = setup();
    checker.commit(URL_A);
    checker.input("");
    calls[0]?.resolve(photo(URL_A));
    await vi.advanceTimersByTimeAsync(0);
    expect(checker.status).toEqual({ kind: "empty" });
  });

  it("keeps the backend's refusal, normalised, with its field", async () => {
    const { checker, calls } = setup();
    checker.commit(URL_A);
    calls[0]?.reject({
      code: "invalid_input",
      message: "The photo is larger than the 10 MB providers accept (50 MB).",
      field: "image_url",
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(checker.status).toEqual({
      kind: "failed",
      url: URL_A,
      error: { code: "invalid_input", message: "The photo is larger than the 10 MB providers accept (50 MB).", field: "image_url" },
    });
  });

  it("turns a Tauri string error into an internal error", async () => {
    const { checker, calls } = setup();
    checker.commit(URL_A);
    calls[0]?.reject("command check_photo not found");
    await vi.advanceTimersByTimeAsync(0);
    expect(checker.status).toMatchObject({ kind: "failed", error: { code: "internal", message: "command check_photo not found" } });
  });

  it("does not fetch the same failed link again on blur, but does on retry", async () => {
    const { checker, calls } = setup();
    checker.commit(URL_A);
    calls[0]?.reject({ code: "invalid_input", message: "404", field: "image_url" });
    await vi.advanceTimersByTimeAsync(0);
    checker.commit(URL_A);
    expect(calls).toHaveLength(1);
    checker.retry(URL_A);
    expect(calls).toHaveLength(2);
  });

  it("reports local problems without calling the backend", async () => {
    const { checker, calls } = setup();
    checker.input("http://photos.example/a.jpg");
    expect(checker.status.kind).toBe("invalid");
    checker.commit("   ");
    expect(checker.status).toEqual({ kind: "empty" });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(0);
  });

  it("cancels a scheduled check when the link becomes invalid", async () => {
    const { checker, calls } = setup();
    checker.input(URL_A);
    checker.input("not a link");
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls).toHaveLength(0);
  });

  it("takes a later refusal for the link (from Start) as the photo's status", () => {
    const { checker } = setup();
    const error = { code: "invalid_input" as const, message: "gone", field: "image_url" };
    checker.reject(URL_A, error);
    expect(checker.status).toEqual({ kind: "failed", url: URL_A, error });
  });
});

describe("photoReady", () => {
  it("is true only for a passed check of exactly the link in the field", () => {
    const ok: PhotoStatus = { kind: "ok", url: URL_A, check: photo(URL_A) };
    expect(photoReady(ok, ` ${URL_A} `)).toBe(true);
    expect(photoReady(ok, URL_B)).toBe(false);
    expect(photoReady({ kind: "checking", url: URL_A }, URL_A)).toBe(false);
    expect(photoReady(ok, "http://photos.example/a.jpg")).toBe(false);
  });
});
