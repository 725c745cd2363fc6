import { describe, expect, it } from "vitest";
import type { PaymentStatus } from "../ipc";
import { formatUsd, formatUsdcAtomic, networkName, paymentPurposeLabel, paymentSentence, paymentStatusLabel, shortHex, spentToday, todayLine, usdToAtomic, walletLine, chargeAmount, chargeKindLabel, fundsLine, payeeLine } from "./payments";

describe("formatUsdcAtomic", () => {
  it("shows six decimals exactly", () => {
    expect(formatUsdcAtomic("10000")).toBe("0.010000");
    expect(formatUsdcAtomic("1")).toBe("0.000001");
    expect(formatUsdcAtomic("0")).toBe("0.000000");
    expect(formatUsdcAtomic("1000000")).toBe("1.000000");
    expect(formatUsdcAtomic("2500000")).toBe("2.500000");
    expect(formatUsdcAtomic("123456789")).toBe("123.456789");
  });

  it("keeps amounts beyond float precision exact", () => {
    expect(formatUsdcAtomic("90071992547409931234567")).toBe("90071992547409931.234567");
  });

  it("drops leading zeros of the whole part", () => {
    expect(formatUsdcAtomic("000010000")).toBe("0.010000");
    expect(formatUsdcAtomic("0012000000")).toBe("12.000000");
  });

  it("refuses anything that is not a plain integer", () => {
    for (const bad of ["", "-1", "1.5", "1e6", "0x10", "abc", " "]) {
      expect(formatUsdcAtomic(bad)).toBeNull();
    }
  });
});

describe("shortHex", () => {
  it("keeps the head and tail", () => {
    expect(shortHex("0x9F8e7D6c5B4a39281706F5e4D3c2B1a098765432")).toBe("0x9F8e…5432");
    expect(shortHex("0xabc")).toBe("0xabc");
  });
});

describe("paymentStatusLabel", () => {
  it("says what each status means", () => {
    expect(paymentStatusLabel("signed")).toBe("Sent — outcome pending");
    expect(paymentStatusLabel("not_charged")).toBe("Not charged");
    expect(paymentStatusLabel("settled")).toBe("Settled");
    expect(paymentStatusLabel("rejected")).toBe("Rejected");
  });
});

describe("networkName", () => {
  it("names the pinned networks and leaves others as stored", () => {
    expect(networkName("base")).toBe("Base");
    expect(networkName("base-sepolia")).toBe("Base Sepolia (test)");
    expect(networkName("toString")).toBe("toString");
    expect(networkName("polygon")).toBe("polygon");
  });
});

describe("paymentPurposeLabel", () => {
  it("says what each ledger key bought", () => {
    expect(paymentPurposeLabel("realface:ses_6d26f6ddf6d3ddd4")).toBe("Real person enrolled");
    expect(paymentPurposeLabel("portrait:Robo Presenter|https://example.com/a.jpg")).toBe("AI character enrolled: Robo Presenter");
    expect(paymentPurposeLabel("portrait:A|B|https://example.com/a.jpg")).toBe("AI character enrolled: A|B");
    expect(paymentPurposeLabel("portrait:|https://example.com/a.jpg")).toBe("AI character enrolled");
    expect(paymentPurposeLabel("video:vid_0123")).toBe("Video made");
  });

  it("shows unknown keys as stored", () => {
    expect(paymentPurposeLabel("top-up:42")).toBe("top-up:42");
    expect(paymentPurposeLabel("")).toBe("");
  });
});

describe("formatUsd", () => {
  it("shows cents, and digits below a cent only when they are not zero", () => {
    expect(formatUsd("10000")).toBe("$0.01");
    expect(formatUsd("2500000")).toBe("$2.50");
    expect(formatUsd("20000000")).toBe("$20.00");
    expect(formatUsd("786480")).toBe("$0.78648");
    expect(formatUsd("1")).toBe("$0.000001");
    expect(formatUsd("0")).toBe("$0.00");
    expect(formatUsd(1_250_000_000n)).toBe("$1,250.00");
  });

  it("refuses what is not an amount", () => {
    expect(formatUsd("-1")).toBeNull();
    expect(formatUsd("1.5")).toBeNull();
    expect(formatUsd(-5n)).toBeNull();
  });
});

describe("usdToAtomic", () => {
  it("reads dollars as the backend's caps do", () => {
    expect(usdToAtomic("20")).toBe(20_000_000n);
    expect(usdToAtomic("$2.50")).toBe(2_500_000n);
    expect(usdToAtomic(" .5 ")).toBe(500_000n);
    expect(usdToAtomic("0.000001")).toBe(1n);
  });

  it("refuses anything else", () => {
    for (const bad of ["", "$", ".", "2.5000001", "-2", "2e3", "two"]) {
      expect(usdToAtomic(bad)).toBeNull();
    }
  });
});

describe("paymentSentence", () => {
  it("leads with what is bought, who is paid and the amount", () => {
    expect(paymentSentence("Enroll Ada Lovelace's face", "blockrun", "10000")).toBe("Enroll Ada Lovelace's face · BlockRun · $0.01");
    expect(paymentSentence("Make a video of Ada", "rehearsal", "786480")).toBe("Make a video of Ada · Rehearsal · $0.78648");
  });
});

