import { describe, expect, it } from "vitest";
import type { PaymentRecord, Settings } from "../ipc";
import { Spend } from "./spend.svelte";

const NOW = 1_800_000_000_000;
const payment = (amountAtomic: string, status: PaymentRecord["status"], createdAtMs: number) => ({ amountAtomic, status, createdAtMs }) as PaymentRecord;

describe("Spend", () => {
  it("says nothing until the ledger and the cap are loaded, then reads today's line", async () => {
    const spend = new Spend(
      () => Promise.resolve([payment("3210000", "settled", NOW - 1000), payment("9000000", "settled", NOW - 90_000_000)]),
      () => Promise.resolve({ dailyCapUsd: "20" } as Settings),
    );
    expect(spend.line("10000", NOW)).toBeNull();
    await spend.refresh();
    expect(spend.line("10000", NOW)?.text).toBe("Today: $3.21 of your $20.00 daily limit; $3.22 with this payment.");
  });

  it("stays silent when a load fails", async () => {
    const spend = new Spend(
      () => Promise.reject(new Error("no ledger")),
      () => Promise.resolve({ dailyCapUsd: "20" } as Settings),
    );
    await spend.refresh();
    expect(spend.line("10000", NOW)).toBeNull();
  });
});
