// The library as people: every entry of one person shares a provider and a group (a BytePlus
// group holds all of a verified person's photos, videos and voice clips; BlockRun and JarvisClaw
// file one `ta_…` face per group). Entries without a group stay one card each.
//
// Pure and linear, because the library runs to 10,000 entries: grouping is one pass over a Map
// and a sort, and each person carries its search text lower-cased once, so a keystroke's filter
// is one `includes` per person (docs/PERFORMANCE.md has the figures).

import type { Face, FaceKind, FaceSummary, ProviderKind } from "../ipc";
import { formatCount } from "../lib/format";
import { newerAsset } from "./asset-status";

export interface Person {
  /** Stable across reloads: the provider and group, or the lone entry's asset id. */
  key: string;
  name: string;
  provider: ProviderKind;
  /** The provider's group for this person, when there is one. */
  groupId: string | null;
  kind: FaceKind;
  /** The entry whose preview is the card's picture (fetched only while the card shows). */
  pictureId: string | null;
  /** When the first entry was filed. */
  sinceMs: number;
  /** When the latest entry came in: people are listed by it, newest first. */
  latestMs: number;
  /** Oldest first: the enrolled photo, then what was added later. */
  assets: FaceSummary[];
  /** A BytePlus group, which takes more photos, videos and voice clips. */
  holdsAssets: boolean;
  /** Every kind of entry the person holds (the kind filter matches any of them). */
  kinds: readonly FaceKind[];
  /** The producers' tags and projects (the person's files share them). */
  tags: readonly string[];
  /** The name, group, asset ids and tags, lower-cased once, for search. */
  haystack: string;
}

export function personKey(face: Pick<FaceSummary, "assetId" | "provider" | "groupId">): string {
  const group = face.groupId?.trim() ?? "";
  return group === "" ? `face:${face.assetId}` : `group:${face.provider}:${group}`;
}

/** A full record (an upload's answer, the asset stream) as the list's row. */
export function summaryOf(face: Face): FaceSummary {
  return {
    assetId: face.assetId,
    provider: face.provider,
    kind: face.kind,
    name: face.name,
    groupId: face.groupId,
    enrolledAtMs: face.enrolledAtMs,
    assetType: face.assetType,
    status: face.status,
    statusMessage: face.statusMessage,
    hasThumbnail: face.thumbnail !== null && face.thumbnail !== "",
    hasConsent: face.consent !== undefined && face.consent !== null,
    consentEndsAtMs: face.consent?.release?.endsAtMs ?? null,
    revokedAtMs: face.revoked?.atMs ?? null,
    tags: face.tags ?? [],
  };
}

function byEnrollment(a: FaceSummary, b: FaceSummary): number {
  return a.enrolledAtMs - b.enrolledAtMs || (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0);
}

/** The card's picture: an active photo with a preview if there is one, else any preview. */
function pictureOf(assets: readonly FaceSummary[]): string | null {
  let any: string | null = null;
  for (const f of assets) {
    if (!f.hasThumbnail) {
      continue;
    }
    if (f.assetType === "image" && f.status === "active") {
      return f.assetId;
    }
    any ??= f.assetId;
  }
  return any;
}

const KIND_ORDER: readonly FaceKind[] = ["real_face", "portrait", "asset"];

function kindsIn(assets: readonly FaceSummary[]): FaceKind[] {
  let real = false;
  let portrait = false;
  let asset = false;
  for (const f of assets) {
    real ||= f.kind === "real_face";
    portrait ||= f.kind === "portrait";
    asset ||= f.kind === "asset";
  }
  return KIND_ORDER.filter((k) => (k === "real_face" ? real : k === "portrait" ? portrait : asset));
}

/** A person's name, group, asset ids and tags, lower-cased, one per line (no query spans two). */
function searchText(name: string, groupId: string | null, assets: readonly FaceSummary[], tags: readonly string[]): string {
  let text = `${name}\n${groupId ?? ""}`;
  for (const f of assets) {
    text += `\n${f.assetId}`;
  }
  for (const t of tags) {
    text += `\n${t}`;
  }
  return text.toLowerCase();
}

