import { describe, expect, it } from "vitest";
import { clipSource } from "./clips";

describe("a clip's source", () => {
  it("plays a blob: copy and says plainly why anything else does not play", () => {
    expect(clipSource({ imageUrl: "blob:abc", assetType: "video", provider: "anyfast" })).toEqual({ playable: true, src: "blob:abc" });
    const web = clipSource({ imageUrl: "https://cdn.example/ada.mp4", assetType: "video", provider: "anyfast" });
    expect(web.playable).toBe(false);
    expect(!web.playable && web.why).toContain("https://cdn.example/ada.mp4");
    const file = clipSource({ imageUrl: "/home/op/ada.mp3", assetType: "audio", provider: "crun" });
    expect(!file.playable && file.why).toMatch(/^This voice clip was uploaded from a file/);
    const none = clipSource({ imageUrl: " ", assetType: "video", provider: "anyfast" });
    expect(!none.playable && none.why).toContain("without a link");
  });
});
