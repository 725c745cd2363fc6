// Payments as the operator reads them: USDC amounts from atomic units (exact, on the string, no
// floats), shortened addresses, and the ledger's statuses in plain words.

import type { AccountCharge, BalanceReading, ChargeKind, EnrollmentFunds, PayeeRecord, PaymentRecord, PaymentStatus, ProviderKind } from "../ipc";
import { providerLabel } from "./format";

const USDC_DECIMALS = 6;

/**
 * USDC from atomic units (6 decimals), exactly: "10000" → "0.010000", "2500000" → "2.500000".
 * Returns null for anything that is not a plain non-negative integer string.
 */
export function formatUsdcAtomic(amountAtomic: string): string | null {
  const digits = amountAtomic.trim();
  if (!/^\d+$/.test(digits)) {
    return null;
  }
  const padded = digits.padStart(USDC_DECIMALS + 1, "0");
  const whole = padded.slice(0, -USDC_DECIMALS).replace(/^0+(?=\d)/, "");
  const fraction = padded.slice(-USDC_DECIMALS);
  return `${whole}.${fraction}`;
}

/** Atomic units from a string of digits, or null. */
function atomicOf(amountAtomic: string | bigint): bigint | null {
  if (typeof amountAtomic === "bigint") {
    return amountAtomic >= 0n ? amountAtomic : null;
  }
  const digits = amountAtomic.trim();
  return /^\d+$/.test(digits) ? BigInt(digits) : null;
}

/**
 * Dollars as a producer reads them: "$0.01", "$2.50", "$1,250.00". Digits below a cent are
 * shown only when they are not zero ("$0.78648"): that is the exact amount signed, and rounding
 * it would show a price that is not the one paid. Null for anything that is not an amount.
 */
