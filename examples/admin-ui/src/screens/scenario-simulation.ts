import { describeFailure, describeMutationError, gql, type MutationError } from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import { type Explained, explainedSelection, explanationTree } from "../explanation.ts";
import type { Credentials } from "../session.ts";

interface SimulatedStep {
  nodeId: string;
  kind: string;
  enteredAt: string;
  leftAt: string | null;
  output: string | null;
  reason: string | null;
  email: {
    to: string;
    subject: string;
    preheader: string;
    html: string;
    error: string | null;
  } | null;
  explanation: Explained | null;
}
interface Simulation {
  start: string;
  end: string;
  notStarted: string | null;
  events: {
    at: string;
    name: string;
    historyOnly: boolean;
    started: number;
    resumed: number;
    ended: number;
  }[];
  runs: {
    status: string;
    reason: string | null;
    startedAt: string;
    endedAt: string | null;
    entityKey: string;
    steps: SimulatedStep[];
  }[];
}

const simulateQuery = `query Simulate($input: SimulateScenarioInput!) {
  simulateScenario(input: $input) {
    __typename
    ... on QuerySimulateScenarioSuccess { data {
      start end notStarted
      events { at name historyOnly started resumed ended }
      runs { status reason startedAt endedAt entityKey steps {
        nodeId kind enteredAt leftAt output reason
        email { to subject preheader html error }
        explanation { ${explainedSelection(3, false)} }
      } }
    } }
    ... on InvalidInputError { message problems { path message } }
    ... on NotFoundError { message entity }
  }
}`;

const contactsQuery = `query($filter: ContactFilter) {
  contacts(first: 6, filter: $filter) { edges { node { id email firstName } } }
}`;

type SimulateOutcome =
  | { __typename: "QuerySimulateScenarioSuccess"; data: Simulation }
  | Extract<MutationError, { __typename: "InvalidInputError" | "NotFoundError" }>;

const units = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/** "+2 d 3 h" after the simulation's start. */
function offset(from: string, to: string): string {
  let minutes = Math.round((Date.parse(to) - Date.parse(from)) / 60_000);
  if (minutes <= 0) return "start";
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  return `+${[days && `${days} d`, hours && `${hours} h`, minutes && `${minutes} min`].filter(Boolean).join(" ")}`;
}

