import { describe, expect, it } from "vitest";
import type { CommandError } from "../ipc";
import {
  CLOSED,
  EMPTY_KEY_MESSAGE,
  explorerNetwork,
  importKeyProblem,
  shownKey,
  walletErrorInCard,
  walletNotUsedNote,
  walletPanel,
  type WalletPanel,
} from "./studio-wallet";

const KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

describe("walletPanel", () => {
  it("shows the key only after the tick and an export", () => {
    let p: WalletPanel = walletPanel(CLOSED, { type: "ask_export" });
    expect(p).toEqual({ kind: "confirm_export", understood: false });
    p = walletPanel(p, { type: "tick", understood: true });
    p = walletPanel(p, { type: "exported", key: KEY });
    expect(p).toEqual({ kind: "key_shown", key: KEY });
    expect(shownKey(p)).toBe(KEY);
  });

  it("drops a key that arrives without the tick, or outside the confirmation", () => {
    const unticked = walletPanel(CLOSED, { type: "ask_export" });
    expect(walletPanel(unticked, { type: "exported", key: KEY })).toEqual(CLOSED);
    expect(walletPanel(CLOSED, { type: "exported", key: KEY })).toEqual(CLOSED);
    expect(walletPanel({ kind: "confirm_delete" }, { type: "exported", key: KEY })).toEqual(CLOSED);
    expect(walletPanel({ kind: "confirm_export", understood: true }, { type: "exported", key: "" })).toEqual(CLOSED);
  });

  it("forgets the key on Hide and on any other action", () => {
    const shown: WalletPanel = { kind: "key_shown", key: KEY };
    for (const next of [
      walletPanel(shown, { type: "close" }),
      walletPanel(shown, { type: "ask_delete" }),
      walletPanel(shown, { type: "ask_export" }),
    ]) {
      expect(shownKey(next)).toBeNull();
      expect(JSON.stringify(next)).not.toContain(KEY.slice(2));
    }
  });

  it("asks again from scratch: the tick is not remembered", () => {
    let p = walletPanel(CLOSED, { type: "ask_export" });
    p = walletPanel(p, { type: "tick", understood: true });
    p = walletPanel(p, { type: "close" });
    expect(walletPanel(p, { type: "ask_export" })).toEqual({ kind: "confirm_export", understood: false });
  });

  it("ignores a tick outside the export confirmation", () => {
    const del: WalletPanel = { kind: "confirm_delete" };
    expect(walletPanel(del, { type: "tick", understood: true })).toBe(del);
    expect(walletPanel(CLOSED, { type: "tick", understood: true })).toBe(CLOSED);
  });
});

describe("walletErrorInCard", () => {
  const e = (code: CommandError["code"], field: string | null = null): CommandError => ({ code, message: "m", field });

  it("keeps key, confirmation, keychain and missing-wallet errors in the card", () => {
    expect(walletErrorInCard(e("invalid_input", "wallet_key"))).toBe(true);
    expect(walletErrorInCard(e("invalid_input"))).toBe(true);
    expect(walletErrorInCard(e("keychain"))).toBe(true);
    expect(walletErrorInCard(e("not_found"))).toBe(true);
  });

  it("sends anything else to the banner", () => {
    expect(walletErrorInCard(e("internal"))).toBe(false);
    expect(walletErrorInCard(e("storage"))).toBe(false);
    expect(walletErrorInCard(e("network"))).toBe(false);
  });
});

describe("importKeyProblem", () => {
  it("asks for a key when the field is empty", () => {
    expect(importKeyProblem("")).toBe(EMPTY_KEY_MESSAGE);
    expect(importKeyProblem("  \n\t")).toBe(EMPTY_KEY_MESSAGE);
  });

  it("leaves every other check to the backend", () => {
    expect(importKeyProblem(KEY)).toBeNull();
    expect(importKeyProblem("not hex at all")).toBeNull();
  });
});

describe("explorerNetwork", () => {
  it("reads the network from the explorer's host", () => {
    expect(explorerNetwork("https://basescan.org/address/0x71C7656EC7ab88b098defB751B7401B5f6d8976F")).toBe("Base");
    expect(explorerNetwork("https://sepolia.basescan.org/address/0x71C7656EC7ab88b098defB751B7401B5f6d8976F")).toBe("Base Sepolia");
  });

  it("knows nothing of other hosts or of text that is not a URL", () => {
    expect(explorerNetwork("https://basescan.org.evil.example/address/0x1")).toBeNull();
    expect(explorerNetwork("https://etherscan.io/address/0x1")).toBeNull();
    expect(explorerNetwork("basescan.org/address/0x1")).toBeNull();
    expect(explorerNetwork("")).toBeNull();
  });
});

describe("walletNotUsedNote", () => {
  it("says the wallet does not pay Anyfast or Crun, and nothing for the others", () => {
    expect(walletNotUsedNote("anyfast")).toBe(
      "Anyfast does not use the studio wallet: it bills your Anyfast account through its API key. The wallet pays BlockRun and JarvisClaw, over x402.",
    );
    expect(walletNotUsedNote("crun")).toContain("Crun does not use the studio wallet");
    for (const provider of ["rehearsal", "blockrun", "jarvisclaw", null] as const) {
      expect(walletNotUsedNote(provider)).toBeNull();
    }
  });
});
