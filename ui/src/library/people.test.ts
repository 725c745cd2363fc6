import { describe, expect, it } from "vitest";
import { T0, asset, assetSummary, summary } from "../testing/views";
import {
  filterPeople,
  groupPeople,
  kindFilterLabel,
  kindsOf,
  overlayAssets,
  peopleCount,
  personKey,
  providersOf,
  shownCount,
  summaryOf,
  type PeopleFilter,
} from "./people";

const GROUP = "group-20260702221642-5czvq";
const photo = assetSummary({ assetId: "asset-1", status: "active", enrolledAtMs: T0 });
const video = assetSummary({ assetId: "asset-2", assetType: "video", status: "processing", hasThumbnail: false, enrolledAtMs: T0 + 60_000 });
const voice = assetSummary({ assetId: "asset-3", assetType: "audio", status: "failed", statusMessage: "Too quiet.", hasThumbnail: false, enrolledAtMs: T0 + 120_000 });
const grace = summary({ assetId: "ta_grace", name: "Grace Hopper", provider: "blockrun", groupId: "legacy_rf_7", enrolledAtMs: T0 + 30_000 });
const robo = summary({ assetId: "ta_robo", name: "Robo", kind: "portrait", groupId: null, enrolledAtMs: T0 - 1 });

const ALL: PeopleFilter = { query: "", provider: "all", kind: "all" };

describe("groupPeople", () => {
  it("shows a person once, with every file of their group oldest first", () => {
    const people = groupPeople([voice, grace, photo, robo, video]);
    expect(people.map((p) => p.name)).toEqual(["Ada Lovelace", "Grace Hopper", "Robo"]);
    const ada = people[0];
    expect(ada?.assets.map((f) => f.assetId)).toEqual(["asset-1", "asset-2", "asset-3"]);
    expect(ada).toMatchObject({
      key: `group:anyfast:${GROUP}`,
      provider: "anyfast",
      groupId: GROUP,
      kind: "asset",
      holdsAssets: true,
      sinceMs: T0,
      latestMs: T0 + 120_000,
      pictureId: "asset-1",
      kinds: ["asset"],
    });
  });

  it("keeps faces without a group as one card each, and never merges groups across providers", () => {
    const twin = summary({ assetId: "ta_twin", name: "Robo", kind: "portrait", groupId: "", enrolledAtMs: T0 - 2 });
    const sameGroupElsewhere = assetSummary({ assetId: "asset-9", provider: "crun" });
    const people = groupPeople([robo, twin, photo, sameGroupElsewhere]);
    expect(people).toHaveLength(4);
    expect(people.find((p) => p.key === "face:ta_twin")?.groupId).toBeNull();
    expect(people.filter((p) => p.groupId === GROUP).map((p) => p.provider).sort()).toEqual(["anyfast", "crun"]);
    expect(people.find((p) => p.key === "face:ta_robo")).toMatchObject({ kind: "portrait", holdsAssets: false, kinds: ["portrait"] });
  });

  it("picks an active photo's preview for the card, else any preview, else none", () => {
    const failedPhoto = assetSummary({ assetId: "asset-0", status: "failed", enrolledAtMs: T0 - 5 });
    expect(groupPeople([failedPhoto, photo])[0]?.pictureId).toBe("asset-1");
    expect(groupPeople([failedPhoto, video])[0]?.pictureId).toBe("asset-0");
    expect(groupPeople([video])[0]?.pictureId).toBeNull();
    expect(groupPeople([summary({ hasThumbnail: false })])[0]?.pictureId).toBeNull();
  });

  it("keys people by provider and group, or by the lone face", () => {
    expect(personKey(photo)).toBe(`group:anyfast:${GROUP}`);
    expect(personKey(robo)).toBe("face:ta_robo");
  });

  it("groups ten thousand rows into people without losing any", () => {
    const rows = Array.from({ length: 10_000 }, (_, i) =>
      i % 4 === 0
        ? summary({ assetId: `ta_${i}`, groupId: `grp_${i}`, name: `Person ${i}`, enrolledAtMs: T0 + i })
        : assetSummary({ assetId: `asset-${i}`, groupId: `group-${Math.floor(i / 4)}`, name: `Group ${Math.floor(i / 4)}`, enrolledAtMs: T0 + i }),
    );
    const people = groupPeople(rows);
    expect(people).toHaveLength(5_000);
    expect(people.reduce((n, p) => n + p.assets.length, 0)).toBe(10_000);
    expect(people[0]?.latestMs).toBe(T0 + 9_999);
    expect(people.find((p) => p.groupId === "group-7")?.assets.map((f) => f.assetId)).toEqual(["asset-29", "asset-30", "asset-31"]);
  });
});

describe("summaryOf", () => {
  it("turns a full record into the list's row", () => {
    const withPreview = asset({ thumbnail: "data:image/jpeg;base64,AA==", consent: null });
    expect(summaryOf(withPreview)).toMatchObject({ assetId: withPreview.assetId, hasThumbnail: true, hasConsent: false });
    const record = { operator: "Grace", recordedAtMs: T0, livenessRef: "ses_1", fileSha256: null, payment: null };
    expect(summaryOf(asset({ thumbnail: null, consent: record }))).toMatchObject({ hasThumbnail: false, hasConsent: true });
    expect(summaryOf(asset({ thumbnail: "" })).hasThumbnail).toBe(false);
  });
});

