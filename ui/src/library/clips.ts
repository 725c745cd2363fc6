// Whether the window can play a video or voice clip from the library, and if not, why, in the
// producer's words. The window plays only what its content policy allows (media from the app
// itself or a `blob:` made from a file in the studio's media folder, as a finished video plays);
// the library keeps a clip's provider id and the link or file it was uploaded from, not a copy.

import type { Face } from "../ipc";

export type ClipSource = { playable: true; src: string } | { playable: false; why: string };

export function clipSource(face: Pick<Face, "imageUrl" | "assetType" | "provider">): ClipSource {
  const url = face.imageUrl.trim();
  const what = face.assetType === "audio" ? "voice clip" : "video";
  if (url.startsWith("blob:")) {
    return { playable: true, src: url };
  }
  if (url === "") {
    return { playable: false, why: `This ${what} came from the provider's listing without a link, so there is nothing here to play. It is still usable in Generate.` };
  }
  if (url.startsWith("/") || /^[a-z]:\\/i.test(url) || url.startsWith("file:")) {
    return {
      playable: false,
      why: `This ${what} was uploaded from a file on a studio computer (${url}); the library keeps no copy of it to play here. Open that file to watch it. It is still usable in Generate.`,
    };
  }
  return {
    playable: false,
    why: `This ${what} was uploaded from a link (${url}); the app does not play media from the web, and the library keeps no copy of it. Open the link in a browser to watch it. It is still usable in Generate.`,
  };
}
