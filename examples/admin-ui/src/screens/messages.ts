import { describeFailure, gql } from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import { type LiveState, liveBadge, subscribeLive } from "../live.ts";
import type { ScreenContext } from "../main.ts";

type MessageStatus = "QUEUED" | "SENDING" | "SENT" | "FAILED" | "SUPPRESSED";

interface MessageRow {
  id: string;
  toEmail: string;
  subject: string | null;
  status: MessageStatus;
  statusReason: string | null;
  queuedAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  bouncedAt: string | null;
  unsubscribedAt: string | null;
  template: { id: string; name: string } | null;
}

interface MessagesPage {
  messages: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: MessageRow }[];
  };
}

/** Rows per request; "Load more" asks for the next page after the last cursor. */
export const messagesPageSize = 10;

const rowFields = `id toEmail subject status statusReason queuedAt sentAt deliveredAt
  openedAt clickedAt bouncedAt unsubscribedAt template { id name }`;

/** Exported for tests: the one request per page, newest first as the API orders them. */
export const messagesQuery = `query Messages($first: Int!, $after: String, $filter: MessageFilter) {
  messages(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${rowFields} } }
  }
}`;

/** Every message of the workspace as it is queued or changes, in the rows' shape. */
const activitySubscription = `subscription { messageActivity { ${rowFields} } }`;

const statuses: MessageStatus[] = ["QUEUED", "SENDING", "SENT", "FAILED", "SUPPRESSED"];
const statusLabel = (status: MessageStatus) => status[0] + status.slice(1).toLowerCase();

/** The engagement marks, in this order; a mark is shown when the API gives its time. */
const marks = [
  ["deliveredAt", "Delivered"],
  ["openedAt", "Opened"],
  ["clickedAt", "Clicked"],
  ["bouncedAt", "Bounced"],
  ["unsubscribedAt", "Unsubscribed"],
] as const;

function messageRow(message: MessageRow, changed = false) {
  return h(
    "tr",
    {
      testid: "message-row",
      "data-message": message.id,
      "data-status": message.status,
      "data-queued-at": message.queuedAt,
      class: changed ? "row-changed" : undefined,
    },
    h("td", {}, message.toEmail),
    h("td", {}, message.template?.name ?? "—"),
    h("td", {}, message.subject ?? h("span", { class: "muted" }, "Not rendered yet")),
    h(
      "td",
      {},
      h(
        "span",
        {
          class: `status status-message-${message.status.toLowerCase()}`,
          title: message.statusReason ?? undefined,
          testid: "message-status",
        },
        statusLabel(message.status),
      ),
    ),
    h("td", { testid: "message-sent-at" }, formatDate(message.sentAt)),
    h(
      "td",
      { class: "marks", testid: "message-marks" },
      marks
        .filter(([field]) => message[field])
        .map(([field, label]) =>
          h(
            "span",
            {
              class: `mark mark-${label.toLowerCase()}`,
              "data-mark": label.toLowerCase(),
              title: `${label} ${formatDate(message[field])}`,
            },
            label,
          ),
        ),
    ),
  );
}

/** Newest first, as the API orders them: by time queued, then by id. */
const newerThan = (a: { queuedAt: string; id: string }, b: { queuedAt: string; id: string }) =>
  a.queuedAt === b.queuedAt ? a.id > b.id : Date.parse(a.queuedAt) > Date.parse(b.queuedAt);

/**
 * Sent and queued email (`messages`), newest first, filtered by status; "Load more" pages on.
 * Kept live by `messageActivity`: a listed message is redrawn as it is sent, delivered, opened
 * or clicked, and a new one that passes the filter appears in its place (at the top, as a rule).
 */
