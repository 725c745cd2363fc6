import { mount } from "svelte";
import App from "./App.svelte";
import TalentScreen from "./talent/TalentScreen.svelte";
import { TALENT_WINDOW, windowLabel } from "./ipc";
import { warmUpFormats } from "./lib/format";
import "./app.css";

const target = document.getElementById("app");
if (target === null) {
  throw new Error("index.html has no #app element");
}

// One bundle, two windows: the operator's app, or the talent's own screen.
export default windowLabel() === TALENT_WINDOW ? mount(TalentScreen, { target }) : mount(App, { target });

// The first date formatter a page makes loads ICU's data (~20 ms): pay for it right after the
// first frame, not when the operator opens the Library.
requestAnimationFrame(() => {
  setTimeout(warmUpFormats, 0);
});
