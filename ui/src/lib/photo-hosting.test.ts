import { describe, expect, it } from "vitest";
import { hostingCheckLines, hostingForm, parseHostingForm } from "./photo-hosting";

const base = { ...hostingForm({}), bucket: "casting" };

describe("parseHostingForm", () => {
  it("trims and keeps the keys out of the settings", () => {
    const parsed = parseHostingForm({ ...base, endpoint: " https://r2.example.com ", accessKeyId: "AK", secretAccessKey: "s" });
    expect(parsed).toEqual({
      ok: true,
      value: { endpoint: "https://r2.example.com", region: "", bucket: "casting", prefix: "likeness/" },
    });
  });

  it("refuses an endpoint that is no web address, keys without a bucket, and a half key", () => {
    expect(parseHostingForm({ ...base, endpoint: "s3.example.com" }).ok).toBe(false);
    expect(parseHostingForm({ ...base, bucket: "", accessKeyId: "AK", secretAccessKey: "s" }).ok).toBe(false);
    expect(parseHostingForm({ ...base, accessKeyId: "AK" }).ok).toBe(false);
    // Saving with the key fields empty keeps the stored keys.
    expect(parseHostingForm(base).ok).toBe(true);
  });
});

describe("hostingCheckLines", () => {
  it("says each finding, and a public bucket as a problem", () => {
    const lines = hostingCheckLines({
      bucket: "casting",
      uploaded: true,
      linkServed: true,
      private: false,
      deleted: true,
      linkSeconds: 600,
    });
    expect(lines.map((l) => l.ok)).toEqual([true, true, false, true]);
    expect(lines[1]?.text).toContain("10 min");
    expect(lines[2]?.text).toContain("make it private");
  });
});
