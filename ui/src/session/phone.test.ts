import { describe, expect, it } from "vitest";
import type { PhoneReach } from "../ipc";
import { view } from "../testing/views";
import { phoneLine, reachChoices, reachLabel } from "./phone";

describe("phoneLine", () => {
  it("says the phone connected, by the talent's first name", () => {
    expect(phoneLine(view({}, { phone: { kind: "opened", atMs: 1 } }))).toEqual({
      text: "Phone connected — Ada is on the check",
      tone: "connected",
    });
  });

  it("waits for our page, and for the provider on theirs without implying a failure", () => {
    expect(phoneLine(view())?.tone).toBe("waiting");
    const theirs = phoneLine(view({}, { phone: { kind: "provider_reports" } }));
    expect(theirs?.text).toContain("waiting for the provider to report");
    expect(theirs?.text).not.toMatch(/fail|not/i);
  });

  it("says nothing once the QR is down", () => {
    expect(phoneLine(view({ state: "verified" }, { phone: { kind: "opened", atMs: 1 } }))).toBeNull();
    expect(phoneLine(view({ state: "expired" }))).toBeNull();
  });
});

describe("reach", () => {
  const wlan = { ip: "192.168.1.20", interface: "wlan0", kind: "lan" as const };
  const eth = { ip: "10.0.0.7", interface: "eth0", kind: "lan" as const };
  const reach = (r: Partial<PhoneReach>): PhoneReach => ({ host: "192.168.1.20", kind: "lan", choices: [wlan], warning: null, ...r });

  it("names the interface of the address in use", () => {
    expect(reachLabel(reach({}))).toBe("192.168.1.20 (wlan0)");
    expect(reachLabel(reach({ host: "127.0.0.1", kind: "loopback" }))).toBe("127.0.0.1");
  });

  it("offers a choice only when there is one or a way out of a warning", () => {
    expect(reachChoices(reach({}))).toEqual([]);
    expect(reachChoices(reach({ choices: [eth, wlan] }))).toEqual([wlan, eth]);
    expect(reachChoices(reach({ host: "127.0.0.1", kind: "loopback", warning: "Phones cannot open the QR" }))).toEqual([wlan]);
    expect(reachChoices(reach({ host: "127.0.0.1", kind: "loopback", warning: "No network address found", choices: [] }))).toEqual([]);
  });
});
