// The add-asset form's rule: what a checked file allows. A video or voice clip that fails any
// check is refused by the provider, so it cannot go. A photo is judged like the session's face
// photo: a failed provider limit stops it; failed face checks stop it until the operator ticks
// "Use this photo anyway" (recorded with the asset).

import type { AssetFileCheck, CommandError } from "../ipc";
import { summarize } from "../session/photo-verdict";

export type UploadVerdict =
  /** Nothing checked for what is in the form: press "Check file". */
  | { kind: "unchecked" }
  /** The provider would refuse the file: the first failed limit says why. */
  | { kind: "refused"; label: string; message: string }
  /** Only a photo's face checks failed: "Use this photo anyway" lets it go. */
  | { kind: "needs_override"; failed: string[] }
  /** It can go; `overridden` when failed face checks were accepted. */
  | { kind: "ok"; warnings: number; overridden: boolean };

export function uploadVerdict(check: AssetFileCheck | null, override: boolean): UploadVerdict {
  if (check === null) {
    return { kind: "unchecked" };
  }
  if (check.kind === "media") {
    const failed = check.checks.find((c) => c.verdict === "fail");
    if (failed !== undefined) {
      return { kind: "refused", label: failed.label, message: failed.message };
    }
    return { kind: "ok", warnings: check.checks.filter((c) => c.verdict === "warn").length, overridden: false };
  }
  const summary = summarize(check);
  if (summary.refusal !== null) {
    return { kind: "refused", label: summary.refusal.label, message: summary.refusal.message };
  }
  if (summary.failed.length > 0 && !override) {
    return { kind: "needs_override", failed: summary.failed.map((c) => c.label) };
  }
  return { kind: "ok", warnings: summary.warned.length, overridden: summary.failed.length > 0 };
}

/** The line next to Upload: why it waits, or what pressing it does. */
export function uploadHint(verdict: UploadVerdict, noun: string): string {
  switch (verdict.kind) {
    case "unchecked":
      return `Check the ${noun} first: nothing is uploaded until it passes.`;
    case "refused":
      return `The provider would refuse this ${noun}, so it cannot be uploaded. Fix it at its source, or give another link.`;
    case "needs_override":
      return `Face checks failed (${verdict.failed.join(", ")}). Tick "Use this photo anyway" to upload it regardless.`;
    case "ok":
      if (verdict.overridden) {
        return "Face checks overridden: the photo goes as it is, and that is recorded with the asset.";
      }
      return verdict.warnings > 0
        ? `It can go, with ${verdict.warnings === 1 ? "a warning" : `${verdict.warnings} warnings`}. The provider then processes it.`
        : "It passed. The provider processes it after the upload.";
  }
}

/** Where a refused check or upload is explained: next to the link, or at the top of the form. */
export function errorPlace(error: CommandError): "url" | "form" {
  return error.field === "url" || error.field === "image_url" ? "url" : "form";
}
