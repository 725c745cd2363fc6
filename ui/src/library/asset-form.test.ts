import { describe, expect, it } from "vitest";
import type { AssetFileCheck, AssetType, Face, MediaCheckItem } from "../ipc";
import { asset } from "../testing/views";
import { AssetForm, type AssetBackend } from "./asset-form.svelte";

const GROUP = "group-20260702221642-5czvq";
const CLIP = "https://clips.example/ada.mp4";

function video(url: string, ...checks: MediaCheckItem[]): AssetFileCheck {
  return {
    kind: "media",
    url,
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

const pass = (id: MediaCheckItem["id"]): MediaCheckItem => ({ id, verdict: "pass", label: id, message: "ok" });
const fail = (id: MediaCheckItem["id"]): MediaCheckItem => ({ id, verdict: "fail", label: id, message: `${id} is out of range` });

/** What the backend rejects with: a plain `{code, message, field}`, as Tauri passes it on. */
function refused(error: unknown): Promise<never> {
  return Promise.resolve().then(() => {
    throw error;
  });
}

interface Calls {
  checks: [AssetType, string][];
  adds: [string, AssetType, string, boolean][];
}

function backend(answers: Partial<{ check: (t: AssetType, u: string) => Promise<AssetFileCheck>; add: () => Promise<Face> }> = {}): {
  api: AssetBackend;
  calls: Calls;
} {
  const calls: Calls = { checks: [], adds: [] };
  return {
    calls,
    api: {
      check: (t, u) => {
        calls.checks.push([t, u]);
        return answers.check?.(t, u) ?? Promise.resolve(video(u, pass("format"), pass("duration")));
      },
      add: (g, t, u, o) => {
        calls.adds.push([g, t, u, o]);
        return answers.add?.() ?? Promise.resolve(asset({ assetId: "asset-new", assetType: t, imageUrl: u }));
      },
    },
  };
}

describe("AssetForm", () => {
  it("checks the file, then uploads it into the group", async () => {
    const { api, calls } = backend();
    const form = new AssetForm(GROUP, api);
    form.setType("video");
    form.edit(CLIP);
    expect(form.verdict).toEqual({ kind: "unchecked" });
    expect(form.canUpload).toBe(false);
    await form.check();
    expect(calls.checks).toEqual([["video", CLIP]]);
    expect(form.canUpload).toBe(true);
    const filed = await form.upload();
    expect(filed?.assetId).toBe("asset-new");
    expect(calls.adds).toEqual([[GROUP, "video", CLIP, false]]);
  });

  it("never uploads a video that failed a check", async () => {
    const { api, calls } = backend({ check: (_t, u) => Promise.resolve(video(u, pass("format"), fail("duration"))) });
    const form = new AssetForm(GROUP, api);
    form.setType("video");
    form.edit(CLIP);
    await form.check();
    expect(form.verdict).toMatchObject({ kind: "refused", label: "duration" });
    form.setOverride(true);
    expect(form.override).toBe(false);
    expect(form.canUpload).toBe(false);
    expect(await form.upload()).toBeNull();
    expect(calls.adds).toEqual([]);
  });

  it("forgets the check when the kind or the link changes", async () => {
    const { api } = backend();
    const form = new AssetForm(GROUP, api);
    form.setType("video");
    form.edit(CLIP);
    await form.check();
    expect(form.canUpload).toBe(true);
    form.setType("audio");
    expect(form.verdict).toEqual({ kind: "unchecked" });
    form.setType("video");
    expect(form.verdict).toEqual({ kind: "unchecked" });
    await form.check();
    form.edit(`${CLIP}?v=2`);
    expect(form.canUpload).toBe(false);
  });

  it("ignores a check answer that arrives after the link changed", async () => {
    let settle: (c: AssetFileCheck) => void = () => undefined;
    const { api } = backend({ check: () => new Promise<AssetFileCheck>((resolve) => (settle = resolve)) });
    const form = new AssetForm(GROUP, api);
    form.setType("video");
    form.edit(CLIP);
    const pending = form.check();
    expect(form.checking).toBe(true);
    expect(form.canCheck).toBe(false);
    form.edit("https://clips.example/other.mp4");
    settle(video(CLIP, pass("format")));
    await pending;
    expect(form.fileCheck).toEqual({ kind: "idle" });
    expect(form.checked).toBeNull();
  });

  it("does not ask the backend about a link that is not https, and says why once the field was left", async () => {
    const { api, calls } = backend();
    const form = new AssetForm(GROUP, api);
    form.setType("audio");
    form.edit("http://clips.example/ada.mp3");
    expect(form.canCheck).toBe(false);
    expect(form.urlError).toBeNull();
    form.leave();
    expect(form.urlError).toContain("The voice clip link must start with https://");
    await form.check();
    expect(calls.checks).toEqual([]);
  });

  it("puts a refused check about the link under the link, anything else above the buttons", async () => {
    const { api } = backend({
      check: () => refused({ code: "unauthorized", message: "The Anyfast key is not from the Byteplus-Direct group.", field: null }),
    });
    const form = new AssetForm(GROUP, api);
    form.edit("https://photos.example/ada.jpg");
    await form.check();
    expect(form.urlError).toBeNull();
    expect(form.checkError?.code).toBe("unauthorized");

    const notFound = new AssetForm(GROUP, {
      ...api,
      check: () => refused({ code: "invalid_input", message: "The link leads to a 'not found' page (404).", field: "url" }),
    });
    notFound.edit("https://photos.example/gone.jpg");
    await notFound.check();
    expect(notFound.urlError).toBe("The link leads to a 'not found' page (404).");
    expect(notFound.checkError).toBeNull();
  });

  it("keeps an upload refused on the link next to it until the link changes", async () => {
    const { api } = backend({
      add: () => refused({ code: "invalid_input", message: "This file is already in Ada's group.", field: "url" }),
    });
    const form = new AssetForm(GROUP, api);
    form.setType("video");
    form.edit(CLIP);
    await form.check();
    expect(await form.upload()).toBeNull();
    expect(form.urlError).toBe("This file is already in Ada's group.");
    expect(form.formError).toBeNull();
    form.edit(`${CLIP}?take=2`);
    expect(form.urlError).toBeNull();
  });

  it("keeps an upload refused for another reason at the top of the form", async () => {
    const { api } = backend({
      add: () => refused({ code: "provider_refused", message: "Anyfast refused the upload: group not found.", field: "group" }),
    });
    const form = new AssetForm(GROUP, api);
    form.setType("video");
    form.edit(CLIP);
    await form.check();
    await form.upload();
    expect(form.formError?.message).toBe("Anyfast refused the upload: group not found.");
    expect(form.uploading).toBe(false);
    expect(form.canUpload).toBe(true);
  });

  it("sends a photo with failed face checks only when ticked, and says it was overridden", async () => {
    const photo: AssetFileCheck = {
      kind: "photo",
      url: "https://photos.example/two.jpg",
      format: "jpeg",
      widthPx: 1200,
      heightPx: 1600,
      sizeBytes: 348_211,
      sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      thumbnail: "",
      provider: "BytePlus",
      checks: [
        { id: "format", verdict: "pass", label: "Format", message: "JPEG", overridable: false },
        { id: "face_count", verdict: "fail", label: "Faces", message: "Two faces found.", overridable: true },
      ],
      faces: [],
    };
    const { api, calls } = backend({ check: () => Promise.resolve(photo) });
    const form = new AssetForm(GROUP, api);
    form.edit("https://photos.example/two.jpg");
    await form.check();
    expect(form.verdict).toEqual({ kind: "needs_override", failed: ["Faces"] });
    expect(form.canUpload).toBe(false);
    form.setOverride(true);
    expect(form.canUpload).toBe(true);
    await form.upload();
    expect(calls.adds).toEqual([[GROUP, "image", "https://photos.example/two.jpg", true]]);
  });

  it("starts over for the next file", async () => {
    const { api } = backend();
    const form = new AssetForm(GROUP, api);
    form.setType("video");
    form.edit(CLIP);
    await form.check();
    form.reset();
    expect(form.url).toBe("");
    expect(form.type).toBe("video");
    expect(form.fileCheck).toEqual({ kind: "idle" });
    expect(form.touched).toBe(false);
  });

  it("takes a photo file, but a video only by link", async () => {
    const checked: string[] = [];
    const form = new AssetForm("group-1", {
      check: (_type, url) => {
        checked.push(url);
        return Promise.reject(new Error("not needed"));
      },
      add: () => Promise.reject(new Error("not needed")),
    });
    form.edit("/home/me/ada-side.jpg");
    expect(form.canCheck).toBe(true);
    await form.check();
    expect(checked).toEqual(["/home/me/ada-side.jpg"]);
    form.setType("video");
    form.leave();
    expect(form.canCheck).toBe(false);
    expect(form.urlError).toContain("https://");
  });
});
