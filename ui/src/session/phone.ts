import type { PhoneReach, SessionView } from "../ipc";

export interface PhoneLine {
  text: string;
  /** "connected": the phone reached the page; "waiting": ours, not yet; "provider": theirs. */
  tone: "connected" | "waiting" | "provider";
}

/** "Phone connected — Ada is on the check": the same words on the operator's and the talent's screens. */
export function connectedText(talentName: string): string {
  // The first name, as the talent is addressed in the room.
  const first = talentName.trim().split(/\s+/)[0] ?? talentName;
  return `Phone connected — ${first} is on the check`;
}

/**
 * What both views say about the talent's phone while the QR is up. A provider's own page says
 * nothing until its callback or status does, so that case never implies the phone failed.
 */
export function phoneLine(view: SessionView): PhoneLine | null {
  if (view.session.state !== "awaiting_scan") {
    return null;
  }
  switch (view.phone.kind) {
    case "opened":
      return { text: connectedText(view.session.talentName), tone: "connected" };
    case "not_yet":
      return { text: "Waiting for the phone to open the page", tone: "waiting" };
    case "provider_reports":
      return { text: "The check runs on the provider's page: waiting for the provider to report", tone: "provider" };
  }
}

/** "192.168.1.20 (wlan0)" for the address in use, when this machine lists it. */
export function reachLabel(reach: PhoneReach): string {
  const known = reach.choices.find((c) => c.ip === reach.host);
  return known ? `${known.ip} (${known.interface})` : reach.host;
}

/** The addresses offered to choose from: only when there is a real choice or a way out. */
export function reachChoices(reach: PhoneReach): PhoneReach["choices"] {
  const others = reach.choices.filter((c) => c.ip !== reach.host);
  return reach.warning !== null || reach.choices.length > 1 ? [...reach.choices.filter((c) => c.ip === reach.host), ...others] : [];
}
