import { describe, expect, it } from "vitest";
import { T0, asset, face } from "../testing/views";
import { filterPeople, groupPeople, overlayAssets, peopleCount, personKey, providersOf } from "./people";

const GROUP = "group-20260702221642-5czvq";
const photo = asset({ assetId: "asset-1", status: "active", thumbnail: "data:image/jpeg;base64,AA==", enrolledAtMs: T0 });
const video = asset({ assetId: "asset-2", assetType: "video", status: "processing", enrolledAtMs: T0 + 60_000 });
const voice = asset({ assetId: "asset-3", assetType: "audio", status: "failed", statusMessage: "Too quiet.", enrolledAtMs: T0 + 120_000 });
const grace = face({ assetId: "ta_grace", name: "Grace Hopper", provider: "blockrun", groupId: "legacy_rf_7", enrolledAtMs: T0 + 30_000 });
const robo = face({ assetId: "ta_robo", name: "Robo", kind: "portrait", groupId: null, enrolledAtMs: T0 - 1 });

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
      thumbnail: "data:image/jpeg;base64,AA==",
    });
  });

  it("keeps faces without a group as one card each, and never merges groups across providers", () => {
    const twin = face({ assetId: "ta_twin", name: "Robo", kind: "portrait", groupId: "", enrolledAtMs: T0 - 2 });
    const sameGroupElsewhere = asset({ assetId: "asset-9", provider: "crun" });
    const people = groupPeople([robo, twin, photo, sameGroupElsewhere]);
    expect(people).toHaveLength(4);
    expect(people.find((p) => p.key === "face:ta_twin")?.groupId).toBeNull();
    expect(people.filter((p) => p.groupId === GROUP).map((p) => p.provider).sort()).toEqual(["anyfast", "crun"]);
    expect(people.find((p) => p.key === "face:ta_robo")).toMatchObject({ kind: "portrait", holdsAssets: false });
  });

  it("prefers an active photo's preview for the card", () => {
    const failedPhoto = asset({ assetId: "asset-0", status: "failed", thumbnail: "data:image/jpeg;base64,BAD=", enrolledAtMs: T0 - 5 });
    expect(groupPeople([failedPhoto, photo])[0]?.thumbnail).toBe("data:image/jpeg;base64,AA==");
    expect(groupPeople([failedPhoto, video])[0]?.thumbnail).toBe("data:image/jpeg;base64,BAD=");
    expect(groupPeople([video])[0]?.thumbnail).toBeNull();
  });

  it("keys people by provider and group, or by the lone face", () => {
    expect(personKey(photo)).toBe(`group:anyfast:${GROUP}`);
    expect(personKey(robo)).toBe("face:ta_robo");
  });
});

describe("overlayAssets", () => {
  it("lays newer word over the listing and adds uploads it does not have yet", () => {
    const fresh = asset({ assetId: "asset-4", enrolledAtMs: T0 + 200_000 });
    const merged = overlayAssets([photo, video], { "asset-2": { ...video, status: "active" }, "asset-4": fresh });
    expect(merged.map((f) => [f.assetId, f.status])).toEqual([
      ["asset-1", "active"],
      ["asset-2", "active"],
      ["asset-4", "processing"],
    ]);
  });

  it("does not take a stale processing over a settled listing", () => {
    expect(overlayAssets([voice], { "asset-3": { ...voice, status: "processing" } })[0]?.status).toBe("failed");
  });
});

describe("filterPeople", () => {
  const people = groupPeople([photo, video, voice, grace, robo]);

  it("finds people by part of a name, a group or an asset id, ignoring case", () => {
    expect(filterPeople(people, { query: " ada ", provider: "all" }).map((p) => p.name)).toEqual(["Ada Lovelace"]);
    expect(filterPeople(people, { query: "ASSET-3", provider: "all" }).map((p) => p.name)).toEqual(["Ada Lovelace"]);
    expect(filterPeople(people, { query: "legacy_rf", provider: "all" }).map((p) => p.name)).toEqual(["Grace Hopper"]);
    expect(filterPeople(people, { query: "", provider: "all" })).toHaveLength(3);
    expect(filterPeople(people, { query: "nobody", provider: "all" })).toEqual([]);
  });

  it("narrows to one provider", () => {
    expect(filterPeople(people, { query: "", provider: "blockrun" }).map((p) => p.name)).toEqual(["Grace Hopper"]);
    expect(filterPeople(people, { query: "ada", provider: "rehearsal" })).toEqual([]);
  });

  it("lists the providers present, in a fixed order", () => {
    expect(providersOf(people)).toEqual(["rehearsal", "blockrun", "anyfast"]);
  });

  it("counts people and files", () => {
    expect(peopleCount(people)).toBe("3 people · 5 files");
    expect(peopleCount(groupPeople([robo]))).toBe("1 person · 1 file");
  });
});
