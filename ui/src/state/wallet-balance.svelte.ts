// The studio wallet's balance for the confirm panels, read afresh (from the chain, by the backend)
// each time a price is shown and after every payment; the line itself is lib/payments.ts's
// `walletLine`.

import { commands, type BalanceReading, type Network } from "../ipc";
import { LatestLoad } from "../lib/latest-load.svelte";
import { walletLine, type WalletLine } from "../lib/payments";

export class WalletBalance {
  readonly #reading: LatestLoad<BalanceReading>;
  #network: Network | null = null;

  constructor(read: (network: Network | null) => Promise<BalanceReading> = (n) => commands.getWalletBalance(n)) {
    this.#reading = new LatestLoad(() => read(this.#network));
  }

  async refresh(network: Network | null): Promise<void> {
    this.#network = network;
    await this.#reading.load();
  }

  line(amountAtomic: string): WalletLine | null {
    return walletLine(this.#reading.value, amountAtomic);
  }
}

export const walletBalance = new WalletBalance();
