// Payments as the operator reads them: USDC amounts from atomic units (exact, on the string, no
// floats), shortened addresses, and the ledger's statuses in plain words.

import type { PaymentStatus } from "../ipc";

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
      return "Real face enrollment";
    case "portrait": {
      const bar = rest.lastIndexOf("|");
      const name = (bar < 0 ? rest : rest.slice(0, bar)).trim();
      return name === "" ? "Portrait enrollment" : `Portrait enrollment: ${name}`;
    }
    case "video":
      return "Video generation";
    default:
      return purpose;
  }
}
