import { describe, expect, it } from "vitest";
import { LatestLoad } from "./latest-load.svelte";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("LatestLoad", () => {
  it("keeps the newest answer when an older request finishes last", async () => {
    const older = deferred<string>();
    const newer = deferred<string>();
    const queue = [older, newer];
    const load = new LatestLoad(() => {
      const next = queue.shift();
      if (next === undefined) throw new Error("no more answers");
      return next.promise;
    });
    const first = load.load();
    const second = load.load();
    expect(load.loading).toBe(true);
    newer.resolve("new");
    await second;
    older.resolve("old");
    await first;
    expect(load.value).toBe("new");
    expect(load.loading).toBe(false);
  });

  it("turns a failure into a command error and clears it on the next success", async () => {
    const failing = deferred<number[]>();
    let answer = failing.promise;
    const load = new LatestLoad(() => answer);
    const pending = load.load();
    failing.reject({ code: "storage", message: "disk full", field: null });
    await pending;
    expect(load.error?.code).toBe("storage");
    expect(load.value).toBeNull();
    answer = Promise.resolve([1]);
    await load.load();
    expect(load.error).toBeNull();
    expect(load.value).toEqual([1]);
  });
});
