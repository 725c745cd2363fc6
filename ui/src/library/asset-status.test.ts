import { describe, expect, it } from "vitest";
import { asset } from "../testing/views";
import { describeAsset, failureReason, newerAsset, withAsset } from "./asset-status";

describe("newerAsset", () => {
  it("takes new word on an asset", () => {
    const held = asset({ status: "processing" });
    const done = asset({ status: "active" });
    expect(newerAsset(held, done)).toBe(done);
    expect(newerAsset(undefined, held)).toBe(held);
    expect(newerAsset(null, held)).toBe(held);
  });

  it("never goes back from a settled answer to processing (a late, stale word)", () => {
    const failed = asset({ status: "failed", statusMessage: "Face consistency verification failed." });
    expect(newerAsset(failed, asset({ status: "processing" }))).toBe(failed);
    const active = asset({ status: "active" });
    expect(newerAsset(active, asset({ status: "processing" }))).toBe(active);
  });

  it("does not mix up two assets", () => {
    const other = asset({ assetId: "asset-2", status: "processing" });
    expect(newerAsset(asset({ status: "active" }), other)).toBe(other);
  });
});

describe("withAsset", () => {
  it("files the newest word by asset id, and keeps the record when nothing changed", () => {
    const one = withAsset({}, asset({ status: "processing" }));
    const two = withAsset(one, asset({ status: "active" }));
    expect(two[asset().assetId]?.status).toBe("active");
    expect(withAsset(two, asset({ status: "processing" }))).toBe(two);
  });
});

describe("describeAsset", () => {
  it("says a processing asset is being worked on", () => {
    const line = describeAsset(asset({ status: "processing" }));
    expect(line).toMatchObject({ tone: "busy", headline: "Processing…" });
    expect(line.detail).toContain("Ada Lovelace");
  });

  it("gives an active asset's Seedance reference", () => {
    expect(describeAsset(asset({ status: "active" }))).toEqual({
      tone: "good",
      headline: "Active — ready for videos",
      detail: null,
    });
  });

  it("gives the provider's reason for a failure, or says it gave none", () => {
    expect(describeAsset(asset({ status: "failed", statusMessage: "Face consistency verification failed." })).headline).toBe(
      "Failed: Face consistency verification failed.",
    );
    expect(failureReason({ statusMessage: "  " })).toBe("the provider did not say why.");
    expect(failureReason({ statusMessage: null })).toBe("the provider did not say why.");
  });
});
