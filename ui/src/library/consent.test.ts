import { describe, expect, it } from "vitest";
import type { ConsentRecord } from "../ipc";
import { T0, asset, face, summary } from "../testing/views";
import { CONSENT_NOT_RECORDED, NO_CONSENT_RECORD, consentNote, consentView, paymentWords, receiptFileName } from "./consent";

const clock = (ms: number) => `t+${(ms - T0) / 1000}s`;
const record = (overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  operator: "Grace Hopper",
  recordedAtMs: T0 + 60_000,
  livenessRef: "ses_ada1 / group grp_1",
  fileSha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  payment: { rail: "x402", ledgerId: "pay_7", txHash: "0xabc" },
  ...overrides,
});

function line(view: ReturnType<typeof consentView>, label: string): string | undefined {
  return view.lines.find((l) => l.label === label)?.value;
}

describe("consentView", () => {
  it("says who, when, which check, which file and what paid, in words", () => {
    const view = consentView(face({ consent: record() }), clock);
    expect(view.statement).toBe("Consent recorded in this studio on t+60s.");
    expect(line(view, "Talent")).toBe("Ada Lovelace");
    expect(line(view, "What it is")).toBe("A real person, verified with a live face check");
    expect(line(view, "Operator")).toBe("Grace Hopper");
    expect(line(view, "Live face check")).toBe("ses_ada1 / group grp_1");
    expect(line(view, "The photo's fingerprint (SHA-256)")).toMatch(/^9f86d081/);
    expect(line(view, "Payment")).toBe("Paid from the studio wallet (x402), payment pay_7");
    expect(line(view, "Settlement transaction")).toBe("0xabc");
    expect(view.lines.find((l) => l.label === "Asset id")?.mono).toBe(true);
  });

  it("says plainly when a face has no record here", () => {
    const view = consentView(face({ consent: null }), clock);
    expect(view.statement).toBe(NO_CONSENT_RECORD);
    expect(view.statement).toBe("Enrolled elsewhere; no consent record in this studio.");
    expect(line(view, "Enrolled")).toBe("t+0s");
    expect(line(view, "Operator")).toBeUndefined();
    expect(consentView(face(), clock).statement).toBe(NO_CONSENT_RECORD);
  });

  it("words a portrait, a BytePlus file, an unset operator and an overridden check", () => {
    const portrait = consentView(face({ kind: "portrait", consent: record({ livenessRef: null, operator: " " }) }), clock);
    expect(line(portrait, "Live face check")).toBe("None: an AI character has no live face check");
    expect(line(portrait, "Operator")).toBe("Not recorded (no operator name was set in Settings)");
    const clip = consentView(
      asset({ assetType: "audio", consent: record({ payment: { rail: "account", provider: "anyfast" }, fileSha256: null }) }),
      clock,
    );
    expect(line(clip, "What it is")).toBe("A voice clip of a person verified with a live face check (BytePlus asset)");
    expect(line(clip, "Payment")).toBe("Billed to the Anyfast account");
    expect(line(clip, "The voice clip's fingerprint (SHA-256)")).toBe("Not recorded");
    expect(line(clip, "Group")).toBe("group-20260702221642-5czvq");
    const overridden = consentView(face({ photoOverride: "face_count,sharpness", consent: record() }), clock);
    expect(line(overridden, "Photo checks overridden")).toBe("face count, sharpness");
  });

  it("says when nothing paid", () => {
    expect(paymentWords(null)).toBe("No payment recorded");
    expect(line(consentView(face({ consent: record({ payment: { rail: "x402", ledgerId: "pay_1", txHash: null } }) }), clock), "Settlement transaction")).toBeUndefined();
  });
});

describe("receiptFileName", () => {
  it("names the file after the person and the asset, safely", () => {
    expect(receiptFileName("Ada Lovelace", "ta_8c2f")).toBe("consent-ada-lovelace-ta_8c2f.html");
    expect(receiptFileName("Zoë Ångström-Ó'Brien", "asset-2026-x")).toBe("consent-zoe-angstrom-o-brien-asset-2026-x.html");
    expect(receiptFileName("  ../../etc  ", "ta_1/../x")).toBe("consent-etc-ta_1x.html");
    expect(receiptFileName("李雷", "ta_1")).toBe("consent-receipt-ta_1.html");
  });
});

describe("the release and revocation", () => {
  const release = {
    templateVersion: 3,
    releaseText: "Release of likeness (version 3)",
    releaseSha256: "ab".repeat(32),
    typedName: "Ada King",
    agreedAtMs: T0 + 30_000,
    endsAtMs: T0 + 1_000_000,
  };

  it("shows what the talent agreed to, and a revocation above all", () => {
    const agreed = consentView(face({ consent: record({ release }) }), clock);
    expect(line(agreed, "Release")).toBe("Version 3, agreed on the talent's own screen");
    expect(line(agreed, "Typed name")).toBe("Ada King");
    expect(line(agreed, "Agreed")).toBe("t+30s");
    expect(line(agreed, "Release ends")).toBe("t+1000s");
    const old = consentView(face({ consent: record() }), clock);
    expect(line(old, "Release")).toBe("Not recorded: enrolled before the talent's release was kept");
    const revoked = consentView(
      face({ consent: record({ release }), revoked: { atMs: T0 + 90_000, reason: "asked by her agent" } }),
      clock,
    );
    expect(revoked.statement).toBe("Revoked on t+90s: no new video of this face is made.");
    expect(line(revoked, "Revoked")).toBe("t+90s — asked by her agent");
  });

  it("strikes revoked and ended faces through, and marks old ones as not recorded", () => {
    expect(consentNote(summary(), T0)).toBeNull();
    expect(consentNote(summary({ revokedAtMs: T0 }), T0)).toEqual({ text: "Revoked", withdrawn: true });
    const ends = summary({ consentEndsAtMs: T0 + 10 });
    expect(consentNote(ends, T0 + 9)).toBeNull();
    expect(consentNote(ends, T0 + 10)).toEqual({ text: "Release ended", withdrawn: true });
    expect(consentNote(summary({ hasConsent: false }), T0)).toEqual({ text: CONSENT_NOT_RECORDED, withdrawn: false });
    expect(consentNote(summary({ hasConsent: false, kind: "portrait" }), T0)).toBeNull();
  });
});