/** A `<input type=datetime-local>` value for now, in the browser's zone. */
function localNow(): string {
  const now = new Date();
  now.setSeconds(0, 0);
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function parseJson(text: string, what: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return undefined;
  const value = JSON.parse(text) as unknown;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${what} must be a JSON object, like {"plan": "pro"}.`);
  }
  return value as Record<string, unknown>;
}

function stepItem(step: SimulatedStep, start: string): HTMLElement {
  const mail = step.email;
  return h(
    "li",
    {
      class: `sim-step kind-${step.kind}${mail?.error ? " has-error" : ""}`,
      testid: "sim-step",
      "data-node": step.nodeId,
    },
    h(
      "div",
      { class: "sim-when", title: formatDate(step.enteredAt) },
      offset(start, step.enteredAt),
    ),
    h(
      "div",
      { class: "sim-body" },
      h(
        "div",
        { class: "sim-head" },
        h("strong", {}, step.kind.replace(/_/g, " ")),
        h("code", {}, step.nodeId),
        step.output
          ? h("span", { class: "chip", testid: "sim-output" }, `→ ${step.output}`)
          : h("span", { class: "chip waiting" }, "waiting"),
      ),
      step.reason ? h("p", { class: "muted sim-reason" }, step.reason) : null,
      step.explanation
        ? h("ul", { class: "explanation" }, explanationTree(step.explanation))
        : null,
      mail
        ? h(
            "div",
            { class: "sim-mail", testid: "sim-mail" },
            mail.error ? notice("error", `Cannot render: ${mail.error}`, "sim-mail-error") : null,
            h(
              "dl",
              { class: "fields" },
              h("dt", {}, "To"),
              h("dd", {}, mail.to),
              h("dt", {}, "Subject"),
              h("dd", { testid: "sim-mail-subject" }, mail.subject || "—"),
              mail.preheader ? h("dt", {}, "Preheader") : null,
              mail.preheader ? h("dd", { class: "muted" }, mail.preheader) : null,
            ),
            mail.error
              ? null
              : // The mail's own HTML, isolated from the admin: no scripts, no access to this page.
                h("iframe", {
                  sandbox: "",
                  srcdoc: mail.html,
                  title: `${step.nodeId} preview`,
                  testid: "sim-mail-html",
                }),
          )
        : null,
    ),
  );
}

function results(simulation: Simulation): HTMLElement[] {
  const { start } = simulation;
  return [
    h(
      "p",
      { class: "muted", testid: "sim-summary" },
      `${simulation.runs.length} run${simulation.runs.length === 1 ? "" : "s"} · from ${formatDate(start)} to ${formatDate(simulation.end)}`,
    ),
    simulation.notStarted ? notice("info", simulation.notStarted, "sim-not-started") : null,
    simulation.events.length
      ? h(
          "ul",
          { class: "chips", testid: "sim-events" },
          simulation.events.map((event) =>
            h(
              "li",
              { class: "chip", title: formatDate(event.at) },
              `${offset(start, event.at)} · ${event.name}`,
              event.historyOnly
                ? " (history)"
                : [
                    event.started && ` · started ${event.started}`,
                    event.resumed && ` · resumed ${event.resumed}`,
                    event.ended && ` · ended ${event.ended}`,
                  ].filter(Boolean),
            ),
          ),
        )
      : null,
    ...simulation.runs.map((run) =>
      h(
        "section",
        { class: "sim-run", testid: "sim-run" },
        h(
          "h3",
          {},
          `Run${run.entityKey ? ` for ${run.entityKey}` : ""} `,
          h(
            "span",
            { class: `status status-${run.status.toLowerCase()}`, testid: "sim-run-status" },
            run.status.toLowerCase(),
          ),
          run.reason ? h("span", { class: "muted" }, ` ${run.reason}`) : null,
        ),
        h(
          "ol",
          { class: "sim-steps" },
          run.steps.map((step) => stepItem(step, start)),
        ),
      ),
    ),
  ].filter((node): node is HTMLElement => node !== null);
}

/**
 * "Simulate" on a scenario page: a contact of the workspace (found by email) or a made-up one,
 * events at times after the start, and `simulateScenario` on the scenario's draft. Each step
 * of the run is listed with its mail rendered (a sandboxed iframe) and its condition explained.
 */
export function simulationPanel(
  credentials: Credentials,
  scenario: { id: string; definition: { trigger: { kind: string; event?: string } } },
): HTMLElement {
  let contactId: string | null = null;
  const output = h("div", { class: "sim-results", testid: "sim-results" });
  const status = h("div", { testid: "sim-status" });

  const chosen = h("div", { class: "muted", testid: "sim-contact-chosen" }, "No contact chosen.");
  const matches = h("ul", { class: "sim-matches" });
  const search = h("input", {
    type: "search",
    placeholder: "Search contacts by email",
    testid: "sim-contact-search",
    oninput: async () => {
      const term = search.value.trim();
      if (term.length < 2) return show(matches);
      const { contacts } = await gql<{
        contacts: { edges: { node: { id: string; email: string; firstName: string | null } }[] };
      }>(credentials, contactsQuery, { filter: { emailContains: term } });
      if (search.value.trim() !== term) return;
      show(
        matches,
        ...contacts.edges.map(({ node }) =>
          h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                class: "link",
                testid: "sim-contact-match",
                onclick: () => {
                  contactId = node.id;
                  show(chosen, h("span", { class: "chip" }, node.email));
                  show(matches);
                },
              },
              node.email,
            ),
          ),
        ),
        contacts.edges.length === 0 ? h("li", { class: "muted" }, "No contact matches.") : null,
      );
    },
  });
  const madeUpEmail = h("input", {
    type: "email",
    value: "ada@example.com",
    testid: "sim-madeup-email",
  });
  const madeUpName = h("input", { value: "Ada", testid: "sim-madeup-first-name" });
  const madeUpProperties = h("input", {
    placeholder: '{"plan": "pro"}',
    testid: "sim-madeup-properties",
  });
  const existing = h("div", { class: "field" }, search, matches, chosen);
  const madeUp = h(
    "div",
    { class: "sim-madeup" },
    h("label", { class: "field" }, h("span", {}, "Email"), madeUpEmail),
    h("label", { class: "field" }, h("span", {}, "First name"), madeUpName),
    h("label", { class: "field" }, h("span", {}, "Properties (JSON)"), madeUpProperties),
  );
  let who: "madeUp" | "existing" = "madeUp";
  const whoSwitch = (value: typeof who, label: string) =>
    h(
      "label",
      { class: "radio" },
      h("input", {
        type: "radio",
        name: `sim-who-${scenario.id}`,
        value,
        checked: value === who,
        testid: `sim-who-${value}`,
        onchange: () => {
          who = value;
          existing.hidden = who !== "existing";
          madeUp.hidden = who !== "madeUp";
        },
      }),
      label,
    );
  existing.hidden = true;

  const start = h("input", { type: "datetime-local", value: localNow(), testid: "sim-start" });
  const eventRows = h("div", { class: "sim-event-rows" });
  const addEvent = (name = "", after = 0, unit: keyof typeof units = "hours") => {
    const row = h(
      "div",
      { class: "sim-event-row", testid: "sim-event-row" },
      h("input", {
        placeholder: "Event name",
        value: name,
        class: "event-name",
        testid: "sim-event-name",
      }),
      h("input", {
        type: "number",
        min: 0,
        value: after,
        class: "narrow",
        testid: "sim-event-after",
        "aria-label": "after",
      }),
      h(
        "select",
        { testid: "sim-event-unit", "aria-label": "unit" },
        Object.keys(units).map((key) => h("option", { value: key, selected: key === unit }, key)),
      ),
      h("input", {
        placeholder: "properties JSON",
        testid: "sim-event-properties",
        class: "grow",
      }),
      h(
        "button",
        { type: "button", class: "link danger", onclick: () => row.remove(), title: "Remove" },
        "✕",
      ),
    );
    eventRows.append(row);
  };
  if (scenario.definition.trigger.kind === "event" && scenario.definition.trigger.event) {
    addEvent(scenario.definition.trigger.event);
  }

  const input = (): Record<string, unknown> => {
    const startAt = new Date(start.value);
    if (Number.isNaN(startAt.getTime())) throw new Error("Choose when the simulation starts.");
    const events = [...eventRows.querySelectorAll<HTMLElement>(".sim-event-row")].flatMap((row) => {
      const field = (id: string) =>
        (row.querySelector(`[data-testid=${id}]`) as HTMLInputElement).value.trim();
      const name = field("sim-event-name");
      if (!name) return [];
      const unit = units[field("sim-event-unit") as keyof typeof units];
      const at = new Date(startAt.getTime() + Number(field("sim-event-after") || 0) * unit);
      const properties = parseJson(field("sim-event-properties"), `“${name}”'s properties`);
      return [{ name, at: at.toISOString(), ...(properties && { properties }) }];
    });
    const base = { scenarioId: scenario.id, start: startAt.toISOString(), events };
    if (who === "existing") {
      if (!contactId) throw new Error("Search for a contact and pick one, or use a made-up one.");
      return { ...base, contactId };
    }
    const properties = parseJson(madeUpProperties.value, "The contact's properties");
    return {
      ...base,
      contact: {
        email: madeUpEmail.value.trim(),
        ...(madeUpName.value.trim() && { firstName: madeUpName.value.trim() }),
        ...(properties && { properties }),
      },
    };
  };

  const run = h("button", { type: "submit", testid: "sim-run-button" }, "Run simulation");
  const form = h(
    "form",
    {
      class: "sim-form",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        let variables: Record<string, unknown>;
        try {
          variables = { input: input() };
        } catch (error) {
          return show(status, notice("error", describeFailure(error), "sim-error"));
        }
        run.disabled = true;
        show(status, notice("info", "Simulating…"));
        try {
          const { simulateScenario: outcome } = await gql<{ simulateScenario: SimulateOutcome }>(
            credentials,
            simulateQuery,
            variables,
          );
          if (outcome.__typename === "QuerySimulateScenarioSuccess") {
            show(status);
            show(output, ...results(outcome.data));
          } else {
            show(status, notice("error", describeMutationError(outcome), "sim-error"));
          }
        } catch (error) {
          show(status, notice("error", describeFailure(error), "sim-error"));
        } finally {
          run.disabled = false;
        }
      },
    },
    h(
      "div",
      { class: "sim-who" },
      whoSwitch("madeUp", "Made-up contact"),
      whoSwitch("existing", "Existing contact"),
    ),
    madeUp,
    existing,
    h("label", { class: "field" }, h("span", {}, "Starts at"), start),
    h(
      "div",
      { class: "field" },
      h("span", {}, "Events, after the start"),
      eventRows,
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          testid: "sim-add-event",
          onclick: () => addEvent(),
        },
        "Add event",
      ),
    ),
    h("div", { class: "actions" }, run),
    status,
  );

  return h(
    "section",
    { class: "panel simulation", testid: "simulation" },
    h(
      "div",
      { class: "panel-head" },
      h("h2", {}, "Simulate"),
      h("span", { class: "muted" }, "Dry run of the draft: nothing is saved or sent."),
    ),
    h("div", { class: "sim-layout" }, form, output),
  );
}
