// The QR's countdown. The backend owns the deadline (`session.expiresAtMs`); the window only
// redraws it once a second from that timestamp and never asks the backend for the time.

import type { LivenessSession } from "../ipc";

/** Providers' H5 links live 120 s; used when a session's own window cannot be told. */
export const DEFAULT_LINK_WINDOW_MS = 120_000;

/** Whole seconds left, rounded up (a fresh 120 s link reads 2:00), never negative. */
export function remainingSeconds(expiresAtMs: number | null, nowMs: number): number {
  if (expiresAtMs === null || !Number.isFinite(expiresAtMs)) {
    return 0;
  }
  return Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000));
}

/** `m:ss`, e.g. 113 → "1:53", 5 → "0:05". */
export function formatCountdown(seconds: number): string {
  const s = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0;
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  return `${minutes}:${rest.toString().padStart(2, "0")}`;
}

/**
 * How long the current link lives in all. While a session awaits a scan its `updatedAtMs` is
 * the moment the link was issued (status checks that change nothing do not touch it).
 */
export function linkWindowMs(session: Pick<LivenessSession, "expiresAtMs" | "updatedAtMs">): number {
  const { expiresAtMs, updatedAtMs } = session;
  if (expiresAtMs === null || updatedAtMs === null) {
    return DEFAULT_LINK_WINDOW_MS;
  }
  const window = expiresAtMs - updatedAtMs;
  return Number.isFinite(window) && window >= 1000 ? window : DEFAULT_LINK_WINDOW_MS;
}

/** The share of the link's life still left, 0–1, for the ring. */
export function remainingFraction(
  session: Pick<LivenessSession, "expiresAtMs" | "updatedAtMs">,
  nowMs: number,
): number {
  if (session.expiresAtMs === null) {
    return 0;
  }
  const left = session.expiresAtMs - nowMs;
  return Math.min(1, Math.max(0, left / linkWindowMs(session)));
}
