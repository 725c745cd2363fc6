// What the window can offer after an error, chosen by its code (never by its text). The
// backend's message already says what happened and whether anything was charged.

import type { ErrorCode } from "../ipc";

const NEXT_STEPS: Partial<Record<ErrorCode, string>> = {
  face_mismatch: "Paste another photo of them below, or try the same one again.",
  not_ready: "Generate a fresh QR and have the talent scan it again.",
  not_configured: "Open Settings to finish setting up the provider.",
  unauthorized: "Open Settings and check the provider's API key.",
  confirmation_needed: "Tick the box to confirm the new payee, then press Pay again.",
  database_unreachable: "Check the studio database's server and this desk's network, then try again.",
  database_login: "Open Settings and check the studio database's user name and password.",
  database_newer: "Update Likeness Studio on this desk; another desk already uses a newer version.",
  database_conflict: "Another desk is paying for this already: wait for it, then look again.",
  consent_revoked: "Choose another face: this one's consent was revoked (see its consent record in the Library).",
  consent_expired: "Choose another face, or enroll this talent again under a new release.",
};

export function nextStepFor(code: ErrorCode): string | null {
  return NEXT_STEPS[code] ?? null;
}

/** What "Copy details" copies: the sentence and its technical part, ready to paste in a report. */
export function detailsToCopy(message: string, detail: string): string {
  return `${message}\n\nDetails: ${detail}`;
}
