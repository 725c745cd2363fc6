// The library as people: every face of one person shares a provider and a group (a BytePlus
// group holds all of a verified person's photos, videos and voice clips; BlockRun and JarvisClaw
// file one `ta_…` face per group). Faces without a group stay one card each.

import type { Face, FaceKind, ProviderKind } from "../ipc";
import { newerAsset } from "./asset-status";

export interface Person {
  /** Stable across reloads: the provider and group, or the lone face's asset id. */
  key: string;
  name: string;
  provider: ProviderKind;
  /** The provider's group for this person, when there is one. */
  groupId: string | null;
  kind: FaceKind;
  thumbnail: string | null;
  /** When the first face was enrolled. */
  sinceMs: number;
  /** When the latest file came in: people are listed by it, newest first. */
  latestMs: number;
  /** Oldest first: the enrolled photo, then what was added later. */
  assets: Face[];
  /** A BytePlus group, which takes more photos, videos and voice clips. */
  holdsAssets: boolean;
}

export function personKey(face: Pick<Face, "assetId" | "provider" | "groupId">): string {
  const group = face.groupId?.trim() ?? "";
  return group === "" ? `face:${face.assetId}` : `group:${face.provider}:${group}`;
}

function byEnrollment(a: Face, b: Face): number {
  return a.enrolledAtMs - b.enrolledAtMs || a.assetId.localeCompare(b.assetId);
}

/** The card's picture: an active photo's preview if there is one, else any preview. */
function pictureOf(assets: readonly Face[]): string | null {
  const withThumb = assets.filter((f) => f.thumbnail !== null && f.thumbnail !== "");
  const best = withThumb.find((f) => f.assetType === "image" && f.status === "active") ?? withThumb[0];
  return best?.thumbnail ?? null;
}

export function groupPeople(faces: readonly Face[]): Person[] {
  const groups = new Map<string, Face[]>();
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
    const assets = [...members].sort(byEnrollment);
    const first = assets[0];
    const last = assets[assets.length - 1];
    if (first === undefined || last === undefined) {
      continue;
    }
    const holdsAssets = assets.some((f) => f.kind === "asset");
    people.push({
      key,
      name: first.name,
      provider: first.provider,
      groupId: first.groupId?.trim() === "" ? null : first.groupId,
      kind: holdsAssets ? "asset" : first.kind,
      thumbnail: pictureOf(assets),
      sinceMs: first.enrolledAtMs,
      latestMs: last.enrolledAtMs,
      assets,
      holdsAssets,
    });
  }
  return people.sort((a, b) => b.latestMs - a.latestMs || a.key.localeCompare(b.key));
}

/**
 * The library as listed, with the newer word the window has heard since (`watchAssets`, an
 * upload, "Check again") laid over it, and uploads the listing does not have yet added.
 */
export function overlayAssets(listed: readonly Face[], heard: Readonly<Record<string, Face>>): Face[] {
  const seen = new Set<string>();
  const faces = listed.map((face) => {
    seen.add(face.assetId);
    const news = heard[face.assetId];
    return news === undefined ? face : newerAsset(face, news);
  });
  for (const face of Object.values(heard)) {
    if (!seen.has(face.assetId)) {
      faces.push(face);
    }
  }
  return faces;
}

export interface PeopleFilter {
  /** Part of a name, an asset id or a group id; case and surrounding spaces do not matter. */
  query: string;
  provider: ProviderKind | "all";
}

export function filterPeople(people: readonly Person[], filter: PeopleFilter): Person[] {
  const q = filter.query.trim().toLocaleLowerCase();
  return people.filter((p) => {
    if (filter.provider !== "all" && p.provider !== filter.provider) {
      return false;
    }
    if (q === "") {
      return true;
    }
    return (
      p.name.toLocaleLowerCase().includes(q) ||
      (p.groupId?.toLocaleLowerCase().includes(q) ?? false) ||
      p.assets.some((f) => f.assetId.toLocaleLowerCase().includes(q))
    );
  });
}

/** The providers people are filed under, in a fixed order, for the filter. */
export function providersOf(people: readonly Person[]): ProviderKind[] {
  const order: ProviderKind[] = ["rehearsal", "blockrun", "jarvisclaw", "anyfast", "crun"];
  const present = new Set(people.map((p) => p.provider));
  return order.filter((p) => present.has(p));
}

/** "3 people · 7 files", "1 person · 1 file". */
export function peopleCount(people: readonly Person[]): string {
  const files = people.reduce((n, p) => n + p.assets.length, 0);
  return `${people.length} ${people.length === 1 ? "person" : "people"} · ${files} ${files === 1 ? "file" : "files"}`;
}
