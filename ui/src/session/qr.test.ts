import { describe, expect, it } from "vitest";
import { qrMarkup } from "./qr";

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="8" height="8" viewBox="0 0 8 8"><rect width="8" height="8" fill="#ffffff"/><path fill="#000000" d="M0 0h1v1H0V0"/></svg>';

describe("qrMarkup", () => {
  it("passes the bare SVG the backend sends through, trimmed", () => {
    expect(qrMarkup(SVG)).toBe(SVG);
    expect(qrMarkup(`  ${SVG}\n`)).toBe(SVG);
  });

  it("has nothing to show without a QR", () => {
    expect(qrMarkup(null)).toBeNull();
  });

  it("refuses anything that is not one SVG element", () => {
    expect(qrMarkup("<img src=x onerror=alert(1)>")).toBeNull();
    expect(qrMarkup(`${SVG}<script>alert(1)</script>`)).toBeNull();
    expect(qrMarkup("<svgx></svgx>")).toBeNull();
    expect(qrMarkup(`${SVG}${SVG}`)).toBeNull();
    expect(qrMarkup(`<p>x</p>${SVG}`)).toBeNull();
  });
});
