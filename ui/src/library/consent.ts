// A face's consent record in plain words, for the "Consent record" dialog: who ran the session,
// when, the live face check it rests on, the fingerprint of the file that was checked, and what
// paid. The printable receipt (`exportReceipt`) is the backend's; this is what the window says
// beside it.

import type { ConsentPayment, Face, FaceKind, FaceSummary } from "../ipc";
import { assetNoun } from "./asset-format";
import { formatDateTime, providerLabel } from "../lib/format";

/** The library's word for a face with no consent record (enrolled before records, or elsewhere). */
export const CONSENT_NOT_RECORDED = "Consent not recorded";

export interface ConsentNote {
  text: string;
  /** Revoked, or its release has ended: struck through, and Generate refuses it. */
  withdrawn: boolean;
}

/**
 * What a library row says of its consent at `nowMs`: revoked, release ended (both struck
 * through), consent not recorded (an old or synced face: still usable), or nothing.
 */
export function consentNote(
  face: Pick<FaceSummary, "kind" | "hasConsent" | "consentEndsAtMs" | "revokedAtMs">,
  nowMs: number,
): ConsentNote | null {
  if (face.revokedAtMs !== null) {
    return { text: "Revoked", withdrawn: true };
  }
  if (face.consentEndsAtMs !== null && nowMs >= face.consentEndsAtMs) {
    return { text: "Release ended", withdrawn: true };
  }
  if (!face.hasConsent && face.kind !== "portrait") {
    return { text: CONSENT_NOT_RECORDED, withdrawn: false };
  }
  return null;
}

/** What the studio says of a face enrolled somewhere else (filled in from a provider's listing). */
export const NO_CONSENT_RECORD = "Enrolled elsewhere; no consent record in this studio.";

export interface ConsentLine {
  label: string;
  value: string;
  /** An id or a hash: set in monospace, breakable anywhere. */
  mono?: boolean;
}

export interface ConsentView {
  /** The record's headline: it exists and when it was made, or that there is none. */
  statement: string;
  lines: ConsentLine[];
}

function kindWords(kind: FaceKind, face: Pick<Face, "assetType">): string {
  switch (kind) {
    case "real_face":
      return "A real person, verified with a live face check";
    case "portrait":
      return "An AI character (portrait), no live face check";
    case "asset":
      return `A ${assetNoun(face.assetType)} of a person verified with a live face check (BytePlus asset)`;
  }
}

/** What paid for the enrollment or upload, in words. */
export function paymentWords(payment: ConsentPayment | null): string {
  if (payment === null) {
    return "No payment recorded";
  }
  switch (payment.rail) {
    case "x402":
      return `Paid from the studio wallet (x402), payment ${payment.ledgerId}`;
    case "account":
      return `Billed to the ${providerLabel(payment.provider)} account`;
  }
}

export function consentView(face: Face, clock: (ms: number) => string = (ms) => formatDateTime(ms)): ConsentView {
  const lines: ConsentLine[] = [
    { label: "Talent", value: face.name },
    { label: "What it is", value: kindWords(face.kind, face) },
    { label: "Provider", value: providerLabel(face.provider) },
    { label: "Asset id", value: face.assetId, mono: true },
  ];
  if (face.groupId !== null && face.groupId.trim() !== "") {
    lines.push({ label: "Group", value: face.groupId, mono: true });
  }
  const consent = face.consent ?? null;
  if (consent === null) {
    lines.push({ label: "Enrolled", value: clock(face.enrolledAtMs) });
    return { statement: NO_CONSENT_RECORD, lines };
  }
  lines.push({ label: "Recorded", value: clock(consent.recordedAtMs) });
  lines.push({
    label: "Operator",
    value: consent.operator.trim() === "" ? "Not recorded (no operator name was set in Settings)" : consent.operator,
  });
  lines.push({
    label: "Live face check",
    value:
      consent.livenessRef ??
      (face.kind === "portrait" ? "None: an AI character has no live face check" : "None recorded in this studio"),
    mono: consent.livenessRef !== null,
  });
  lines.push({
    label: `The ${assetNoun(face.assetType)}'s fingerprint (SHA-256)`,
    value: consent.fileSha256 ?? "Not recorded",
    mono: consent.fileSha256 !== null,
  });
  if (face.photoOverride !== null && face.photoOverride.trim() !== "") {
    lines.push({ label: "Photo checks overridden", value: face.photoOverride.split(",").map((s) => s.trim().replace(/_/g, " ")).join(", ") });
  }
  lines.push({ label: "Payment", value: paymentWords(consent.payment) });
  if (consent.payment?.rail === "x402" && consent.payment.txHash !== null) {
    lines.push({ label: "Settlement transaction", value: consent.payment.txHash, mono: true });
  }
  const release = consent.release ?? null;
  if (release !== null) {
    lines.push({ label: "Release", value: `Version ${release.templateVersion}, agreed on the talent's own screen` });
    lines.push({ label: "Typed name", value: release.typedName });
    lines.push({ label: "Agreed", value: clock(release.agreedAtMs) });
    lines.push({ label: "Release ends", value: clock(release.endsAtMs) });
    lines.push({ label: "Release text (SHA-256)", value: release.releaseSha256, mono: true });
  } else if (face.kind !== "portrait") {
    lines.push({ label: "Release", value: "Not recorded: enrolled before the talent's release was kept" });
  }
  const revoked = face.revoked ?? null;
  if (revoked !== null) {
    lines.push({ label: "Revoked", value: revoked.reason.trim() === "" ? clock(revoked.atMs) : `${clock(revoked.atMs)} — ${revoked.reason}` });
    return { statement: `Revoked on ${clock(revoked.atMs)}: no new video of this face is made.`, lines };
  }
  return { statement: `Consent recorded in this studio on ${clock(consent.recordedAtMs)}.`, lines };
}

/** The saved receipt's file name: "consent-ada-lovelace-ta_8c2f….html", safe on every system. */
export function receiptFileName(name: string, assetId: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  const id = assetId.replace(/[^A-Za-z0-9_-]+/g, "");
  return `consent-${slug === "" ? "receipt" : slug}-${id}.html`;
}
