import { describe, expect, it } from "vitest";
import { formatUsdcAtomic, networkName, paymentPurposeLabel, paymentStatusLabel, shortHex } from "./payments";

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
    expect(paymentPurposeLabel("realface:ses_6d26f6ddf6d3ddd4")).toBe("Real face enrollment");
    expect(paymentPurposeLabel("portrait:Robo Presenter|https://example.com/a.jpg")).toBe("Portrait enrollment: Robo Presenter");
    expect(paymentPurposeLabel("portrait:A|B|https://example.com/a.jpg")).toBe("Portrait enrollment: A|B");
    expect(paymentPurposeLabel("portrait:|https://example.com/a.jpg")).toBe("Portrait enrollment");
    expect(paymentPurposeLabel("video:vid_0123")).toBe("Video generation");
  });

  it("shows unknown keys as stored", () => {
    expect(paymentPurposeLabel("top-up:42")).toBe("top-up:42");
    expect(paymentPurposeLabel("")).toBe("");
  });
});
