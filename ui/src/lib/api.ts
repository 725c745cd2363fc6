// What each vendor API can do. The table is the backend's (crates/api), generated into the
// bindings, so a screen asks "can the API in play do this?" instead of naming providers, and a
// new provider or a changed capability reaches the window without a second list to keep in step.

import { API_CAPABILITIES, type ProviderApi, type ProviderKind } from "../ipc";

type Table = typeof API_CAPABILITIES;
export type Capabilities = Table[ProviderApi];

/** The APIs whose phone check yields a BytePlus group (Anyfast, Crun), read off the table's types. */
export type BytePlusProvider = {
  [K in ProviderApi]: Table[K]["liveness"] extends "bytePlusGroup" ? K : never;
}[ProviderApi];

/** A provider that is itself a vendor API (Rehearsal is not: it plays one). */
export function asApi(provider: ProviderKind | ProviderApi | null): ProviderApi | null {
  return provider !== null && Object.hasOwn(API_CAPABILITIES, provider) ? (provider as ProviderApi) : null;
}

export function capabilitiesOf(provider: ProviderKind | ProviderApi | null): Capabilities | null {
  const api = asApi(provider);
  return api === null ? null : API_CAPABILITIES[api];
}

/** The API in play: the provider chosen, or the one Rehearsal plays. */
export function apiInPlay(stage: { provider: ProviderKind; rehearsalPersonality: ProviderApi | null }): ProviderApi | null {
  return stage.provider === "rehearsal" ? stage.rehearsalPersonality : asApi(stage.provider);
}

export function isBytePlus(provider: ProviderKind | ProviderApi | null): provider is BytePlusProvider {
  return capabilitiesOf(provider)?.liveness === "bytePlusGroup";
}
