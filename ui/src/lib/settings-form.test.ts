import { describe, expect, it } from "vitest";
import type { StageInfo } from "../ipc";
import { formFromSettings, parseSettingsForm, phoneAddress, type SettingsForm } from "./settings-form";

const form = (overrides: Partial<SettingsForm> = {}): SettingsForm => ({
  provider: "rehearsal",
  rehearsalHost: "",
  rehearsalPort: "8402",
  baseUrl: "",
  ...overrides,
});

describe("formFromSettings", () => {
  it("fills what the backend left out with the defaults", () => {
    expect(formFromSettings({})).toEqual(form());
    expect(formFromSettings({ rehearsalHost: "10.0.0.5", rehearsalPort: 9000, baseUrl: null })).toEqual(
      form({ rehearsalHost: "10.0.0.5", rehearsalPort: "9000" }),
    );
  });
});

describe("parseSettingsForm", () => {
  it("turns empty optional fields into null", () => {
    expect(parseSettingsForm(form({ rehearsalHost: "  " }))).toEqual({
      ok: true,
      value: { provider: "rehearsal", rehearsalHost: null, rehearsalPort: 8402, baseUrl: null },
    });
  });

  it("keeps a trimmed host and base URL", () => {
    const parsed = parseSettingsForm(form({ rehearsalHost: " 192.168.1.20 ", baseUrl: " http://10.0.0.2:8402/ " }));
    expect(parsed).toMatchObject({ ok: true, value: { rehearsalHost: "192.168.1.20", baseUrl: "http://10.0.0.2:8402/" } });
  });

  it("refuses a host with a scheme, path, port or space", () => {
    for (const host of ["http://1.2.3.4", "1.2.3.4:8402", "my host", "a/b"]) {
      expect(parseSettingsForm(form({ rehearsalHost: host }))).toMatchObject({ ok: false, errors: { rehearsal_host: expect.any(String) as string } });
    }
  });

  it("accepts ports 1024–65535 only", () => {
    for (const port of ["1024", "8402", "65535"]) {
      expect(parseSettingsForm(form({ rehearsalPort: port })).ok).toBe(true);
    }
    for (const port of ["0", "80", "1023", "65536", "", "84o2", "8402.5", "-1"]) {
      expect(parseSettingsForm(form({ rehearsalPort: port }))).toEqual({
        ok: false,
        errors: { rehearsal_port: "Pick a port between 1024 and 65535." },
      });
    }
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(parseSettingsForm(form({ baseUrl: "ftp://x" }))).toMatchObject({ ok: false, errors: { base_url: expect.stringContaining("http://") as string } });
    expect(parseSettingsForm(form({ baseUrl: "not a url" }))).toMatchObject({ ok: false, errors: { base_url: expect.stringContaining("full link") as string } });
  });
});

describe("phoneAddress", () => {
  const stage = (overrides: Partial<StageInfo> = {}): StageInfo => ({
    provider: "rehearsal",
    baseUrl: "http://192.168.1.20:8402/",
    phoneHost: "192.168.1.20",
    hasApiKey: true,
    ...overrides,
  });

  it("uses the port actually bound, from the base URL", () => {
    expect(phoneAddress(stage({ baseUrl: "http://192.168.1.20:40123/" }), 8402)).toBe("http://192.168.1.20:40123");
  });

  it("falls back to the setting when the base URL has no port", () => {
    expect(phoneAddress(stage({ baseUrl: "http://rehearsal.local/" }), 9000)).toBe("http://192.168.1.20:9000");
    expect(phoneAddress(stage({ baseUrl: "nonsense" }), undefined)).toBe("http://192.168.1.20:8402");
  });

  it("is null when Rehearsal runs elsewhere", () => {
    expect(phoneAddress(stage({ phoneHost: null }), 8402)).toBeNull();
  });
});
