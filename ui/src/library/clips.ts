// Whether the window can play a video or voice clip from the library, and if not, why, in the
// producer's words. The window plays only what its content policy allows: media from the app
// itself, or a `blob:` made from a file in the studio's media folder, as a finished video plays.
// A clip uploaded from an https link is copied into that folder by the backend when the producer
// asks to play it (`clipCopy`, once, and only if the link still serves the file uploaded).

import type { Face } from "../ipc";

export type ClipSource = { kind: "blob"; src: string } | { kind: "link" } | { kind: "none"; why: string };

export function clipSource(face: Pick<Face, "imageUrl" | "assetType" | "provider">): ClipSource {
  const url = face.imageUrl.trim();
  const what = face.assetType === "audio" ? "voice clip" : "video";
  if (url.startsWith("blob:")) {
    return { kind: "blob", src: url };
  }
  if (url.startsWith("https://")) {
    return { kind: "link" };
  }
  if (url === "") {
    return { kind: "none", why: `This ${what} came from the provider's listing without a link, so there is nothing here to play. It is still usable in Generate.` };
  }
  return {
    kind: "none",
    why: `This ${what} was uploaded from ${url}, which the app cannot play from; the library keeps no copy of it. Open that file or link to watch it. It is still usable in Generate.`,
  };
}
