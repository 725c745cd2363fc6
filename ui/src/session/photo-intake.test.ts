import { describe, expect, it } from "vitest";
import { dragCarriesPhoto, pickIntake, takeIntake } from "./photo-intake";

const blob = (type: string) => new Blob(["x"], { type });

describe("pickIntake", () => {
  it("takes the first image among the files", () => {
    const png = blob("image/png");
    expect(pickIntake([blob("text/plain"), png], "", "")).toEqual({ kind: "image", blob: png });
  });

  it("takes a link from a browser's uri-list, skipping its comments", () => {
    expect(pickIntake([], "# from a page\r\nhttps://photos.example/ada.jpg\r\n", "ignored")).toEqual({
      kind: "text",
      value: "https://photos.example/ada.jpg",
    });
  });

  it("takes a pasted path or file URL", () => {
    expect(pickIntake([], "", " /home/me/ada.jpg ")).toEqual({ kind: "text", value: "/home/me/ada.jpg" });
    expect(pickIntake([], "file:///home/me/ada.jpg", "")).toEqual({ kind: "text", value: "file:///home/me/ada.jpg" });
  });

  it("refuses what is neither an image nor a link to one", () => {
    expect(pickIntake([blob("application/pdf")], "", "hello")).toEqual({ kind: "none" });
    expect(pickIntake([], "", "http://photos.example/ada.jpg")).toEqual({ kind: "none" });
  });
});

describe("dragCarriesPhoto", () => {
  it("is true for files and links only", () => {
    expect(dragCarriesPhoto(["Files"])).toBe(true);
    expect(dragCarriesPhoto(["text/uri-list"])).toBe(true);
    expect(dragCarriesPhoto(["application/x-moz-nativeimage"])).toBe(false);
  });
});

describe("takeIntake", () => {
  it("keeps an image through the backend and passes text through", async () => {
    const png = blob("image/png");
    const kept: Blob[] = [];
    const keep = (b: Blob) => {
      kept.push(b);
      return Promise.resolve("/data/photos/ab.png");
    };
    await expect(takeIntake({ kind: "image", blob: png }, keep)).resolves.toEqual({ ok: true, value: "/data/photos/ab.png" });
    expect(kept).toEqual([png]);
    await expect(takeIntake({ kind: "text", value: "/home/me/a.jpg" }, keep)).resolves.toEqual({ ok: true, value: "/home/me/a.jpg" });
    const refused = await takeIntake({ kind: "none" }, keep);
    expect(refused.ok).toBe(false);
  });
});