export async function showMessages(container: HTMLElement, { credentials, signal }: ScreenContext) {
  const total = h("p", { class: "muted", testid: "messages-total" });
  const rows = h("tbody", {});
  const status = h("div");
  const more = h("div", { class: "load-more" });
  const state = liveBadge();
  let filter: { status?: MessageStatus[] } = {};
  let latest = 0;
  let totalCount = 0;
  let hasNextPage = false;
  // Changes that arrive while the first page loads wait for it, so the load cannot undo them.
  let heldBack: MessageRow[] | null = null;

  const showTotal = () =>
    show(
      total,
      totalCount === 0
        ? filter.status
          ? "No messages with this status."
          : "No messages yet."
        : `${rows.children.length} of ${totalCount} messages, newest first`,
    );

  function applyChanges(changed: MessageRow[]) {
    if (heldBack) {
      heldBack.push(...changed);
      return;
    }
    for (const message of [...changed].reverse()) {
      const listed = rows.querySelector(`[data-message="${CSS.escape(message.id)}"]`);
      if (listed) {
        listed.replaceWith(messageRow(message, true));
        continue;
      }
      if (filter.status && !filter.status.includes(message.status)) continue;
      const shown = [...rows.children] as HTMLElement[];
      const before = shown.find((row) =>
        newerThan(message, { queuedAt: row.dataset.queuedAt ?? "", id: row.dataset.message ?? "" }),
      );
      // Older than every row shown while more pages wait: "Load more" will bring it.
      if (!before && hasNextPage) continue;
      rows.insertBefore(messageRow(message, true), before ?? null);
      totalCount += 1;
    }
    showTotal();
  }

  async function load(after: string | null) {
    const request = ++latest;
    if (!after) heldBack ??= [];
    show(status, notice("info", "Loading…"));
    let messages: MessagesPage["messages"];
    try {
      ({ messages } = await gql<MessagesPage>(credentials, messagesQuery, {
        first: messagesPageSize,
        after,
        filter,
      }));
    } catch (error) {
      if (request === latest) {
        show(status, notice("error", describeFailure(error), "screen-error"));
        heldBack = null;
      }
      return;
    }
    if (request !== latest) return;
    show(status);
    if (!after) rows.replaceChildren();
    const listed = new Set([...rows.children].map((row) => (row as HTMLElement).dataset.message));
    rows.append(
      ...messages.edges
        .filter(({ node }) => !listed.has(node.id))
        .map(({ node }) => messageRow(node)),
    );
    totalCount = messages.totalCount;
    hasNextPage = messages.pageInfo.hasNextPage;
    showTotal();
    const { endCursor } = messages.pageInfo;
    show(
      more,
      hasNextPage
        ? h(
            "button",
            { testid: "messages-load-more", onclick: () => void load(endCursor) },
            "Load more",
          )
        : null,
    );
    const waiting = heldBack;
    heldBack = null;
    if (waiting?.length) applyChanges(waiting);
  }

  let lastState: LiveState = "connecting";
  subscribeLive<{ messageActivity: MessageRow[] }>(
    credentials,
    activitySubscription,
    {},
    {
      signal,
      onState: (now, detail) => {
        state.set(now, detail);
        // Back after a drop: what changed meanwhile is read with the first page again.
        if (now === "live" && lastState === "reconnecting") void load(null);
        lastState = now;
      },
      onData: ({ messageActivity }) => applyChanges(messageActivity),
    },
  );

  const statusFilter = h(
    "select",
    {
      testid: "messages-status-filter",
      "aria-label": "Status",
      onchange: (event: Event) => {
        const value = (event.target as HTMLSelectElement).value as MessageStatus | "";
        filter = value ? { status: [value] } : {};
        void load(null);
      },
    },
    h("option", { value: "" }, "All statuses"),
    statuses.map((s) => h("option", { value: s }, statusLabel(s))),
  );

  show(
    container,
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", { class: "title-with-badge" }, "Messages ", state.badge), total),
      statusFilter,
    ),
    status,
    h(
      "table",
      { testid: "messages-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Recipient", "Template", "Subject", "Status", "Sent at", ""].map((title) =>
            h("th", {}, title),
          ),
        ),
      ),
      rows,
    ),
    more,
  );
  await load(null);
}
