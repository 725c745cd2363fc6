// What a photo check's checklist adds up to: the worst verdict, the line under the field, whether
// the provider would refuse the photo outright (a failed format, size, pixels, shape or damaged
// file: no override), and whether the operator may use it anyway (only face checks failed).

import type { PhotoCheck, PhotoCheckItem, PhotoProgress, PhotoVerdict } from "../ipc";

export interface PhotoSummary {
  verdict: PhotoVerdict;
  failed: PhotoCheckItem[];
  warned: PhotoCheckItem[];
  /** The first failed provider limit: the provider would refuse this photo whatever is ticked. */
  refusal: PhotoCheckItem | null;
  /** Only face checks failed: "Use this photo anyway" is offered. */
  canOverride: boolean;
  /** One line for the status under the field. */
  headline: string;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function summarize(check: PhotoCheck): PhotoSummary {
  const failed = check.checks.filter((c) => c.verdict === "fail");
  const warned = check.checks.filter((c) => c.verdict === "warn");
  const refusal = failed.find((c) => !c.overridable) ?? null;
  const verdict: PhotoVerdict = failed.length > 0 ? "fail" : warned.length > 0 ? "warn" : "pass";
  let headline: string;
  if (refusal !== null) {
    headline = `${check.provider} would refuse this photo`;
  } else if (failed.length > 0) {
    headline = `${plural(failed.length, "check", "checks")} failed`;
  } else if (warned.length > 0) {
    headline = `Photo OK, ${plural(warned.length, "warning", "warnings")}`;
  } else {
    headline = "Photo OK";
  }
  return { verdict, failed, warned, refusal, canOverride: failed.length > 0 && refusal === null, headline };
}

/** Downloads from this size on get a progress bar; smaller ones finish before it would show. */
export const PROGRESS_BAR_FROM_BYTES = 1_000_000;

/** Whether a download is large enough for a progress bar. */
export function showsProgress(progress: PhotoProgress | undefined): progress is PhotoProgress {
  if (progress === undefined) {
    return false;
  }
  return (progress.totalBytes ?? progress.receivedBytes) >= PROGRESS_BAR_FROM_BYTES;
}

/** How much has arrived, 0..1, or null when the server did not say how large the file is. */
export function progressShare(progress: PhotoProgress): number | null {
  if (progress.totalBytes === null || progress.totalBytes <= 0) {
    return null;
  }
  return Math.min(1, Math.max(0, progress.receivedBytes / progress.totalBytes));
}
