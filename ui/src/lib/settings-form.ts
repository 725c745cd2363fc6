// The Settings form: what the operator typed, checked the way the backend checks it
// (`Settings::validate` in src/settings.rs), and turned into the command's input.

import type { PaymentMethod, ProviderKind, Settings, SettingsInput, StageInfo } from "../ipc";

export type X402Version = 1 | 2;

export interface SettingsForm {
  provider: ProviderKind;
  rehearsalHost: string;
  rehearsalPort: string;
  baseUrl: string;
  paymentMethod: PaymentMethod;
  rehearsalX402Version: X402Version;
  perPaymentCapUsd: string;
  dailyCapUsd: string;
}

/** Backend field names, as `CommandError.field` carries them. */
export type SettingsField =
  | "rehearsal_host"
  | "rehearsal_port"
  | "base_url"
  | "rehearsal_x402_version"
  | "per_payment_cap_usd"
  | "daily_cap_usd";

const SETTINGS_FIELDS: ReadonlySet<string> = new Set<SettingsField>([
  "rehearsal_host",
  "rehearsal_port",
  "base_url",
  "rehearsal_x402_version",
  "per_payment_cap_usd",
  "daily_cap_usd",
]);

export function isSettingsField(field: string | null): field is SettingsField {
  return field !== null && SETTINGS_FIELDS.has(field);
}

export const DEFAULT_PER_PAYMENT_CAP_USD = "2";
export const DEFAULT_DAILY_CAP_USD = "20";

export const CAP_MESSAGE = "Type dollars, like 2 or 2.50 (up to 6 decimals).";

/**
 * Whether a cap reads as dollars the way the backend parses it (`usd_to_atomic` in
 * src/settings.rs): optional leading "$", digits, an optional "." and at most 6 decimals; no
 * sign, no exponent, not empty.
 */
export function isDollarAmount(text: string): boolean {
  const m = /^\$*(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (m === null) {
    return false;
  }
  const whole = m[1] ?? "";
  const fraction = m[2] ?? "";
  return (whole !== "" || fraction !== "") && fraction.length <= 6;
}

export type ParsedSettings =
  | { ok: true; value: SettingsInput }
  | { ok: false; errors: Partial<Record<SettingsField, string>> };

export function formFromSettings(s: Settings): SettingsForm {
  return {
    provider: s.provider,
    rehearsalHost: s.rehearsalHost ?? "",
    rehearsalPort: String(s.rehearsalPort),
    baseUrl: s.baseUrl ?? "",
    paymentMethod: s.paymentMethod,
    rehearsalX402Version: s.rehearsalX402Version === 1 ? 1 : 2,
    perPaymentCapUsd: s.perPaymentCapUsd.trim() === "" ? DEFAULT_PER_PAYMENT_CAP_USD : s.perPaymentCapUsd,
    dailyCapUsd: s.dailyCapUsd.trim() === "" ? DEFAULT_DAILY_CAP_USD : s.dailyCapUsd,
  };
}

export function parseSettingsForm(form: SettingsForm): ParsedSettings {
  const errors: Partial<Record<SettingsField, string>> = {};
  const host = form.rehearsalHost.trim();
  if (host !== "" && /[/\s:]/.test(host)) {
    errors.rehearsal_host = "The phone address must be a plain IP or host name, like 192.168.1.20.";
  }
  const portText = form.rehearsalPort.trim();
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1024 && port <= 65535)) {
    errors.rehearsal_port = "Pick a port between 1024 and 65535.";
  }
  const base = form.baseUrl.trim();
  if (base !== "") {
    let scheme = "";
    try {
      scheme = new URL(base).protocol;
    } catch {
      errors.base_url = "The provider address must be a full link like http://192.168.1.20:8402/.";
    }
    if (errors.base_url === undefined && scheme !== "http:" && scheme !== "https:") {
      errors.base_url = "The provider address must start with http:// or https://.";
    }
  }
  const perPayment = form.perPaymentCapUsd.trim();
  if (!isDollarAmount(perPayment)) {
    errors.per_payment_cap_usd = CAP_MESSAGE;
  }
  const daily = form.dailyCapUsd.trim();
  if (!isDollarAmount(daily)) {
    errors.daily_cap_usd = CAP_MESSAGE;
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      provider: form.provider,
      rehearsalHost: host === "" ? null : host,
      rehearsalPort: port,
      baseUrl: base === "" ? null : base,
      paymentMethod: form.paymentMethod,
      rehearsalX402Version: form.rehearsalX402Version,
      perPaymentCapUsd: perPayment,
      dailyCapUsd: daily,
    },
  };
}

/**
 * Where phones reach the built-in Rehearsal server, e.g. "http://192.168.1.20:8402", or null
 * when it is not running in this app. The port is the one the backend actually bound
 * (`stage.rehearsalPort`), which differs from the setting when that port was busy.
 */
export function phoneAddress(stage: StageInfo): string | null {
  const { phoneHost, rehearsalPort } = stage;
  if (phoneHost === null || rehearsalPort === null) {
    return null;
  }
  const host = phoneHost.includes(":") ? `[${phoneHost}]` : phoneHost;
  return `http://${host}:${rehearsalPort}`;
}

/** Says so when Rehearsal had to listen on another port than the one set (it was busy). */
export function portMovedNote(stage: StageInfo, settings: Settings): string | null {
  if (stage.phoneHost === null || stage.rehearsalPort === null || stage.rehearsalPort === settings.rehearsalPort) {
    return null;
  }
  return `Port ${settings.rehearsalPort} was busy, so Rehearsal listens on ${stage.rehearsalPort} for now.`;
}
