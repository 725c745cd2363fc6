import { describe, expect, it } from "vitest";
import type { StageInfo } from "../ipc";
import { formFromSettings, parseSettingsForm, phoneAddress, portMovedNote, type SettingsForm } from "./settings-form";

const form = (overrides: Partial<SettingsForm> = {}): SettingsForm => ({
  provider: "rehearsal",
  rehearsalHost: "",
  rehearsalPort: "8402",
  baseUrl: "",
  ...overrides,
});

describe("formFromSettings", () => {
  it("shows unset addresses as empty fields", () => {
    expect(formFromSettings({ provider: "rehearsal", rehearsalHost: null, rehearsalPort: 8402, baseUrl: null })).toEqual(form());
  });

  it("shows what is set", () => {
    expect(
      formFromSettings({ provider: "rehearsal", rehearsalHost: "10.0.0.5", rehearsalPort: 9000, baseUrl: "http://10.0.0.2:8402/" }),
    ).toEqual(form({ rehearsalHost: "10.0.0.5", rehearsalPort: "9000", baseUrl: "http://10.0.0.2:8402/" }));
  });

  it("round-trips through the parser unchanged", () => {
    const settings = { provider: "rehearsal" as const, rehearsalHost: "10.0.0.5", rehearsalPort: 9000, baseUrl: null };
    expect(parseSettingsForm(formFromSettings(settings))).toEqual({ ok: true, value: settings });
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

const stage = (overrides: Partial<StageInfo> = {}): StageInfo => ({
  provider: "rehearsal",
  baseUrl: "http://127.0.0.1:8402/",
  phoneHost: "192.168.1.20",
  rehearsalPort: 8402,
  hasApiKey: true,
  ...overrides,
});

describe("phoneAddress", () => {
  it("uses the port Rehearsal actually listens on, not the one in the base URL", () => {
    expect(phoneAddress(stage())).toBe("http://192.168.1.20:8402");
    expect(phoneAddress(stage({ rehearsalPort: 40123 }))).toBe("http://192.168.1.20:40123");
    expect(phoneAddress(stage({ baseUrl: "http://rehearsal.local/", rehearsalPort: 9000 }))).toBe("http://192.168.1.20:9000");
  });

  it("brackets an IPv6 phone address", () => {
    expect(phoneAddress(stage({ phoneHost: "fe80::1" }))).toBe("http://[fe80::1]:8402");
  });

  it("is null when Rehearsal does not run in this app", () => {
    expect(phoneAddress(stage({ phoneHost: null }))).toBeNull();
    expect(phoneAddress(stage({ rehearsalPort: null }))).toBeNull();
  });
});

describe("portMovedNote", () => {
  const settings = { provider: "rehearsal" as const, rehearsalHost: null, rehearsalPort: 8402, baseUrl: null };

  it("says nothing when Rehearsal listens on the port that was set", () => {
    expect(portMovedNote(stage(), settings)).toBeNull();
  });

  it("says which port Rehearsal moved to", () => {
    expect(portMovedNote(stage({ rehearsalPort: 40123 }), settings)).toBe(
      "Port 8402 was busy, so Rehearsal listens on 40123 for now.",
    );
  });

  it("says nothing when Rehearsal does not run in this app", () => {
    expect(portMovedNote(stage({ rehearsalPort: null }), settings)).toBeNull();
    expect(portMovedNote(stage({ phoneHost: null, rehearsalPort: 40123 }), settings)).toBeNull();
  });
});
