import { describe, expect, it } from "vitest";
import { SHORTCUTS, shortcutFor, type KeyPress } from "./shortcuts";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods });
const BODY = { tagName: "BODY" };

describe("shortcutFor", () => {
  it("maps R, C, F and ? in either case to the button they press", () => {
    expect(shortcutFor(press("r"), BODY)?.presses).toBe("fresh-qr");
    expect(shortcutFor(press("f"), BODY)?.presses).toBe("show-talent");
    expect(shortcutFor(press("F"), BODY)?.presses).toBe("show-talent");
    expect(shortcutFor(press("R"), BODY)?.presses).toBe("fresh-qr");
    expect(shortcutFor(press("c"), { tagName: "BUTTON" })?.presses).toBe("check-now");
    expect(shortcutFor(press("?"), null)?.does).toBe("Show these shortcuts");
  });

  it("leaves other keys alone", () => {
    expect(shortcutFor(press("x"), BODY)).toBeNull();
    expect(shortcutFor(press("Enter"), BODY)).toBeNull();
  });

  it("never fires while typing or with a modifier held", () => {
    expect(shortcutFor(press("r"), { tagName: "INPUT", type: "text" })).toBeNull();
    expect(shortcutFor(press("c"), { tagName: "TEXTAREA" })).toBeNull();
    expect(shortcutFor(press("f"), { tagName: "INPUT", type: "text" })).toBeNull();
    expect(shortcutFor(press("c", { ctrlKey: true }), BODY)).toBeNull();
    expect(shortcutFor(press("r", { metaKey: true }), BODY)).toBeNull();
    expect(shortcutFor(press("?", { altKey: true }), BODY)).toBeNull();
  });

  it("lists each key once", () => {
    expect(new Set(SHORTCUTS.map((s) => s.key)).size).toBe(SHORTCUTS.length);
  });
});
