import { describe, expect, it } from "vitest";
import { isTyping, mayTakeFocus } from "./focus";

describe("mayTakeFocus", () => {
  it("takes focus from the page, a button, or an element that is gone", () => {
    expect(mayTakeFocus(null)).toBe(true);
    expect(mayTakeFocus({ tagName: "BODY" })).toBe(true);
    expect(mayTakeFocus({ tagName: "BUTTON" })).toBe(true);
    expect(mayTakeFocus({ tagName: "INPUT", type: "text", isConnected: false })).toBe(true);
    expect(mayTakeFocus({ tagName: "INPUT", type: "checkbox" })).toBe(true);
  });

  it("never takes it from someone typing", () => {
    expect(mayTakeFocus({ tagName: "INPUT", type: "text", isConnected: true })).toBe(false);
    expect(mayTakeFocus({ tagName: "input", type: "URL" })).toBe(false);
    expect(mayTakeFocus({ tagName: "INPUT", type: "search" })).toBe(false);
    expect(mayTakeFocus({ tagName: "TEXTAREA" })).toBe(false);
    expect(mayTakeFocus({ tagName: "SELECT" })).toBe(false);
    expect(mayTakeFocus({ tagName: "DIV", isContentEditable: true })).toBe(false);
  });
});

describe("isTyping", () => {
  it("is the opposite of mayTakeFocus", () => {
    for (const el of [null, { tagName: "BUTTON" }, { tagName: "INPUT", type: "text" }, { tagName: "SELECT" }]) {
      expect(isTyping(el)).toBe(!mayTakeFocus(el));
    }
  });
});
