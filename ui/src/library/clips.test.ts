import { describe, expect, it } from "vitest";
import { clipSource } from "./clips";

describe("a clip's source", () => {
  it("plays a blob: copy, offers to fetch an https link, and says plainly why anything else does not play", () => {
    expect(clipSource({ imageUrl: "blob:abc", assetType: "video", provider: "anyfast" })).toEqual({ kind: "blob", src: "blob:abc" });
    expect(clipSource({ imageUrl: " https://cdn.example/ada.mp4", assetType: "video", provider: "anyfast" })).toEqual({ kind: "link" });
    const file = clipSource({ imageUrl: "/home/op/ada.mp3", assetType: "audio", provider: "crun" });
    expect(file.kind === "none" && file.why).toMatch(/^This voice clip was uploaded from \/home\/op\/ada.mp3/);
    const plain = clipSource({ imageUrl: "http://cdn.example/ada.mp4", assetType: "video", provider: "anyfast" });
    expect(plain.kind).toBe("none");
    const none = clipSource({ imageUrl: " ", assetType: "video", provider: "anyfast" });
    expect(none.kind === "none" && none.why).toContain("without a link");
  });
});
