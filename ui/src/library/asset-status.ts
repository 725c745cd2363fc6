// An asset's status as the window shows it. Word on one asset arrives from several places (the
// enroll answer, the session's view, the `watchAssets` stream, "Check again"), in any order; the
// provider only ever moves an asset from processing to active or failed, never back, so a late
// "processing" never hides a settled answer.

import type { Face } from "../ipc";

/** Of the word held on an asset and new word on it, the one to keep (a full record or a list row). */
export function newerAsset<T extends Pick<Face, "assetId" | "status">>(held: T | null | undefined, incoming: T): T {
  if (held?.assetId !== incoming.assetId) {
    return incoming;
  }
  if (held.status !== "processing" && incoming.status === "processing") {
    return held;
  }
  return incoming;
}

/** Folds one asset into a record of the latest word per asset id (unchanged when nothing is new). */
export function withAsset(assets: Readonly<Record<string, Face>>, face: Face): Readonly<Record<string, Face>> {
  const held = assets[face.assetId];
  const kept = newerAsset(held, face);
  return kept === held ? assets : { ...assets, [face.assetId]: kept };
}

export type AssetTone = "busy" | "good" | "bad";

export interface AssetLine {
  tone: AssetTone;
  /** `#asset-status`: "Processing…", "Active — ready for videos", "Failed: …" (the `asset://` reference is copied, not shown). */
  headline: string;
  /** A second line: what happens next, or what to do. */
  detail: string | null;
}

/** What the session panel says about the asset it enrolled. */
export function describeAsset(face: Face): AssetLine {
  switch (face.status) {
    case "processing":
      return {
        tone: "busy",
        headline: "Processing…",
        detail: `The provider is checking the photo against ${face.name}'s phone check. This usually takes under a minute.`,
      };
    case "active":
      return { tone: "good", headline: "Active — ready for videos", detail: null };
    case "failed":
      return {
        tone: "bad",
        headline: `Failed: ${failureReason(face)}`,
        detail: "Nothing else changed: the phone check still holds. Add another photo to the group.",
      };
  }
}

/** Why the provider refused an asset, in its words, or a plain stand-in when it gave none. */
export function failureReason(face: Pick<Face, "statusMessage">): string {
  const message = face.statusMessage?.trim() ?? "";
  return message === "" ? "the provider did not say why." : message;
}
