import {
  describeFailure,
  describeMutationError,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { h, notice, show } from "../dom.ts";
import type { Credentials } from "../session.ts";

type Action = "publishScenario" | "pauseScenario" | "resumeScenario" | "archiveScenario";

const successType: Record<Action, string> = {
  publishScenario: "MutationPublishScenarioSuccess",
  pauseScenario: "MutationPauseScenarioSuccess",
  resumeScenario: "MutationResumeScenarioSuccess",
  archiveScenario: "MutationArchiveScenarioSuccess",
};

const lifecycleMutation = (action: Action) => `mutation($id: ID!) {
  ${action}(input: { id: $id }) {
    __typename
    ... on ${successType[action]} { scenario { id status liveVersion { version } } }
    ${mutationErrorFields}
  }
}`;

export interface LifecycleScenario {
  id: string;
  name: string;
  status: string;
  liveVersion: { version: number } | null;
  /** The draft differs from the live version: publishing would make a new one. */
  draftChanged: boolean;
  /** Runs waiting at a node now: what archiving ends. */
  runsInProgress: number;
}

/**
 * What the page says after a change of status, in the words of what the API did; null when
 * the page's own note on the new status says it (a paused scenario always explains itself).
 */
function afterText(
  action: Action,
  scenario: { status: string; liveVersion: { version: number } | null },
): string | null {
  const version = scenario.liveVersion ? `version ${scenario.liveVersion.version}` : "a version";
  switch (action) {
    case "publishScenario":
      return scenario.status === "PAUSED"
        ? `Published as ${version}. The scenario is still paused: resume it to start runs on it.`
        : `Published as ${version}: new runs start on it; runs in flight finish on the version they started with.`;
    case "pauseScenario":
      return null;
    case "resumeScenario":
      return "Resumed. New runs start again, and runs that fell due while paused advance now.";
    case "archiveScenario":
      return "Archived. Every run in progress has exited; the scenario can no longer run or be edited.";
  }
}

/**
 * The scenario's status actions: Publish for a draft (or a changed draft of a live one), Pause
 * for a live one, Resume for a paused one, and Archive with a confirm step, since it ends every
 * run in progress. Each calls its mutation (`ScenarioIdInput`); `done` draws the page again.
 */
export function lifecycleActions(
  credentials: Credentials,
  scenario: LifecycleScenario,
  done: (message: string | null) => void,
): HTMLElement | null {
  if (scenario.status === "ARCHIVED") return null;
  const status = h("div", { class: "publish-status", testid: "lifecycle-status" });
  const buttons: HTMLButtonElement[] = [];
  const run = async (action: Action, errorTestid: string) => {
    for (const button of buttons) button.disabled = true;
    try {
      const data = await gql<
        Record<
          Action,
          | {
              __typename: string;
              scenario: { status: string; liveVersion: { version: number } | null };
            }
          | MutationError
        >
      >(credentials, lifecycleMutation(action), { id: scenario.id });
      const outcome = data[action];
      if (outcome.__typename === successType[action] && "scenario" in outcome) {
        return done(afterText(action, outcome.scenario));
      }
      show(status, notice("error", describeMutationError(outcome as MutationError), errorTestid));
    } catch (error) {
      show(status, notice("error", describeFailure(error), errorTestid));
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  };
  const button = (
    label: string,
    testid: string,
    onclick: () => void,
    kind: "primary" | "secondary" | "danger" = "primary",
  ) => {
    const element = h(
      "button",
      { type: "button", class: kind === "primary" ? undefined : kind, testid, onclick },
      label,
    );
    buttons.push(element);
    return element;
  };

  const publishLabel =
    scenario.status === "DRAFT"
      ? "Publish"
      : `Publish changes as version ${(scenario.liveVersion?.version ?? 0) + 1}`;
  const publish =
    scenario.status === "DRAFT" || scenario.draftChanged
      ? button(publishLabel, "publish-scenario", () => run("publishScenario", "publish-error"))
      : null;
  const pause =
    scenario.status === "LIVE"
      ? button(
          "Pause",
          "pause-scenario",
          () => run("pauseScenario", "lifecycle-error"),
          "secondary",
        )
      : null;
  const resume =
    scenario.status === "PAUSED"
      ? button("Resume", "resume-scenario", () => run("resumeScenario", "lifecycle-error"))
      : null;

  const runs = scenario.runsInProgress;
  const confirm = h(
    "div",
    { class: "confirm-box", testid: "archive-confirm", hidden: true, role: "alertdialog" },
    h("strong", {}, `Archive “${scenario.name}”?`),
    h(
      "p",
      {},
      runs > 0
        ? `Every run in progress exits now (${runs === 1 ? "1 run is" : `${runs} runs are`} waiting), `
        : "Every run in progress exits now, ",
      "no new run starts, and the scenario can no longer be edited, published or resumed.",
    ),
  );
  const confirmActions = h(
    "div",
    { class: "actions" },
    button(
      "Archive scenario",
      "archive-confirm-button",
      () => run("archiveScenario", "lifecycle-error"),
      "danger",
    ),
    button(
      "Cancel",
      "archive-cancel",
      () => {
        confirm.hidden = true;
        archive.hidden = false;
      },
      "secondary",
    ),
  );
  confirm.append(confirmActions);
  const archive = button(
    "Archive…",
    "archive-scenario",
    () => {
      confirm.hidden = false;
      archive.hidden = true;
      (confirmActions.querySelector("button.secondary") as HTMLButtonElement | null)?.focus();
    },
    "secondary",
  );
  return h(
    "div",
    { class: "publish" },
    h("div", { class: "actions" }, publish, pause, resume, archive),
    confirm,
    status,
  );
}
