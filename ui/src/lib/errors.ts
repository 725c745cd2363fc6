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

// Where the backend's plain sentence ends and the technical part (the provider's raw answer, for
// a bug report) begins. The sentence is shown; the rest is copied with "Copy details".
const DETAIL_MARKERS = [", report this answer: ", "; report this answer: ", " report this answer: ", "; the answer was "];

export interface SplitMessage {
  /** What happened and what to do, in words. */
  plain: string;
  /** The technical part, whole, or null when the message has none. */
  detail: string | null;
}

/** An error's message as shown: the plain sentence, with any raw answer set apart. */
export function splitErrorDetail(message: string): SplitMessage {
  let cut = -1;
  let marker = "";
  for (const m of DETAIL_MARKERS) {
    const at = message.indexOf(m);
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      marker = m;
    }
  }
  if (cut < 0) {
    return { plain: message, detail: null };
  }
  const before = message.slice(0, cut).trimEnd();
  const reported = marker.includes("report this answer");
  const plain = reported ? `${before}, report it with "Copy details".` : /[.!?]$/.test(before) ? before : `${before}.`;
  return { plain, detail: message.slice(cut + marker.length).trim() };
}
