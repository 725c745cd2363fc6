// Numbers and times in the operator's own locale.

import type { FaceKind, ProviderKind, ProviderApi } from "../ipc";

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    return "";
  }
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  if (bytes < 1024 * 1024) {
    return `${Math.round(bytes / 1024)} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export interface ClockOptions {
  locale?: string;
  timeZone?: string;
}

function pick(options: ClockOptions): Intl.DateTimeFormatOptions {
  return options.timeZone === undefined ? {} : { timeZone: options.timeZone };
}

/** A wall-clock time with seconds, e.g. "12:03:41" (or "12:03:41 PM" where that is the custom). */
export function formatClock(ms: number, options: ClockOptions = {}): string {
  return new Intl.DateTimeFormat(options.locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    ...pick(options),
  }).format(ms);
}

/**
 * A time of day to the minute, e.g. "14:32" (or "2:32 PM"). For a moment to wait for, pass
 * `roundUp` so the time shown is never before it.
 */
export function formatTime(ms: number, options: ClockOptions & { roundUp?: boolean } = {}): string {
  const at = options.roundUp === true ? Math.ceil(ms / 60_000) * 60_000 : ms;
  return new Intl.DateTimeFormat(options.locale, { hour: "2-digit", minute: "2-digit", ...pick(options) }).format(at);
}

// Making an Intl formatter costs far more than using one, and the library formats a date per
// row: the operator's own (default) formatter is made once and reused.
let defaultDateTime: Intl.DateTimeFormat | null = null;

/** A date and time for the library, e.g. "23 Nov 2026, 09:40". */
export function formatDateTime(ms: number, options: ClockOptions = {}): string {
  if (options.locale === undefined && options.timeZone === undefined) {
    defaultDateTime ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    return defaultDateTime.format(ms);
  }
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: "medium",
    timeStyle: "short",
    ...pick(options),
  }).format(ms);
}

/** Makes the library's date formatter now, so its first use costs nothing. */
export function warmUpFormats(): void {
  formatDateTime(0);
}

/**
 * A whole count with thousands separators, the same on every machine: "10,000". Not Intl: the
 * first NumberFormat a page makes costs ~12 ms, which the Library's opening cannot spare.
 */
export function formatCount(n: number): string {
  const whole = Math.trunc(n);
  const digits = String(Math.abs(whole)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return whole < 0 ? `-${digits}` : digits;
}

const PROVIDER_LABELS: Record<ProviderKind, string> = {
  rehearsal: "Rehearsal",
  blockrun: "BlockRun",
  jarvisclaw: "JarvisClaw",
  anyfast: "Anyfast",
  crun: "Crun",
};

export function providerLabel(provider: ProviderKind): string {
  return PROVIDER_LABELS[provider];
}

const COST_NOTES: Record<ProviderKind, string | null> = {
  rehearsal: "test money only",
  blockrun: "real payments",
  jarvisclaw: "real payments",
  // No x402 here: each upload is billed to the account behind the API key.
  anyfast: "billed per upload",
  crun: "billed per upload",
};

/** The sidebar's note under the provider: whose API Rehearsal plays, and what it costs. */
export function stageNote(stage: { provider: ProviderKind; rehearsalPersonality: ProviderApi | null }): string | null {
  const cost = costNote(stage.provider);
  if (stage.provider === "rehearsal" && stage.rehearsalPersonality !== null) {
    return `as ${providerLabel(stage.rehearsalPersonality)} · ${cost ?? ""}`.replace(/ · $/, "");
  }
  return cost;
}

/** What using a provider costs, in a few words, where that needs saying. */
export function costNote(provider: ProviderKind): string | null {
  return COST_NOTES[provider];
}

// One name per idea: a "real person" is anyone verified on the phone (a lone face or a BytePlus
// group of files), an "AI character" is a made-up face enrolled without a phone check.
const KIND_LABELS: Record<FaceKind, string> = {
  real_face: "Real person",
  portrait: "AI character",
  asset: "Real person",
};

export function faceKindLabel(kind: FaceKind): string {
  return KIND_LABELS[kind];
}

/** How a person is named on buttons: the full name when short, else the first word. */
export function shortName(name: string): string {
  const trimmed = name.trim();
  if (Array.from(trimmed).length <= 24) {
    return trimmed;
  }
  return trimmed.split(/\s+/)[0] ?? trimmed;
}
