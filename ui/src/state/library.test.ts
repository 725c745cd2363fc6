import { describe, expect, it } from "vitest";
import type { FaceSummary } from "../ipc";
import { T0, assetSummary, summary, refused } from "../testing/views";
import { Library } from "./library.svelte";

describe("Library", () => {
  it("lists once ahead of the first visit and groups the people", async () => {
    let asked = 0;
    const rows: FaceSummary[] = [
      assetSummary({ assetId: "asset-1", enrolledAtMs: T0 }),
      assetSummary({ assetId: "asset-2", enrolledAtMs: T0 + 1 }),
      summary({ assetId: "ta_1", enrolledAtMs: T0 - 1 }),
    ];
    const library = new Library(() => {
      asked += 1;
      return Promise.resolve(rows);
    });
    expect(library.people).toBeNull();
    expect(await library.prefetch()).toBe(2);
    expect(await library.prefetch()).toBe(2);
    expect(asked).toBe(1);
    expect(library.people?.map((p) => p.assets.length)).toEqual([2, 1]);
    await library.load();
    expect(asked).toBe(2);
  });

  it("keeps the error of a failed listing", async () => {
    const library = new Library(() => refused({ code: "storage", message: "disk I/O error", field: null }));
    await library.load();
    expect(library.error?.message).toBe("disk I/O error");
    expect(library.loading).toBe(false);
  });
});
