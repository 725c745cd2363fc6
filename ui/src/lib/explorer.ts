import { commands } from "../ipc";
import { studio } from "../state/studio.svelte";

/** Opens a wallet's Basescan page in the system browser; the backend refuses any other URL. */
export async function openExplorer(url: string): Promise<void> {
  try {
    await commands.openExplorer(url);
  } catch (e) {
    studio.showError(e);
  }
}
