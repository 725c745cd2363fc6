// The Settings form: what the operator typed, checked the way the backend checks it
// (`Settings::validate` in src/settings.rs), and turned into the command's input.

import type {
  CommandError,
  JarvisClawShape,
  PaymentMethod,
  ProviderKind,
  ProviderApi,
  S3Settings,
  Settings,
  SettingsInput,
  StageInfo,
  StudioDatabase,
} from "../ipc";
import { apiInPlay, capabilitiesOf } from "./api";
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
  rehearsalPersonality: ProviderApi;
  rehearsalJarvisclawShape: JarvisClawShape;
  /** Empty: the phone stays on JarvisClaw's own page after the check. */
  jarvisclawRedirectUrl: string;
  /** The language of Crun's phone page. */
  crunLanguage: CrunLanguage;
  /** Catch the phone's return page on the studio network (BytePlus providers). */
  lanCallback: boolean;
  callbackPort: string;
  /** Who runs the sessions at this desk: written into every consent record. */
  operatorName: string;
  /** Settings → Photo hosting's bucket, edited on its own page and kept as it is here. */
  photoHosting: S3Settings;
  /** Settings → Studio database, edited on its own card and carried through this form's saves. */
  studioDatabase: StudioDatabase | null;
  /** The Base node the studio wallet's balance is read from. */
  baseRpcUrl: string;
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
  | "jarvisclaw_redirect_url"
  | "crun_language"
  | "callback_port"
  | "operator_name"
  | "base_rpc_url";

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
  "crun_language",
  "callback_port",
  "operator_name",
  "base_rpc_url",
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
  {
    value: "anyfast",
    label: "Anyfast",
    line: "BytePlus real-person assets via anyfast.ai; needs an API key from the Byteplus-Direct group.",
  },
  {
    value: "crun",
    label: "Crun",
    line: "BytePlus (Volcengine) validation via crun.ai; x-api-key.",
  },
];

/**
 * How each provider's API keys begin, where that is documented. Anyfast's and Crun's keys have
 * no documented shape, so nothing is warned about them.
 */
export const API_KEY_PREFIX: Record<RemoteProvider, string | null> = {
  blockrun: "brk_",
  jarvisclaw: "sk-",
  anyfast: null,
  crun: null,
};

/** The key field's placeholder: the documented start of a key, or a plain word. */
export function apiKeyPlaceholder(provider: RemoteProvider): string {
  const prefix = API_KEY_PREFIX[provider];
  return prefix === null ? "Paste the key" : `${prefix}…`;
}

/**
 * Providers paid only with their API key, per upload (BytePlus groups): no wallet, no x402 price,
 * so no payment method to choose and no spending caps to apply.
 */
export function isKeyOnly(provider: ProviderKind | ProviderApi): boolean {
  return capabilitiesOf(provider)?.x402 === false;
}

type InPlay = Pick<SettingsForm, "provider" | "rehearsalPersonality">;

/** The API in play (chosen, or played by Rehearsal) is paid by key only. */
export function playsKeyOnly(form: InPlay): boolean {
  return capabilitiesOf(apiInPlay(form))?.x402 === false;
}

/**
 * A gentle warning when a pasted key does not look like the provider's (it is still saved if the
 * operator insists: prefixes can change).
 */
export function apiKeyWarning(provider: RemoteProvider, key: string): string | null {
  const k = key.trim();
  const prefix = API_KEY_PREFIX[provider];
  if (k === "" || prefix === null || k.startsWith(prefix)) {
    return null;
  }
  const name = providerLabel(provider);
  for (const [other, otherPrefix] of Object.entries(API_KEY_PREFIX) as [RemoteProvider, string | null][]) {
    if (other !== provider && otherPrefix !== null && k.startsWith(otherPrefix)) {
      return `This looks like a ${providerLabel(other)} key (${otherPrefix}…). ${name} keys start with ${prefix}.`;
    }
  }
  return `${name} keys usually start with ${prefix}. Check you copied the whole key; you can still save it.`;
}

/** Whether the API in play lets the operator pick the phone page's language (Crun's `lng`). */
export function offersPhoneLanguage(form: InPlay): boolean {
  return capabilitiesOf(apiInPlay(form))?.phoneLanguage === true;
}

/**
 * Whether the phone's return page (the LAN callback) is worth setting: the API sends the phone
 * back with the check's outcome when it ends, and Rehearsal can play such an API.
 */
export function showsLanCallback(form: Pick<SettingsForm, "provider">): boolean {
  return form.provider === "rehearsal" || capabilitiesOf(form.provider)?.resultCallback === true;
}

export type CrunLanguage = "en" | "zh" | "zh-Hant";

/** Crun's phone page languages, as it documents them for `lng`, named in their own words. */
export const CRUN_LANGUAGES: readonly { value: CrunLanguage; label: string }[] = [
  { value: "en", label: "English" },
  { value: "zh", label: "简体中文" },
  { value: "zh-Hant", label: "繁體中文" },
];

function asCrunLanguage(value: string): CrunLanguage {
  return CRUN_LANGUAGES.find((l) => l.value === value)?.value ?? "en";
}

export const DEFAULT_CALLBACK_PORT = 8403;

/** Whether the API in play can send the phone to a page the operator names (JarvisClaw's redirect). */
export function offersRedirectPage(form: InPlay): boolean {
  return capabilitiesOf(apiInPlay(form))?.redirectPage === true;
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
      return `${/^[AEIOU]/.test(name) ? "An" : "A"} ${name} key is saved in the system keychain.`;
    case "none":
      return `No ${name} key is saved yet.`;
    case "unknown": {
      const prefix = API_KEY_PREFIX[provider];
      const shape = prefix === null ? "" : ` (${prefix}…)`;
      return `Paste the ${name} key${shape} to save it before switching. A key saved earlier stays in the keychain.`;
    }
  }
}