describe("spentToday and todayLine", () => {
  const NOW = 1_800_000_000_000;
  const row = (amountAtomic: string, status: PaymentStatus, hoursAgo: number) => ({ amountAtomic, status, createdAtMs: NOW - hoursAgo * 3_600_000 });

  it("counts the last 24 hours' signed and settled payments, as the core's cap does", () => {
    const rows = [row("10000", "settled", 1), row("2000000", "signed", 23.9), row("500000", "not_charged", 2), row("700000", "rejected", 2), row("3000000", "settled", 24.1)];
    expect(spentToday(rows, NOW)).toBe(2_010_000n);
    expect(spentToday([], NOW)).toBe(0n);
  });

  it("says where today stands, with this payment", () => {
    expect(todayLine(3_210_000n, "20", "10000")).toEqual({ text: "Today: $3.21 of your $20.00 daily limit; $3.22 with this payment.", over: false });
    expect(todayLine(0n, "20", null)).toEqual({ text: "Today: $0.00 of your $20.00 daily limit.", over: false });
  });

  it("warns before Pay when the payment would pass the limit", () => {
    const line = todayLine(19_995_000n, "20", "10000");
    expect(line?.over).toBe(true);
    expect(line?.text).toContain("$20.005, over the limit: it will be refused.");
    // Exactly at the limit is allowed, as in the core.
    expect(todayLine(19_990_000n, "20", "10000")?.over).toBe(false);
  });

  it("says nothing when the cap does not read as dollars", () => {
    expect(todayLine(0n, "lots", "10000")).toBeNull();
  });
});

describe("walletLine", () => {
  const known = (atomic: string) => ({ state: "known" as const, network: "base-sepolia" as const, address: "0xf39F", atomic, readAtMs: 0 });

  it("shows the wallet before and after the payment in cents", () => {
    expect(walletLine(known("19990000"), "10000")).toEqual({ text: "From the studio wallet: $19.99 → $19.98 after this payment.", short: false, why: null });
  });

  it("says plainly when the wallet holds less than the payment", () => {
    const line = walletLine(known("5000"), "10000");
    expect(line?.short).toBe(true);
    expect(line?.text).toContain("holds $0.005, less than this payment");
  });

  it("keeps the node's reason for an unknown balance, and shows nothing without a wallet", () => {
    const unknown = { state: "unknown" as const, network: "base" as const, address: "0xf39F", reason: "The wallet's balance could not be read from https://mainnet.base.org/: timed out." };
    expect(walletLine(unknown, "10000")).toEqual({
      text: "From the studio wallet (its balance could not be read just now).",
      short: false,
      why: unknown.reason,
    });
    expect(walletLine({ state: "no_wallet" }, "10000")).toBeNull();
    expect(walletLine(null, "10000")).toBeNull();
    expect(walletLine(known("abc"), "10000")).toBeNull();
  });
});

describe("account charges in words", () => {
  const charge = { atMs: 0, provider: "anyfast" as const, kind: "video" as const, name: "Ada", reportedUsd: null, reference: "cgt-1", operator: "" };

  it("names what was billed and says the account was billed when no price was reported", () => {
    expect(chargeKindLabel("voice_clip")).toBe("Voice clip filed");
    expect(chargeAmount(charge)).toBe("billed to your Anyfast account");
    expect(chargeAmount({ ...charge, reportedUsd: "0.05" })).toBe("$0.05");
    expect(chargeAmount({ ...charge, provider: "rehearsal" })).toBe("nothing (rehearsal)");
  });
});

describe("fundsLine", () => {
  it("says nothing for an account-billed provider or before the answer", () => {
    expect(fundsLine({ state: "not_from_wallet" }, "anyfast")).toBeNull();
    expect(fundsLine(null, "blockrun")).toBeNull();
  });

  it("says the price and the balance quietly when the wallet covers it", () => {
    expect(fundsLine({ state: "enough", priceAtomic: "11000", balanceAtomic: "20000000" }, "blockrun")).toEqual({
      text: "Enrolling costs about $0.011 on BlockRun; the studio wallet holds $20.00.",
      warn: false,
    });
  });

  it("warns before the talent is called over when the wallet is short", () => {
    const line = fundsLine({ state: "short", priceAtomic: "11000", balanceAtomic: "5000" }, "blockrun");
    expect(line?.warn).toBe(true);
    expect(line?.text).toContain("holds $0.005, less than enrolling costs (about $0.011 on BlockRun)");
  });

  it("names the cap a price would pass", () => {
    expect(fundsLine({ state: "over_limit", priceAtomic: "11000", cap: "daily" }, "blockrun")?.text).toContain("today's daily limit");
    expect(fundsLine({ state: "over_limit", priceAtomic: "11000", cap: "per_payment" }, "blockrun")?.text).toContain("per-payment limit");
  });

  it("does not warn when the balance cannot be read", () => {
    expect(fundsLine({ state: "unknown", priceAtomic: "11000", reason: "no answer" }, "blockrun")?.warn).toBe(false);
  });
});

describe("payeeLine", () => {
  const when = (ms: number) => `day ${ms}`;
  const record = { provider: "blockrun" as const, address: "0x5245000000000000000000000000000000000402", lastPaidMs: null, changed: false };

  it("names a known payee by the provider and the studio's own history with it", () => {
    expect(payeeLine({ ...record, timesPaid: 3, lastPaidMs: 7 }, "blockrun", when)).toBe(
      "To: BlockRun, at the address this studio has paid 3 times before, last on day 7",
    );
    expect(payeeLine({ ...record, timesPaid: 1, lastPaidMs: 7 }, "blockrun", when)).toContain("paid once before");
  });

  it("says a first payment and a new address apart", () => {
    expect(payeeLine({ ...record, timesPaid: 0 }, "blockrun", when)).toBe("To: BlockRun (the studio's first payment to BlockRun)");
    expect(payeeLine({ ...record, timesPaid: 0, changed: true }, "blockrun", when)).toBe("To: BlockRun, at an address this studio has never paid");
  });

  it("names the provider while the ledger is being read", () => {
    expect(payeeLine(null, "jarvisclaw", when)).toBe("To: JarvisClaw");
  });
});
