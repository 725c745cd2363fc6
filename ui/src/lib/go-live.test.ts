import { describe, expect, it } from "vitest";
import type { Settings, StageInfo } from "../ipc";
import { goLiveChecklist } from "./go-live";

const settings = (s: Partial<Settings> = {}): Settings =>
  ({ perPaymentCapUsd: "2", dailyCapUsd: "20", operatorName: "", ...s }) as Settings;
const stage = (s: Partial<StageInfo> = {}): StageInfo =>
  ({ provider: "rehearsal", paymentMethod: "wallet", hasApiKey: true, ...s }) as StageInfo;

describe("goLiveChecklist", () => {
  it("on Rehearsal, says a provider and a name are still to choose", () => {
    const items = goLiveChecklist(settings(), stage(), false);
    expect(items.filter((i) => !i.done).map((i) => i.id)).toEqual(["provider", "payment", "operator"]);
    expect(items.find((i) => i.id === "provider")?.todo).toContain("test money");
  });

  it("on a wallet-paid provider, wants the studio wallet, and shows the limits", () => {
    const items = goLiveChecklist(settings({ operatorName: "Lin Okafor" }), stage({ provider: "blockrun" }), false);
    expect(items.find((i) => i.id === "payment")).toMatchObject({ done: false, text: "The studio wallet is set up" });
    expect(items.find((i) => i.id === "limits")?.text).toBe("Limits: $2 a payment, $20 a day");
    expect(goLiveChecklist(settings({ operatorName: "Lin" }), stage({ provider: "blockrun" }), true).every((i) => i.done)).toBe(true);
  });

  it("on a key-paid provider, wants its key and says it bills the account", () => {
    const items = goLiveChecklist(settings({ operatorName: "Lin" }), stage({ provider: "anyfast", paymentMethod: "api_key", hasApiKey: false }), false);
    expect(items.find((i) => i.id === "payment")).toMatchObject({ done: false, text: "Anyfast's API key is saved" });
    expect(items.find((i) => i.id === "limits")?.text).toContain("Billed to your Anyfast account");
  });
});
