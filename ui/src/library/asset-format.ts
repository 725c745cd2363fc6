// Library words and figures for assets: what a file is, where the provider stands with it, and
// a video's or clip's facts (duration, frame rate, size) as the provider's limits state them.

import type { AssetStatus, AssetType, MediaCheck } from "../ipc";

const TYPE_LABELS: Record<AssetType, string> = {
  image: "Photo",
  video: "Video",
  audio: "Voice",
};

export function assetTypeLabel(type: AssetType): string {
  return TYPE_LABELS[type];
}

/** The noun in sentences and messages: "Paste the link to the video." */
const TYPE_NOUNS: Record<AssetType, string> = {
  image: "photo",
  video: "video",
  audio: "voice clip",
};

export function assetNoun(type: AssetType): string {
  return TYPE_NOUNS[type];
}

const STATUS_LABELS: Record<AssetStatus, string> = {
  processing: "Processing",
  active: "Active",
  failed: "Failed",
};

export function assetStatusLabel(status: AssetStatus): string {
  return STATUS_LABELS[status];
}

/** "2–15": a range that never breaks across lines at its dash (a word joiner follows it). */
function range(low: string, high: string): string {
  return `${low}–\u2060${high}`;
}

/**
 * What BytePlus takes for each kind of file (its documented limits; the backend checks them
 * before anything is uploaded). Shown as help under the link field.
 */
export const ASSET_LIMITS: Record<AssetType, string> = {
  image: `JPEG, PNG, WebP, GIF or HEIC, under 30 MB, ${range("300", "6000")} px a side, width to height ${range("0.4", "2.5")}.`,
  video: `MP4 or MOV, up to 50 MB, ${range("2", "15")} s long, ${range("24", "60")} fps, width to height ${range("0.4", "2.5")}.`,
  audio: `MP3 or WAV, up to 15 MB, ${range("2", "15")} s long.`,
};

function trimmed(value: number, decimals: number): string {
  return value.toFixed(decimals).replace(/\.?0+$/, "");
}

/** "3.0 s", "12.4 s", "1 min 05 s": one decimal under a minute, as the checklist words it. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return "";
  }
  if (ms < 59_950) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}

/** "30 fps", "29.97 fps". */
export function formatFps(fps: number): string {
  if (!Number.isFinite(fps) || fps <= 0) {
    return "";
  }
  return `${trimmed(fps, 2)} fps`;
}

/**
 * Sizes in decimal units, as the provider counts its caps ("up to 50 MB" is 50,000,000 bytes),
 * so a figure here never disagrees with the checklist's message.
 */
export function formatFileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    return "";
  }
  if (bytes < 1000) {
    return `${bytes} bytes`;
  }
  if (bytes < 1_000_000) {
    return `${Math.round(bytes / 1000)} KB`;
  }
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The facts line of a checked video or clip: "MP4 · 12.4 s · 30 fps · 1080 × 1920 px · 18.2 MB". */
export function mediaFacts(check: Pick<MediaCheck, "container" | "durationMs" | "fps" | "widthPx" | "heightPx" | "sizeBytes">): string[] {
  const facts: string[] = [check.container === null ? "Unknown format" : check.container.toUpperCase()];
  if (check.durationMs !== null) {
    facts.push(formatDuration(check.durationMs));
  }
  if (check.fps !== null) {
    facts.push(formatFps(check.fps));
  }
  if (check.widthPx !== null && check.heightPx !== null) {
    facts.push(`${check.widthPx} × ${check.heightPx} px`);
  }
  facts.push(formatFileSize(check.sizeBytes));
  return facts.filter((f) => f !== "");
}
