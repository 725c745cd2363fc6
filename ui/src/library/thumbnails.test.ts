import { describe, expect, it } from "vitest";
import { Thumbnails } from "./thumbnails.svelte";

/** A backend whose answers the test releases by hand. */
function backend() {
  const asked: string[] = [];
  const pending = new Map<string, (v: string | null) => void>();
  const failing = new Map<string, (e: unknown) => void>();
  const fetch = (id: string) =>
    new Promise<string | null>((resolve, reject) => {
      asked.push(id);
      pending.set(id, resolve);
      failing.set(id, reject);
    });
  return { asked, fetch, answer: (id: string, v: string | null) => pending.get(id)?.(v), fail: (id: string) => failing.get(id)?.(new Error("gone")) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("Thumbnails", () => {
  it("asks once per entry and keeps the answer", async () => {
    const b = backend();
    const thumbs = new Thumbnails(b.fetch);
    thumbs.want("ta_1");
    thumbs.want("ta_1");
    expect(b.asked).toEqual(["ta_1"]);
    expect(thumbs.get("ta_1")).toBeUndefined();
    b.answer("ta_1", "data:image/jpeg;base64,AA==");
    await settle();
    expect(thumbs.get("ta_1")).toBe("data:image/jpeg;base64,AA==");
    thumbs.want("ta_1");
    expect(b.asked).toEqual(["ta_1"]);
  });

  it("keeps at most `concurrency` requests in flight, newest asks first", async () => {
    const b = backend();
    const thumbs = new Thumbnails(b.fetch, { concurrency: 2 });
    for (const id of ["a", "b", "c", "d"]) thumbs.want(id);
    expect(b.asked).toEqual(["a", "b"]);
    b.answer("a", null);
    await settle();
    // "d" was asked for last: its row is the one just scrolled to.
    expect(b.asked).toEqual(["a", "b", "d"]);
  });

  it("drops the oldest waiting asks beyond the queue's length", async () => {
    const b = backend();
    const thumbs = new Thumbnails(b.fetch, { concurrency: 1, queue: 2 });
    for (const id of ["a", "b", "c", "d"]) thumbs.want(id);
    b.answer("a", null);
    await settle();
    b.answer("d", null);
    await settle();
    b.answer("c", null);
    await settle();
    expect(b.asked).toEqual(["a", "d", "c"]);
  });

  it("shows initials rather than a broken picture when an ask fails", async () => {
    const b = backend();
    const thumbs = new Thumbnails(b.fetch);
    thumbs.want("ta_x");
    b.fail("ta_x");
    await settle();
    expect(thumbs.get("ta_x")).toBeNull();
  });

  it("forgets the oldest previews beyond `max`, and takes seeded ones without asking", async () => {
    const b = backend();
    const thumbs = new Thumbnails(b.fetch, { max: 2 });
    thumbs.seed("a", "data:a");
    thumbs.seed("b", "data:b");
    thumbs.seed("none", null);
    thumbs.seed("c", "data:c");
    expect(thumbs.size).toBe(2);
    expect(thumbs.get("a")).toBeUndefined();
    expect(thumbs.get("c")).toBe("data:c");
    thumbs.want("c");
    expect(b.asked).toEqual([]);
    await settle();
  });
});