export function groupPeople(faces: readonly FaceSummary[]): Person[] {
  const groups = new Map<string, FaceSummary[]>();
  for (const face of faces) {
    const key = personKey(face);
    const held = groups.get(key);
    if (held === undefined) {
      groups.set(key, [face]);
    } else {
      held.push(face);
    }
  }
  const people: Person[] = [];
  for (const [key, members] of groups) {
    const assets = members.length > 1 ? members.sort(byEnrollment) : members;
    const first = assets[0];
    const last = assets[assets.length - 1];
    if (first === undefined || last === undefined) {
      continue;
    }
    const holdsAssets = assets.some((f) => f.kind === "asset");
    const groupId = first.groupId === null || first.groupId.trim() === "" ? null : first.groupId;
    // The core tags the whole person at once; the newest file speaks for them.
    const tags = last.tags;
    people.push({
      key,
      name: first.name,
      provider: first.provider,
      groupId,
      kind: holdsAssets ? "asset" : first.kind,
      pictureId: pictureOf(assets),
      sinceMs: first.enrolledAtMs,
      latestMs: last.enrolledAtMs,
      assets,
      holdsAssets,
      kinds: assets.length === 1 ? [first.kind] : kindsIn(assets),
      tags,
      haystack: searchText(first.name, groupId, assets, tags),
    });
  }
  return people.sort((a, b) => b.latestMs - a.latestMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The library as listed, with the newer word the window has heard since (`watchAssets`, an
 * upload, "Check again") laid over it, and uploads the listing does not have yet added.
 */
export function overlayAssets(listed: readonly FaceSummary[], heard: Readonly<Record<string, Face>>): FaceSummary[] {
  const news = Object.values(heard);
  if (news.length === 0) {
    return listed.slice();
  }
  const byId = new Map(news.map((f) => [f.assetId, summaryOf(f)]));
  const faces = listed.map((face) => {
    const incoming = byId.get(face.assetId);
    if (incoming === undefined) {
      return face;
    }
    byId.delete(face.assetId);
    return newerAsset(face, incoming);
  });
  faces.push(...byId.values());
  return faces;
}

export type ProviderFilter = ProviderKind | "all";
export type KindFilter = FaceKind | "all";

export interface PeopleFilter {
  /** Part of a name, an asset id, a group id or a tag; case and surrounding spaces do not matter. */
  query: string;
  provider: ProviderFilter;
  kind: KindFilter;
}

export function filterPeople(people: readonly Person[], filter: PeopleFilter): readonly Person[] {
  // Lower-cased like the haystacks: the same for every locale, and without ICU's warm-up.
  const q = filter.query.trim().toLowerCase();
  const { provider, kind } = filter;
  if (q === "" && provider === "all" && kind === "all") {
    return people;
  }
  return people.filter(
    (p) =>
      (provider === "all" || p.provider === provider) &&
      (kind === "all" || p.kinds.includes(kind)) &&
      (q === "" || p.haystack.includes(q)),
  );
}

/** The providers people are filed under, in a fixed order, for the filter. */
export function providersOf(people: readonly Person[]): ProviderKind[] {
  const order: ProviderKind[] = ["rehearsal", "blockrun", "jarvisclaw", "anyfast", "crun"];
  const present = new Set(people.map((p) => p.provider));
  return order.filter((p) => present.has(p));
}

/** The kinds of entry in the library, in a fixed order, for the filter. */
export function kindsOf(people: readonly Person[]): FaceKind[] {
  const present = new Set<FaceKind>();
  for (const p of people) {
    for (const k of p.kinds) {
      present.add(k);
    }
  }
  return KIND_ORDER.filter((k) => present.has(k));
}

const KIND_FILTER_LABELS: Record<FaceKind, string> = {
  real_face: "Real people (one photo)",
  portrait: "AI characters",
  asset: "Real people (photos, videos, voice)",
};

/** The kind filter's options as the operator reads them. */
export function kindFilterLabel(kind: FaceKind): string {
  return KIND_FILTER_LABELS[kind];
}

function files(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "file" : "files"}`;
}

function persons(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "person" : "people"}`;
}

/** "3 people · 7 files", "1 person · 1 file". */
export function peopleCount(people: readonly Person[]): string {
  const n = people.reduce((sum, p) => sum + p.assets.length, 0);
  return `${persons(people.length)} · ${files(n)}`;
}

/** "Showing 12 of 5,000 people" while a filter narrows the list; the plain count otherwise. */
export function shownCount(shown: readonly Person[], all: readonly Person[]): string {
  return shown.length === all.length ? peopleCount(all) : `Showing ${formatCount(shown.length)} of ${persons(all.length)}`;
}
