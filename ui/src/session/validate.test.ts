import { describe, expect, it } from "vitest";
import { charCount, isPhotoFile, MAX_NAME_CHARS, photoFileName, validateName, validatePhotoUrl } from "./validate";

function message(result: { ok: true } | { ok: false; message: string }): string {
  return result.ok ? "" : result.message;
}

describe("validateName", () => {
  it("refuses an empty or blank name", () => {
    expect(validateName("")).toEqual({ ok: false, message: "Type the talent's name." });
    expect(validateName("   \t ")).toEqual({ ok: false, message: "Type the talent's name." });
  });

  it("accepts and trims a normal name", () => {
    expect(validateName("  Ada Lovelace ")).toEqual({ ok: true, value: "Ada Lovelace" });
  });

  it("accepts exactly 64 characters and refuses 65, naming the limit", () => {
    expect(validateName("x".repeat(64)).ok).toBe(true);
    const long = validateName("x".repeat(65));
    expect(long.ok).toBe(false);
    expect(message(long)).toContain("64");
    expect(message(long)).toContain("65");
    expect(message(long)).toContain("too long");
  });

  it("counts characters, not UTF-16 units or bytes (as the backend does)", () => {
    const emoji = "😀".repeat(64); // 128 UTF-16 units, 256 bytes
    expect(emoji.length).toBe(128);
    expect(charCount(emoji)).toBe(64);
    expect(validateName(emoji).ok).toBe(true);
    expect(validateName("😀".repeat(65)).ok).toBe(false);
    expect(validateName("é".repeat(64)).ok).toBe(true);
    expect(validateName("名".repeat(65)).ok).toBe(false);
  });

  it("checks the trimmed name against the limit", () => {
    expect(validateName(` ${"x".repeat(MAX_NAME_CHARS)} `).ok).toBe(true);
  });
});

describe("validatePhotoUrl", () => {
  it("accepts an https link, trimmed", () => {
    expect(validatePhotoUrl(" https://photos.example/ada.jpg ")).toEqual({
      ok: true,
      value: "https://photos.example/ada.jpg",
    });
    expect(validatePhotoUrl("HTTPS://photos.example/a.png").ok).toBe(true);
  });

  it("asks for a link when empty", () => {
    expect(message(validatePhotoUrl(""))).toBe("Choose the talent's face photo, or paste a link to it.");
  });

  it("has its own message for plain http", () => {
    const m = message(validatePhotoUrl("http://photos.example/ada.jpg"));
    expect(m).toContain("https://");
    expect(m).toContain("plain http");
    expect(message(validatePhotoUrl("HTTP://photos.example/ada.jpg"))).toBe(m);
  });

  it("takes a file on this computer: an absolute path or a file:// URL", () => {
    expect(validatePhotoUrl("file:///home/me/ada.jpg")).toEqual({ ok: true, value: "file:///home/me/ada.jpg" });
    expect(validatePhotoUrl(" /home/me/Talent Photos/ada.jpg ")).toEqual({
      ok: true,
      value: "/home/me/Talent Photos/ada.jpg",
    });
    expect(validatePhotoUrl("C:\\Users\\me\\ada.jpg").ok).toBe(true);
    // A relative name is not a file the backend could find again.
    expect(validatePhotoUrl("ada.jpg").ok).toBe(false);
  });

  it("names a file by its own name", () => {
    expect(isPhotoFile("/home/me/ada.jpg")).toBe(true);
    expect(isPhotoFile("https://photos.example/ada.jpg")).toBe(false);
    expect(photoFileName("/home/me/Talent Photos/ada.jpg")).toBe("ada.jpg");
    expect(photoFileName("C:\\Users\\me\\grace.png")).toBe("grace.png");
    expect(photoFileName("file:///home/me/ada%20b.jpg")).toBe("ada b.jpg");
  });

  it("refuses text that is not a link, and links without the scheme", () => {
    expect(message(validatePhotoUrl("ada.jpg"))).toContain("not a web link");
    expect(message(validatePhotoUrl("photos.example/ada.jpg"))).toContain("https://");
    expect(message(validatePhotoUrl("ftp://photos.example/ada.jpg"))).toContain("not a web link");
  });

  it("refuses an https link without a host", () => {
    expect(validatePhotoUrl("https://").ok).toBe(false);
  });
});
