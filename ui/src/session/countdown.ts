// The QR's countdown. The backend owns the deadline (`session.expiresAtMs`) and the moment the
// current link was issued (`session.linkIssuedAtMs`); the window only redraws the countdown once
// a second from those timestamps and never asks the backend for the time.

import type { LivenessSession } from "../ipc";

/** Whole seconds left, rounded up (a fresh 120 s link reads 2:00), never negative. */
export function remainingSeconds(expiresAtMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000));
}

/** `m:ss`, e.g. 113 → "1:53", 5 → "0:05". */
export function formatCountdown(seconds: number): string {
  const s = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0;
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  return `${minutes}:${rest.toString().padStart(2, "0")}`;
}

type LinkTimes = Pick<LivenessSession, "expiresAtMs" | "linkIssuedAtMs">;

/** How long the current link lives in all: from when it was issued to when it expires. */
export function linkWindowMs(session: LinkTimes): number {
  return Math.max(0, session.expiresAtMs - session.linkIssuedAtMs);
}

/** The share of the link's life still left, 0–1, for the ring. */
export function remainingFraction(session: LinkTimes, nowMs: number): number {
  const window = linkWindowMs(session);
  if (window === 0) {
    return 0;
  }
  const left = session.expiresAtMs - nowMs;
  return Math.min(1, Math.max(0, left / window));
}
