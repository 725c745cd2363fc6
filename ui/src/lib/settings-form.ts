// The Settings form: what the operator typed, checked the way the backend checks it
// (`Settings::validate` in src/settings.rs), and turned into the command's input.

import type {
  CommandError,
  JarvisClawShape,
  PaymentMethod,
  ProviderKind,
  RehearsalPersonality,
  Settings,
  SettingsInput,
  StageInfo,
} from "../ipc";
import { providerLabel } from "./format";

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
  rehearsalPersonality: RehearsalPersonality;
  rehearsalJarvisclawShape: JarvisClawShape;
  /** Empty: the phone stays on JarvisClaw's own page after the check. */
  jarvisclawRedirectUrl: string;
}

/**
 * Backend field names, as `CommandError.field` carries them, plus `provider` (where a provider
 * that cannot start yet, `not_configured`, is explained).
 */
export type SettingsField =
  | "provider"
  | "rehearsal_host"
  | "rehearsal_port"
  | "base_url"
  | "payment_method"
  | "rehearsal_x402_version"
  | "per_payment_cap_usd"
  | "daily_cap_usd"
  | "jarvisclaw_redirect_url";

const SETTINGS_FIELDS: ReadonlySet<string> = new Set<SettingsField>([
  "provider",
  "rehearsal_host",
  "rehearsal_port",
  "base_url",
  "payment_method",
  "rehearsal_x402_version",
  "per_payment_cap_usd",
  "daily_cap_usd",
  "jarvisclaw_redirect_url",
]);

export function isSettingsField(field: string | null): field is SettingsField {
  return field !== null && SETTINGS_FIELDS.has(field);
}

/**
 * Which field a refused save is about: switching to a provider that cannot start yet (its API
 * key is missing) is explained next to the provider; a named field next to that field. Null:
 * the banner.
 */
export function settingsErrorField(error: CommandError): SettingsField | null {
  if (error.code === "not_configured") {
    return "provider";
  }
  return isSettingsField(error.field) ? error.field : null;
}

/** A provider reached over the internet, paid for real. */
export type RemoteProvider = Exclude<ProviderKind, "rehearsal">;

export function isRemote(provider: ProviderKind): provider is RemoteProvider {
  return provider !== "rehearsal";
}

export interface ProviderChoice {
  value: ProviderKind;
  label: string;
  /** One line of plain explanation. */
  line: string;
}

export const PROVIDER_CHOICES: readonly ProviderChoice[] = [
  {
    value: "rehearsal",
    label: "Rehearsal",
    line: "Built in: the whole check on this computer with a real phone. Nobody pays.",
  },
  {
    value: "blockrun",
    label: "BlockRun",
    line: "BlockRun RealFace: real enrollments, paid from the studio wallet or a BlockRun key.",
  },
  {
    value: "jarvisclaw",
    label: "JarvisClaw",
    line: "JarvisClaw marketplace: real enrollments, paid with a JarvisClaw key or the studio wallet.",
  },
];

/** How each provider's API keys begin. */
export const API_KEY_PREFIX: Record<RemoteProvider, string> = {
  blockrun: "brk_",
  jarvisclaw: "sk-",
};

/**
 * A gentle warning when a pasted key does not look like the provider's (it is still saved if the
 * operator insists: prefixes can change).
 */
export function apiKeyWarning(provider: RemoteProvider, key: string): string | null {
  const k = key.trim();
  const prefix = API_KEY_PREFIX[provider];
  if (k === "" || k.startsWith(prefix)) {
    return null;
  }
  const name = providerLabel(provider);
  for (const [other, otherPrefix] of Object.entries(API_KEY_PREFIX) as [RemoteProvider, string][]) {
    if (other !== provider && k.startsWith(otherPrefix)) {
      return `This looks like a ${providerLabel(other)} key (${otherPrefix}…). ${name} keys start with ${prefix}.`;
    }
  }
  return `${name} keys usually start with ${prefix}. Check you copied the whole key; you can still save it.`;
}

/** Whether JarvisClaw is in play: chosen, or played by Rehearsal. */
export function usesJarvisClaw(form: Pick<SettingsForm, "provider" | "rehearsalPersonality">): boolean {
  return form.provider === "jarvisclaw" || (form.provider === "rehearsal" && form.rehearsalPersonality === "jarvisclaw");
}

/** What the window knows about a provider's stored key: the keychain is only asked for the running one. */
export type KeyStatus = "saved" | "none" | "unknown";

/**
 * @param savedNow providers whose key was saved since Settings opened (the answer to `setApiKey`
 *   only describes the running provider).
 */
export function keyStatus(provider: ProviderKind, stage: StageInfo | null, savedNow: ReadonlySet<ProviderKind>): KeyStatus {
  if (savedNow.has(provider)) {
    return "saved";
  }
  if (stage !== null && stage.provider === provider) {
    return stage.hasApiKey ? "saved" : "none";
  }
  return "unknown";
}

export function keyStatusText(provider: RemoteProvider, status: KeyStatus): string {
  const name = providerLabel(provider);
  switch (status) {
    case "saved":
      return `A ${name} key is saved in the system keychain.`;
    case "none":
      return `No ${name} key is saved yet.`;
    case "unknown":
      return `Paste the ${name} key (${API_KEY_PREFIX[provider]}…) to save it before switching. A key saved earlier stays in the keychain.`;
  }
}

/** The pasted key to store before the settings are saved, if any (a remote provider only). */
export function keyToSaveFirst(form: Pick<SettingsForm, "provider">, draft: string): string | null {
  const key = draft.trim();
  return isRemote(form.provider) && key !== "" ? key : null;
}

export const REDIRECT_MESSAGE = "The page after the phone check must be a full https:// link, or left empty.";

function isHttpsUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === "https:" && u.hostname !== "";
  } catch {
    return false;
  }
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
    rehearsalPersonality: s.rehearsalPersonality,
    rehearsalJarvisclawShape: s.rehearsalJarvisclawShape,
    jarvisclawRedirectUrl: s.jarvisclawRedirectUrl ?? "",
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
  // Checked only where the field shows (JarvisClaw, real or rehearsed); elsewhere a bad leftover
  // is dropped rather than blocking a save the operator cannot see the reason for.
  let redirect: string | null = form.jarvisclawRedirectUrl.trim();
  if (redirect === "") {
    redirect = null;
  } else if (!isHttpsUrl(redirect)) {
    if (usesJarvisClaw(form)) {
      errors.jarvisclaw_redirect_url = REDIRECT_MESSAGE;
    }
    redirect = null;
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
      rehearsalPersonality: form.rehearsalPersonality,
      rehearsalJarvisclawShape: form.rehearsalJarvisclawShape,
      jarvisclawRedirectUrl: redirect,
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