export function formatUsd(amountAtomic: string | bigint): string | null {
  const atomic = atomicOf(amountAtomic);
  if (atomic === null) {
    return null;
  }
  const exact = formatUsdcAtomic(atomic.toString());
  if (exact === null) {
    return null;
  }
  const [whole = "0", fraction = ""] = exact.split(".");
  const cents = fraction.replace(/0+$/, "").padEnd(2, "0");
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${cents}`;
}

/**
 * Dollars typed in Settings ("20", "2.50", "$5") as atomic units, as the backend reads its caps
 * (`usd_to_atomic` in src/settings.rs); null when it does not read as dollars.
 */
export function usdToAtomic(text: string): bigint | null {
  const m = /^\$*(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (m === null) {
    return null;
  }
  const whole = m[1] ?? "";
  const fraction = m[2] ?? "";
  if ((whole === "" && fraction === "") || fraction.length > USDC_DECIMALS) {
    return null;
  }
  return BigInt(whole === "" ? "0" : whole) * 10n ** BigInt(USDC_DECIMALS) + BigInt(fraction.padEnd(USDC_DECIMALS, "0"));
}

/** The confirm panel's first line, the app's own words: "Enroll Ada Lovelace's face · BlockRun · $0.01". */
export function paymentSentence(what: string, provider: ProviderKind, amountAtomic: string): string {
  const amount = formatUsd(amountAtomic);
  return [what, providerLabel(provider), ...(amount === null ? [] : [amount])].join(" · ");
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What counts against the daily cap now, as the core counts it (`spent_since(now - 24 h)` in
 * src/library/payments.rs): the last 24 hours' payments that may have left, signed or settled,
 * whatever the provider. A refused or uncharged one does not count.
 */
export function spentToday(payments: readonly Pick<PaymentRecord, "amountAtomic" | "status" | "createdAtMs">[], nowMs: number): bigint {
  let total = 0n;
  for (const p of payments) {
    const atomic = atomicOf(p.amountAtomic);
    if (atomic !== null && p.createdAtMs >= nowMs - DAY_MS && (p.status === "signed" || p.status === "settled")) {
      total += atomic;
    }
  }
  return total;
}

export interface TodayLine {
  /** "Today: $3.21 of your $20.00 limit, $3.22 with this payment". */
  text: string;
  /** This payment would pass the daily cap: the core will refuse it. */
  over: boolean;
}

/** Today's spending against the daily cap, with the payment about to be made, in a line. */
export function todayLine(spent: bigint, dailyCapText: string, paymentAtomic: string | null): TodayLine | null {
  const cap = usdToAtomic(dailyCapText);
  if (cap === null) {
    return null;
  }
  const payment = paymentAtomic === null ? null : atomicOf(paymentAtomic);
  const spentText = `Today: ${formatUsd(spent) ?? ""} of your ${formatUsd(cap) ?? ""} daily limit`;
  if (payment === null) {
    return { text: `${spentText}.`, over: spent > cap };
  }
  const after = spent + payment;
  return after > cap
    ? { text: `${spentText}. This payment would bring it to ${formatUsd(after) ?? ""}, over the limit: it will be refused.`, over: true }
    : { text: `${spentText}; ${formatUsd(after) ?? ""} with this payment.`, over: false };
}

export interface WalletLine {
  /** "From the studio wallet: $19.99 → $19.98 after this payment". */
  text: string;
  /** The wallet holds less than the payment: the seller will refuse it. */
  short: boolean;
  /** Why the balance is not known (the node's words), for the line's title. */
  why: string | null;
}

/** The studio wallet before and after a payment, in plain money; null without a studio wallet. */
export function walletLine(reading: BalanceReading | null, paymentAtomic: string): WalletLine | null {
  if (reading === null || reading.state === "no_wallet") {
    return null;
  }
  if (reading.state === "unknown") {
    return { text: "From the studio wallet (its balance could not be read just now).", short: false, why: reading.reason };
  }
  const before = atomicOf(reading.atomic);
  const payment = atomicOf(paymentAtomic);
  if (before === null || payment === null) {
    return null;
  }
  if (payment > before) {
    return {
      text: `From the studio wallet: it holds ${formatUsd(before) ?? ""}, less than this payment. Add funds first, or it will be refused.`,
      short: true,
      why: null,
    };
  }
  return { text: `From the studio wallet: ${formatUsd(before) ?? ""} → ${formatUsd(before - payment) ?? ""} after this payment.`, short: false, why: null };
}

/**
 * "To" on the confirm panel: the payee by the provider's name and what the studio's ledger knows
 * of its address, never the bare address (that sits behind Details). `when` formats the last
 * payment's date.
 */
export function payeeLine(payee: PayeeRecord | null, provider: ProviderKind, when: (ms: number) => string): string {
  const name = providerLabel(provider);
  if (payee === null) {
    return `To: ${name}`;
  }
  if (payee.timesPaid > 0) {
    const times = payee.timesPaid === 1 ? "once" : `${payee.timesPaid} times`;
    const last = payee.lastPaidMs === null ? "" : `, last on ${when(payee.lastPaidMs)}`;
    return `To: ${name}, at the address this studio has paid ${times} before${last}`;
  }
  return payee.changed ? `To: ${name}, at an address this studio has never paid` : `To: ${name} (the studio's first payment to ${name})`;
}

export interface FundsLine {
  /** What the session form says before the talent is called over. */
  text: string;
  /** The enrollment would be refused (the wallet or a cap): said as a warning, with a way to Settings. */
  warn: boolean;
}

/**
 * One enrollment's documented price against the studio wallet and the caps, said on the session
 * form before anything starts; null when the provider bills its account or nothing is known yet.
 */
export function fundsLine(funds: EnrollmentFunds | null, provider: ProviderKind): FundsLine | null {
  if (funds === null || funds.state === "not_from_wallet") {
    return null;
  }
  const price = formatUsd(funds.priceAtomic) ?? "";
  const costs = `Enrolling costs about ${price} on ${providerLabel(provider)}`;
  switch (funds.state) {
    case "enough":
      return { text: `${costs}; the studio wallet holds ${formatUsd(funds.balanceAtomic) ?? ""}.`, warn: false };
    case "short":
      return {
        text: `The studio wallet holds ${formatUsd(funds.balanceAtomic) ?? ""}, less than enrolling costs (about ${price} on ${providerLabel(provider)}). Add funds to it before calling the talent over, or the payment will be refused.`,
        warn: true,
      };
    case "over_limit":
      return {
        text:
          funds.cap === "daily"
            ? `${costs}, which would pass today's daily limit. Raise the limit in Settings before calling the talent over, or the payment will be refused.`
            : `${costs}, above the per-payment limit. Raise the limit in Settings before calling the talent over, or the payment will be refused.`,
        warn: true,
      };
    case "unknown":
      return { text: `${costs}. The studio wallet's balance could not be read just now; the provider checks it when you pay.`, warn: false };
  }
}

/** An address or hash shortened for a table: "0x9F8e…5432". Short values are left whole. */
export function shortHex(value: string, head = 6, tail = 4): string {
  if (value.length <= head + tail + 1) {
    return value;
  }
  return `${value.slice(0, head)}…${value.slice(-tail)}`;
}

const STATUS_LABELS: Record<PaymentStatus, string> = {
  signed: "Sent — outcome pending",
  settled: "Settled",
  not_charged: "Not charged",
  rejected: "Rejected",
};

export function paymentStatusLabel(status: PaymentStatus): string {
  return STATUS_LABELS[status];
}

const NETWORK_LABELS: Readonly<Record<string, string>> = {
  "base": "Base",
  "base-sepolia": "Base Sepolia (test)",
  "eip155:8453": "Base",
  "eip155:84532": "Base Sepolia (test)",
};

/** The ledger's network name as the operator knows it; unknown names are shown as stored. */
export function networkName(network: string): string {
  return Object.prototype.hasOwnProperty.call(NETWORK_LABELS, network) ? (NETWORK_LABELS[network] ?? network) : network;
}

/**
 * What a payment bought, from the ledger's purpose key ("realface:ses_…", "portrait:Name|url",
 * "video:vid_…"), which exists to tell retries apart and is kept whole for the CSV and the tooltip.
 * Unknown keys are shown as stored.
 */
export function paymentPurposeLabel(purpose: string): string {
  const colon = purpose.indexOf(":");
  const kind = colon < 0 ? purpose : purpose.slice(0, colon);
  const rest = colon < 0 ? "" : purpose.slice(colon + 1);
  switch (kind) {
    case "realface":
      return "Real person enrolled";
    case "portrait": {
      const bar = rest.lastIndexOf("|");
      const name = (bar < 0 ? rest : rest.slice(0, bar)).trim();
      return name === "" ? "AI character enrolled" : `AI character enrolled: ${name}`;
    }
    case "video":
      return "Video made";
    default:
      return purpose;
  }
}

const CHARGE_LABELS: Record<ChargeKind, string> = {
  face: "Enrollment",
  video_clip: "Video clip filed",
  voice_clip: "Voice clip filed",
  video: "Video",
};

/** What an account was billed for, in words: "Enrollment", "Video". */
export function chargeKindLabel(kind: ChargeKind): string {
  return CHARGE_LABELS[kind];
}

/** The amount of an account's charge: what the provider reported, else that the account was billed. */
export function chargeAmount(charge: AccountCharge): string {
  if (charge.provider === "rehearsal") {
    return "nothing (rehearsal)";
  }
  return charge.reportedUsd === null ? `billed to your ${providerLabel(charge.provider)} account` : `$${charge.reportedUsd}`;
}
