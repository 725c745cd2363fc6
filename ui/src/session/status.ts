// What the session screen says, in plain words, for a view at a moment.

import type { ErrorCode, SessionState, SessionView } from "../ipc";
import { remainingSeconds } from "./countdown";
import { formatUsd } from "../lib/payments";

export type Tone = "waiting" | "attention" | "good" | "busy" | "muted";

export interface StatusLines {
  /** The main line (`#session-status`). */
  headline: string;
  /** A smaller second line, when there is something more to say. */
  detail: string | null;
  tone: Tone;
}

/**
 * @param clock formats an epoch-ms time of day for "Next automatic check at …".
 * @param groups the session runs on a BytePlus API (Anyfast, Crun): Enroll adds the photo to the
 *   talent's group, and a fresh QR is a new phone check rather than the same one continued.
 */
export function describeSession(view: SessionView, nowMs: number, clock: (ms: number) => string, groups = false): StatusLines {
  const { session } = view;
  const name = session.talentName;
  switch (session.state) {
    case "awaiting_consent":
      return {
        headline: `Waiting for ${name} to agree to the release.`,
        detail: "Press “Show to talent” (F): they read it, type their name and press “I agree” on their own screen. The QR appears after.",
        tone: "waiting",
      };
    case "consented":
      return {
        headline: `${name} agreed to the release.`,
        detail: "The QR is next. If it does not appear, generate it.",
        tone: "busy",
      };
    case "awaiting_scan": {
      if (remainingSeconds(session.expiresAtMs, nowMs) === 0) {
        return {
          headline: "Time is up for this QR.",
          // BytePlus reads the phone's result once, on the callback or the operator's word.
          detail: groups
            ? `If ${name} finished, press “Talent finished — check now”; if not, generate a fresh QR.`
            : `If ${name} has not finished, generate a fresh QR. The app makes one last check first.`,
          tone: "attention",
        };
      }
      const next = view.nextCheckAtMs;
      return {
        headline: `Waiting for ${name} to finish on their phone…`,
        detail: next !== null && next >= nowMs - 1000 ? `Next automatic check at ${clock(next)}` : null,
        tone: "waiting",
      };
    }
    case "expired":
      if (view.notice?.code === "liveness_failed") {
        // The notice under this line says what to do; the headline must not blame the clock.
        return { headline: `${name}'s phone check did not pass.`, detail: null, tone: "attention" };
      }
      return {
        headline: `This QR expired before ${name} finished.`,
        detail: groups
          ? "Generate a fresh QR to carry on: it starts a new phone check."
          : "Generate a fresh QR to carry on: it continues the same session.",
        tone: "attention",
      };
    case "verified":
      return {
        headline: `${name} finished the phone check.`,
        detail: groups ? "Add their photo to their group to use it in videos." : "Enroll to save the face to the library.",
        tone: "good",
      };
    case "awaiting_payment": {
      const price = view.quote === null ? "a price" : (formatUsd(view.quote.amountAtomic) ?? `${view.quote.amountUsdc} USDC`);
      return {
        headline: `The provider asks ${price} to enroll ${name}.`,
        detail: "Confirm or decline. Nothing is signed until you press Pay.",
        tone: "attention",
      };
    }
    case "enrolling":
      return {
        headline: groups ? `Adding the photo to ${name}'s group…` : `Enrolling ${name}…`,
        detail: "This takes a few seconds. Keep the app open.",
        tone: "busy",
      };
    case "enrolled":
      return { headline: `${name} is enrolled.`, detail: null, tone: "good" };
    case "cancelled":
      return { headline: "This session was cancelled.", detail: null, tone: "muted" };
  }
}

/**
 * The phase the panel shows. A `session_expired` refusal (the link ran out before enrollment)
 * means the session is back to `expired`, even if that view has not arrived yet: offer a fresh
 * QR rather than Enroll or Pay again.
 */
export function shownPhase(state: SessionState, failure: ErrorCode | null): SessionState {
  if (failure === "session_expired" && (state === "verified" || state === "enrolling" || state === "awaiting_payment")) {
    return "expired";
  }
  return state;
}
