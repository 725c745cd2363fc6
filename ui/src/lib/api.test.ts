import { describe, expect, it } from "vitest";
import { API_CAPABILITIES, type ProviderApi } from "../ipc";
import { apiInPlay, asApi, capabilitiesOf, isBytePlus } from "./api";

describe("the capability table from the bindings", () => {
  it("names every vendor API and not Rehearsal", () => {
    expect(Object.keys(API_CAPABILITIES).sort()).toEqual(["anyfast", "blockrun", "crun", "jarvisclaw"]);
    expect(asApi("rehearsal")).toBeNull();
    expect(capabilitiesOf("rehearsal")).toBeNull();
    expect(asApi("crun")).toBe("crun");
  });

  it("puts the API Rehearsal plays in play, and otherwise the provider itself", () => {
    expect(apiInPlay({ provider: "rehearsal", rehearsalPersonality: "anyfast" })).toBe("anyfast");
    expect(apiInPlay({ provider: "blockrun", rehearsalPersonality: "anyfast" })).toBe("blockrun");
    expect(apiInPlay({ provider: "rehearsal", rehearsalPersonality: null })).toBeNull();
  });

  it("reads the BytePlus family off the liveness kind", () => {
    const bytePlus = (Object.keys(API_CAPABILITIES) as ProviderApi[]).filter(
      (api) => API_CAPABILITIES[api].liveness === "bytePlusGroup",
    );
    expect(bytePlus.sort()).toEqual(["anyfast", "crun"]);
    for (const api of bytePlus) {
      expect(isBytePlus(api)).toBe(true);
    }
    expect(isBytePlus("blockrun")).toBe(false);
    expect(isBytePlus(null)).toBe(false);
  });
});
