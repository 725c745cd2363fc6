// Today's spending and the daily cap, for the confirm panels (Session, AI character, Generate):
// the ledger (`listPayments`) and the cap as set (`getSettings`), read again each time a price
// is shown and after every payment. The sum itself is lib/payments.ts's `spentToday`, the same
// rule the core applies before it signs.

import { commands, type PaymentRecord, type Settings } from "../ipc";
import { LatestLoad } from "../lib/latest-load.svelte";
import { spentToday, todayLine, type TodayLine } from "../lib/payments";

export class Spend {
  readonly #payments: LatestLoad<PaymentRecord[]>;
  readonly #settings: LatestLoad<Settings>;

  constructor(
    payments: () => Promise<PaymentRecord[]> = () => commands.listPayments(),
    settings: () => Promise<Settings> = () => commands.getSettings(),
  ) {
    this.#payments = new LatestLoad(payments);
    this.#settings = new LatestLoad(settings);
  }

  async refresh(): Promise<void> {
    await Promise.all([this.#payments.load(), this.#settings.load()]);
  }

  /** Where today stands with a payment of `amountAtomic`; null until both are known. */
  line(amountAtomic: string | null, nowMs: number = Date.now()): TodayLine | null {
    const payments = this.#payments.value;
    const settings = this.#settings.value;
    return payments === null || settings === null ? null : todayLine(spentToday(payments, nowMs), settings.dailyCapUsd, amountAtomic);
  }
}

export const spend = new Spend();