/** The pasted key to store before the settings are saved, if any (a remote provider only). */
export function keyToSaveFirst(form: Pick<SettingsForm, "provider">, draft: string): string | null {
  const key = draft.trim();
  return isRemote(form.provider) && key !== "" ? key : null;
}

/** The longest operator name a consent record takes (`MAX_OPERATOR_CHARS` in src/settings.rs). */
export const MAX_OPERATOR_CHARS = 80;

/**
 * What is wrong with a typed operator name, checked like `validate_operator_name` in
 * src/settings.rs: trimmed, at most 80 characters (not bytes), on one line. Empty is allowed.
 */
export function operatorNameProblem(text: string): string | null {
  const name = text.trim();
  const count = Array.from(name).length;
  if (count > MAX_OPERATOR_CHARS) {
    return `The operator's name is ${count} characters; keep it to ${MAX_OPERATOR_CHARS} or fewer.`;
  }
  // Control characters (tabs, line breaks) would break the record's one line.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    return "Type the operator's name on one line, without tabs or line breaks.";
  }
  return null;
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
    crunLanguage: asCrunLanguage(s.crunLanguage),
    lanCallback: s.lanCallback,
    callbackPort: String(s.callbackPort),
    operatorName: s.operatorName,
    photoHosting: s.photoHosting,
    studioDatabase: s.studioDatabase,
    baseRpcUrl: s.baseRpcUrl,
  };
}

/** A port as typed: 1024–65535, digits only; NaN otherwise. */
function parsePort(text: string): number {
  const t = text.trim();
  const port = /^\d{1,5}$/.test(t) ? Number(t) : Number.NaN;
  return port >= 1024 && port <= 65535 ? port : Number.NaN;
}

/** Base's public node (src/balance.rs `DEFAULT_BASE_RPC`), which an empty field goes back to. */
export const DEFAULT_BASE_RPC_URL = "https://mainnet.base.org";
export const BASE_RPC_MESSAGE = `The Base network node must be a full https:// link, like ${DEFAULT_BASE_RPC_URL}.`;

export const CALLBACK_PORT_MESSAGE = "Pick a port between 1024 and 65535 for the phone's return page, not Rehearsal's.";

export function parseSettingsForm(form: SettingsForm): ParsedSettings {
  const errors: Partial<Record<SettingsField, string>> = {};
  const host = form.rehearsalHost.trim();
  if (host !== "" && /[/\s:]/.test(host)) {
    errors.rehearsal_host = "The phone address must be a plain IP or host name, like 192.168.1.20.";
  }
  const port = parsePort(form.rehearsalPort);
  if (Number.isNaN(port)) {
    errors.rehearsal_port = "Pick a port between 1024 and 65535.";
  }
  // Checked only where the field shows; elsewhere a bad leftover falls back to the default.
  let callbackPort = parsePort(form.callbackPort);
  if (Number.isNaN(callbackPort) || callbackPort === port) {
    if (showsLanCallback(form)) {
      errors.callback_port = CALLBACK_PORT_MESSAGE;
    }
    callbackPort = port === DEFAULT_CALLBACK_PORT ? DEFAULT_CALLBACK_PORT + 1 : DEFAULT_CALLBACK_PORT;
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
  // Key-only providers hide the caps (nothing is signed): a bad leftover falls back to the
  // default rather than blocking a save for a reason the operator cannot see.
  const keyOnly = playsKeyOnly(form);
  let perPayment = form.perPaymentCapUsd.trim();
  if (!isDollarAmount(perPayment)) {
    if (keyOnly) {
      perPayment = DEFAULT_PER_PAYMENT_CAP_USD;
    } else {
      errors.per_payment_cap_usd = CAP_MESSAGE;
    }
  }
  let daily = form.dailyCapUsd.trim();
  if (!isDollarAmount(daily)) {
    if (keyOnly) {
      daily = DEFAULT_DAILY_CAP_USD;
    } else {
      errors.daily_cap_usd = CAP_MESSAGE;
    }
  }
  // Checked only where the field shows (an API with a redirect page, real or rehearsed); elsewhere a bad leftover
  // is dropped rather than blocking a save the operator cannot see the reason for.
  let redirect: string | null = form.jarvisclawRedirectUrl.trim();
  if (redirect === "") {
    redirect = null;
  } else if (!isHttpsUrl(redirect)) {
    if (offersRedirectPage(form)) {
      errors.jarvisclaw_redirect_url = REDIRECT_MESSAGE;
    }
    redirect = null;
  }
  const operator = operatorNameProblem(form.operatorName);
  if (operator !== null) {
    errors.operator_name = operator;
  }
  const rpc = form.baseRpcUrl.trim() === "" ? DEFAULT_BASE_RPC_URL : form.baseRpcUrl.trim();
  if (!isHttpsUrl(rpc)) {
    errors.base_rpc_url = BASE_RPC_MESSAGE;
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
      // Anyfast and Crun are paid with their key only (the backend records them so anyway).
      paymentMethod: isKeyOnly(form.provider) ? "api_key" : form.paymentMethod,
      rehearsalX402Version: form.rehearsalX402Version,
      perPaymentCapUsd: perPayment,
      dailyCapUsd: daily,
      rehearsalPersonality: form.rehearsalPersonality,
      rehearsalJarvisclawShape: form.rehearsalJarvisclawShape,
      jarvisclawRedirectUrl: redirect,
      crunLanguage: form.crunLanguage,
      lanCallback: form.lanCallback,
      callbackPort,
      operatorName: form.operatorName.trim(),
      photoHosting: form.photoHosting,
      studioDatabase: form.studioDatabase,
      baseRpcUrl: rpc,
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
