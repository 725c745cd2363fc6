// A face's consent record in plain words, for the "Consent record" dialog: who ran the session,
// when, the live face check it rests on, the fingerprint of the file that was checked, and what
// paid. The printable receipt (`exportReceipt`) is the backend's; this is what the window says
// beside it.

import type { ConsentPayment, Face, FaceKind } from "../ipc";
import { assetNoun } from "./asset-format";
import { formatDateTime, providerLabel } from "../lib/format";

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