describe("overlayAssets", () => {
  it("lays newer word over the listing and adds uploads it does not have yet", () => {
    const fresh = asset({ assetId: "asset-4", enrolledAtMs: T0 + 200_000 });
    const heard = asset({ assetId: "asset-2", assetType: "video", status: "active", enrolledAtMs: T0 + 60_000 });
    const merged = overlayAssets([photo, video], { "asset-2": heard, "asset-4": fresh });
    expect(merged.map((f) => [f.assetId, f.status])).toEqual([
      ["asset-1", "active"],
      ["asset-2", "active"],
      ["asset-4", "processing"],
    ]);
  });

  it("does not take a stale processing over a settled listing", () => {
    expect(overlayAssets([voice], { "asset-3": asset({ assetId: "asset-3", status: "processing" }) })[0]?.status).toBe("failed");
  });

  it("hands back a copy of the listing when nothing was heard", () => {
    const listed = [photo, video];
    const merged = overlayAssets(listed, {});
    expect(merged).toEqual(listed);
    expect(merged).not.toBe(listed);
  });
});

describe("filterPeople", () => {
  const people = groupPeople([photo, video, voice, grace, robo]);

  it("finds people by part of a name, a group or an asset id, ignoring case", () => {
    expect(filterPeople(people, { ...ALL, query: " ada " }).map((p) => p.name)).toEqual(["Ada Lovelace"]);
    expect(filterPeople(people, { ...ALL, query: "ASSET-3" }).map((p) => p.name)).toEqual(["Ada Lovelace"]);
    expect(filterPeople(people, { ...ALL, query: "legacy_rf" }).map((p) => p.name)).toEqual(["Grace Hopper"]);
    expect(filterPeople(people, ALL)).toHaveLength(3);
    expect(filterPeople(people, { ...ALL, query: "nobody" })).toEqual([]);
  });

  it("does not match across the joins between a person's fields", () => {
    // The haystack joins name, group and ids with line breaks, which no query holds.
    expect(filterPeople(people, { ...ALL, query: "lovelace group" })).toEqual([]);
  });

  it("finds names with accents", () => {
    const zoe = groupPeople([summary({ assetId: "ta_zoe", name: "Zoë Ångström", groupId: "grp_z" })]);
    expect(filterPeople(zoe, { ...ALL, query: "ZOË" })).toHaveLength(1);
    expect(filterPeople(zoe, { ...ALL, query: "ångs" })).toHaveLength(1);
  });

  it("narrows to one provider", () => {
    expect(filterPeople(people, { ...ALL, provider: "blockrun" }).map((p) => p.name)).toEqual(["Grace Hopper"]);
    expect(filterPeople(people, { ...ALL, query: "ada", provider: "rehearsal" })).toEqual([]);
  });

  it("narrows to one kind: real faces, portraits or BytePlus assets", () => {
    expect(filterPeople(people, { ...ALL, kind: "real_face" }).map((p) => p.name)).toEqual(["Grace Hopper"]);
    expect(filterPeople(people, { ...ALL, kind: "portrait" }).map((p) => p.name)).toEqual(["Robo"]);
    expect(filterPeople(people, { ...ALL, kind: "asset" }).map((p) => p.name)).toEqual(["Ada Lovelace"]);
    expect(filterPeople(people, { query: "robo", provider: "rehearsal", kind: "real_face" })).toEqual([]);
  });

  it("hands back the same list when nothing narrows it", () => {
    expect(filterPeople(people, { ...ALL, query: "  " })).toBe(people);
  });

  it("lists the providers and kinds present, in a fixed order", () => {
    expect(providersOf(people)).toEqual(["rehearsal", "blockrun", "anyfast"]);
    expect(kindsOf(people)).toEqual(["real_face", "portrait", "asset"]);
    expect(kindsOf(groupPeople([photo]))).toEqual(["asset"]);
    expect(kindFilterLabel("asset")).toBe("Real people (photos, videos, voice)");
    expect(kindFilterLabel("portrait")).toBe("AI characters");
  });

  it("counts people and files, and what a filter shows", () => {
    expect(peopleCount(people)).toBe("3 people · 5 files");
    expect(peopleCount(groupPeople([robo]))).toBe("1 person · 1 file");
    expect(shownCount(people, people)).toBe("3 people · 5 files");
    expect(shownCount(filterPeople(people, { ...ALL, query: "ada" }), people)).toBe("Showing 1 of 3 people");
    const many = groupPeople(Array.from({ length: 1234 }, (_, i) => summary({ assetId: `ta_${i}`, groupId: null })));
    expect(peopleCount(many)).toBe("1,234 people · 1,234 files");
  });
});

describe("tags", () => {
  it("are the person's and the search finds them in any case", () => {
    const people = groupPeople([
      summary({ assetId: "ta_a", groupId: "g1", name: "Ada", tags: ["Northwind spring"] }),
      summary({ assetId: "ta_b", groupId: "g2", name: "Bo", tags: [] }),
    ]);
    const ada = people.find((p) => p.name === "Ada");
    expect(ada?.tags).toEqual(["Northwind spring"]);
    const hits = filterPeople(people, { query: "NORTHWIND", provider: "all", kind: "all" });
    expect(hits.map((p) => p.name)).toEqual(["Ada"]);
  });
});
