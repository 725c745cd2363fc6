// What the talent's own window says, in words for the person being enrolled (not the operator):
// where their check stands, and whether their typed name can be sent with "I agree". The
// countdown runs from the same `expiresAtMs` as the operator's, so the two never differ.

import type { TalentView } from "../ipc";
import { formatCountdown, remainingSeconds } from "../session/countdown";

export interface TalentLines {
  headline: string;
  detail: string | null;
  /** The countdown's text while the QR can be scanned, else null. */
  countdown: string | null;
}

export function talentLines(view: TalentView, nowMs: number): TalentLines {
  const first = view.talentName.trim().split(/\s+/)[0] ?? view.talentName;
  switch (view.stage) {
    case "release":
      return {
        headline: `${first}, please read this release.`,
        detail: "If you agree, type your name and press “I agree”. Your QR code appears next.",
        countdown: null,
      };
    case "agreed":
      return { headline: "Thank you.", detail: "Your QR code is on its way.", countdown: null };
    case "scan": {
      const left = remainingSeconds(view.expiresAtMs, nowMs);
      if (left === 0) {
        return { headline: "Time is up for this code.", detail: "Tell the operator: they can show a fresh one.", countdown: null };
      }
      return {
        headline: "Scan this code with your phone camera,",
        detail: "then nod and blink when your phone asks.",
        countdown: formatCountdown(left),
      };
    }
    case "expired":
      return {
        headline: "This code has expired.",
        detail: view.problem ?? "The operator will show you a fresh one.",
        countdown: null,
      };
    case "verified":
      return { headline: "Verified ✓", detail: `Thank you, ${first}. You can put your phone away.`, countdown: null };
    case "stopped":
      return { headline: "This session was stopped.", detail: "Please ask the operator.", countdown: null };
  }
}

/** The name as it will be sent, or null while it cannot be: empty, or more than one line. */
export function typedNameToSend(typed: string): string | null {
  const name = typed.trim();
  if (name === "" || /[\r\n\t]/.test(name) || Array.from(name).length > 120) {
    return null;
  }
  return name;
}
