// Settings → Go live: what stands between a studio rehearsing and paying a real provider, as a
// checklist the producer can read, derived from what the app already knows (no new state).

import type { Settings, StageInfo } from "../ipc";
import { providerLabel } from "./format";
import { isKeyOnly } from "./settings-form";

export interface GoLiveItem {
  id: "provider" | "payment" | "limits" | "operator";
  text: string;
  done: boolean;
  /** What to do, while not done. */
  todo: string | null;
}

export function goLiveChecklist(settings: Settings, stage: StageInfo, hasStudioWallet: boolean): GoLiveItem[] {
  const live = stage.provider !== "rehearsal";
  const name = live ? providerLabel(stage.provider) : "a provider";
  const keyPaid = live && (isKeyOnly(stage.provider) || stage.paymentMethod === "api_key");
  const paymentReady = live && (keyPaid ? stage.hasApiKey : hasStudioWallet);
  return [
    {
      id: "provider",
      text: live ? `Provider: ${name}` : "Choose the provider the studio pays",
      done: live,
      todo: live ? null : "Pick it under “Where enrollments go”: Rehearsal is test money only.",
    },
    {
      id: "payment",
      text: keyPaid ? `${name}'s API key is saved` : "The studio wallet is set up",
      done: paymentReady,
      todo: paymentReady
        ? null
        : keyPaid
          ? "Paste the key from the provider's dashboard."
          : "Create or import the studio wallet below, and fund it before the first session.",
    },
    {
      id: "limits",
      text: keyPaid
        ? `Billed to your ${name} account (no limits to set here)`
        : `Limits: $${settings.perPaymentCapUsd} a payment, $${settings.dailyCapUsd} a day`,
      done: true,
      todo: null,
    },
    {
      id: "operator",
      text: settings.operatorName.trim() === "" ? "Who runs this desk" : `Operator: ${settings.operatorName.trim()}`,
      done: settings.operatorName.trim() !== "",
      todo: settings.operatorName.trim() === "" ? "Type the operator's name: every consent record names them." : null,
    },
  ];
}
