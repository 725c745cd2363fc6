import { describe, expect, it } from "vitest";
import { assetRef, bytePlusApi, isBytePlus, sessionApi, uploadBillingNote } from "./byteplus";

describe("bytePlusApi", () => {
  it("is the provider itself when Anyfast or Crun runs", () => {
    expect(bytePlusApi({ provider: "anyfast", rehearsalPersonality: null })).toBe("anyfast");
    expect(bytePlusApi({ provider: "crun", rehearsalPersonality: null })).toBe("crun");
  });

  it("is the API Rehearsal plays, when it plays one of them", () => {
    expect(bytePlusApi({ provider: "rehearsal", rehearsalPersonality: "crun" })).toBe("crun");
    expect(bytePlusApi({ provider: "rehearsal", rehearsalPersonality: "blockrun" })).toBeNull();
  });

  it("is null for the ta_ providers and before the stage is known", () => {
    expect(bytePlusApi({ provider: "blockrun", rehearsalPersonality: null })).toBeNull();
    expect(bytePlusApi({ provider: "jarvisclaw", rehearsalPersonality: null })).toBeNull();
    expect(bytePlusApi(null)).toBeNull();
    expect(isBytePlus("jarvisclaw")).toBe(false);
    expect(isBytePlus(null)).toBe(false);
  });
});

describe("sessionApi", () => {
  const rehearsingAnyfast = { provider: "rehearsal" as const, rehearsalPersonality: "anyfast" as const };

  it("trusts a session filed under Anyfast or Crun whatever runs now", () => {
    expect(sessionApi("crun", { provider: "blockrun", rehearsalPersonality: null })).toBe("crun");
    expect(sessionApi("anyfast", null)).toBe("anyfast");
  });

  it("takes a Rehearsal session's API from the running Rehearsal", () => {
    expect(sessionApi("rehearsal", rehearsingAnyfast)).toBe("anyfast");
    expect(sessionApi("rehearsal", { provider: "anyfast", rehearsalPersonality: null })).toBeNull();
    expect(sessionApi("blockrun", rehearsingAnyfast)).toBeNull();
  });
});

describe("uploadBillingNote", () => {
  it("says whose account pays, or that Rehearsal bills nothing", () => {
    expect(uploadBillingNote("anyfast", "anyfast")).toBe("Billed to your Anyfast account per upload");
    expect(uploadBillingNote("crun", "crun")).toBe("Billed to your Crun account per upload");
    expect(uploadBillingNote("rehearsal", "anyfast")).toBe("Rehearsal plays Anyfast: nothing is billed.");
  });
});

it("refers to an asset the way Seedance does", () => {
  expect(assetRef("asset-20260702223855-bdv2r")).toBe("asset://asset-20260702223855-bdv2r");
});
