// The studio wallet card in Settings: which inline panel is open, and where an error shows.
//
// The exported private key lives only in a `WalletPanel` of kind "key_shown", held in the card
// component's local state. Every other panel drops it: leaving "key_shown" for any reason (Hide,
// another action, the wallet changing) forgets the key. Never put a panel into a store or a log.

import type { CommandError, ProviderKind } from "../ipc";
import { providerLabel } from "./format";

/** `CommandError.field` for a malformed or refused wallet key (src/wallet.rs `FIELD`). */
export const WALLET_KEY_FIELD = "wallet_key";

export type WalletPanel =
  | { kind: "closed" }
  /** Asking before the key is shown; `understood` is the "anyone can spend it" tick. */
  | { kind: "confirm_export"; understood: boolean }
  /** The key, on screen until Hide. */
  | { kind: "key_shown"; key: string }
  /** Asking before the key is deleted from the keychain. */
  | { kind: "confirm_delete" };

export type WalletPanelEvent =
  | { type: "ask_export" }
  | { type: "tick"; understood: boolean }
  | { type: "exported"; key: string }
  | { type: "ask_delete" }
  /** Cancel, Hide, a finished delete, or the wallet changing under the card. */
  | { type: "close" };

export const CLOSED: WalletPanel = { kind: "closed" };

export function walletPanel(panel: WalletPanel, event: WalletPanelEvent): WalletPanel {
  switch (event.type) {
    case "ask_export":
      return { kind: "confirm_export", understood: false };
    case "tick":
      return panel.kind === "confirm_export" ? { kind: "confirm_export", understood: event.understood } : panel;
    case "exported":
      // Only an export the operator ticked for may show a key; anything else is dropped.
      return panel.kind === "confirm_export" && panel.understood && event.key !== ""
        ? { kind: "key_shown", key: event.key }
        : CLOSED;
    case "ask_delete":
      return { kind: "confirm_delete" };
    case "close":
      return CLOSED;
  }
}

/** The key to show, if the panel shows one. */
export function shownKey(panel: WalletPanel): string | null {
  return panel.kind === "key_shown" ? panel.key : null;
}

/**
 * Whether a wallet action's error belongs in the card (`#wallet-error`) or in the window's
 * banner. The card takes what the operator can act on there: a refused key (malformed, or a
 * wallet already stored), an unconfirmed export, the keychain, or a wallet that is gone.
 */
export function walletErrorInCard(error: CommandError): boolean {
  return (
    error.field === WALLET_KEY_FIELD ||
    error.code === "invalid_input" ||
    error.code === "keychain" ||
    error.code === "not_found"
  );
}

export const EMPTY_KEY_MESSAGE = "Paste the wallet's private key (64 hexadecimal characters, with or without 0x).";

/**
 * What to say before sending a pasted key, or null to send it. Only emptiness is checked here:
 * the backend parses the key and says what is wrong with it.
 */
export function importKeyProblem(text: string): string | null {
  return text.trim() === "" ? EMPTY_KEY_MESSAGE : null;
}

/** The explorer's network, read from its link: Basescan for Base, sepolia.basescan for the test net. */
export function explorerNetwork(explorerUrl: string): "Base" | "Base Sepolia" | null {
  let host: string;
  try {
    host = new URL(explorerUrl).hostname;
  } catch {
    return null;
  }
  if (host === "basescan.org") {
    return "Base";
  }
  if (host === "sepolia.basescan.org") {
    return "Base Sepolia";
  }
  return null;
}

/**
 * Said on the card when the provider chosen in Settings never uses the studio wallet: Anyfast and
 * Crun bill the account behind their API key (no x402), so the wallet pays nothing there.
 */
export function walletNotUsedNote(provider: ProviderKind | null): string | null {
  if (provider !== "anyfast" && provider !== "crun") {
    return null;
  }
  const name = providerLabel(provider);
  return `${name} does not use the studio wallet: it bills your ${name} account through its API key. The wallet pays BlockRun and JarvisClaw, over x402.`;
}
