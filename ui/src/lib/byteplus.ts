// Anyfast and Crun wrap BytePlus "LivenessFace": the talent's phone check yields a group bound to
// that one person, and any number of files (photos, videos, voice clips) then go into it as
// assets, each used in Seedance as `asset://<id>`. They are paid per upload with the provider's
// API key; there is no x402 price to confirm. These are the few facts the window needs.

import type { ProviderKind, StageInfo } from "../ipc";
import { apiInPlay, isBytePlus, type BytePlusProvider } from "./api";
import { providerLabel } from "./format";

export { isBytePlus, type BytePlusProvider };

/**
 * Which BytePlus API the running stage speaks: the provider itself, or the one Rehearsal plays.
 * Null for the providers that enroll one `ta_…` face per payment.
 */
export function bytePlusApi(stage: Pick<StageInfo, "provider" | "rehearsalPersonality"> | null): BytePlusProvider | null {
  if (stage === null) {
    return null;
  }
  const api = apiInPlay(stage);
  return isBytePlus(api) ? api : null;
}

/**
 * The BytePlus API a session runs on. A session filed under Anyfast or Crun is one whatever runs
 * now; a Rehearsal session is one when Rehearsal plays a BytePlus API (the stage is the only
 * word on that).
 */
export function sessionApi(
  sessionProvider: ProviderKind,
  stage: Pick<StageInfo, "provider" | "rehearsalPersonality"> | null,
): BytePlusProvider | null {
  if (isBytePlus(sessionProvider)) {
    return sessionProvider;
  }
  return stage !== null && stage.provider === sessionProvider ? bytePlusApi(stage) : null;
}

/** The line under "Add photo to …'s group": who pays for the upload. */
export function uploadBillingNote(sessionProvider: ProviderKind, api: BytePlusProvider): string {
  if (sessionProvider === "rehearsal") {
    return `Rehearsal plays ${providerLabel(api)}: nothing is billed.`;
  }
  return `Billed to your ${providerLabel(api)} account per upload`;
}

/** How Seedance refers to an asset in a video request. */
export function assetRef(assetId: string): string {
  return `asset://${assetId}`;
}
