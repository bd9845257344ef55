import { describeFailure, gql } from "./api.ts";
import { h, notice, show } from "./dom.ts";
import { showAttribution } from "./screens/attribution.ts";
import { showContactDetail } from "./screens/contact-detail.ts";
import { showContacts } from "./screens/contacts.ts";
import { showDashboard } from "./screens/dashboard.ts";
import { showImport } from "./screens/import.ts";
import { showMessages } from "./screens/messages.ts";
import { showScenarioBlueprints } from "./screens/scenario-blueprints.ts";
import { showScenarios } from "./screens/scenarios.ts";
import { showSegments } from "./screens/segments.ts";
import { showSignIn } from "./screens/sign-in.ts";
import { showTags } from "./screens/tags.ts";
import { showTemplates } from "./screens/templates.ts";
import { type Credentials, clearCredentials, loadCredentials } from "./session.ts";

/** What every screen gets: the signed-in credentials, and a signal aborted when the user leaves the screen (it closes live streams). */
export interface ScreenContext {
  credentials: Credentials;
  signal: AbortSignal;
}

type Screen = (container: HTMLElement, context: ScreenContext, param?: string) => Promise<void>;

/** Hash routes: `#/dashboard` (the landing screen), `#/attribution`, `#/contacts`, `#/contacts/<id>`, `#/tags`, `#/import`, `#/segments`, `#/templates`, `#/messages`, `#/scenarios`, `#/scenarios/new` (from a blueprint), `#/scenarios/<id>`. */
const routes: Record<string, { title: string; screen: Screen; inNav: boolean }> = {
  dashboard: { title: "Dashboard", screen: showDashboard, inNav: true },
  contacts: { title: "Contacts", screen: showContacts, inNav: true },
  contact: { title: "Contact", screen: showContactDetail, inNav: false },
  tags: { title: "Tags", screen: showTags, inNav: true },
  import: { title: "Import", screen: showImport, inNav: true },
  segments: { title: "Segments", screen: showSegments, inNav: true },
  templates: { title: "Templates", screen: showTemplates, inNav: true },
  messages: { title: "Messages", screen: showMessages, inNav: true },
  scenarios: { title: "Scenarios", screen: showScenarios, inNav: true },
  attribution: { title: "Attribution", screen: showAttribution, inNav: true },
  blueprints: { title: "New scenario", screen: showScenarioBlueprints, inNav: false },
};

const app = document.getElementById("app") as HTMLElement;
let leaving = new AbortController();

function route(): { name: string; param?: string } {
  const [name = "dashboard", param] = location.hash.replace(/^#\/?/, "").split("/");
  if (name === "contacts" && param) return { name: "contact", param: decodeURIComponent(param) };
  if (name === "scenarios" && param === "new") return { name: "blueprints" };
  if (name === "scenarios" && param) return { name: "scenarios", param: decodeURIComponent(param) };
  return { name: routes[name] ? name : "dashboard" };
}

async function render() {
  leaving.abort();
  leaving = new AbortController();
  const { signal } = leaving;
  const credentials = loadCredentials();
  if (!credentials) {
    showSignIn(app, () => render());
    return;
  }
  const { name, param } = route();
  const main = h("main", { testid: "screen" });
  const workspace = h("span", { class: "workspace", testid: "workspace-name" });
  const nav = h(
    "nav",
    {},
    Object.entries(routes)
      .filter(([, entry]) => entry.inNav)
      .map(([key, entry]) =>
        h(
          "a",
          {
            href: `#/${key}`,
            testid: `nav-${key}`,
            class:
              key === name ||
              (key === "contacts" && name === "contact") ||
              (key === "scenarios" && name === "blueprints")
                ? "active"
                : undefined,
          },
          entry.title,
        ),
      ),
  );
  const signOut = h(
    "button",
    {
      class: "link",
      testid: "sign-out",
      onclick: () => {
        clearCredentials();
        location.hash = "";
        void render();
      },
    },
    "Sign out",
  );
  show(app, h("header", {}, h("strong", {}, "Cartwheel admin"), workspace, nav, signOut), main);
  gql<{ workspace: { name: string } }>(credentials, "{ workspace { name } }")
    .then(({ workspace: { name: shop } }) => show(workspace, shop))
    .catch(() => show(workspace, ""));
  const entry = routes[name] ?? routes.dashboard;
  document.title = `${entry?.title} · Cartwheel admin`;
  try {
    await entry?.screen(main, { credentials, signal }, param);
  } catch (error) {
    show(main, notice("error", describeFailure(error), "screen-error"));
  }
}

window.addEventListener("hashchange", () => void render());
void render();
