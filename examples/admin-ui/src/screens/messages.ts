import { describeFailure, gql } from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
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

/** Exported for tests: the one request per page, newest first as the API orders them. */
export const messagesQuery = `query Messages($first: Int!, $after: String, $filter: MessageFilter) {
  messages(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id toEmail subject status statusReason queuedAt sentAt
      openedAt clickedAt bouncedAt unsubscribedAt template { id name } } }
  }
}`;

const statuses: MessageStatus[] = ["QUEUED", "SENDING", "SENT", "FAILED", "SUPPRESSED"];
const statusLabel = (status: MessageStatus) => status[0] + status.slice(1).toLowerCase();

/** The engagement marks, in this order; a mark is shown when the API gives its time. */
const marks = [
  ["openedAt", "Opened"],
  ["clickedAt", "Clicked"],
  ["bouncedAt", "Bounced"],
  ["unsubscribedAt", "Unsubscribed"],
] as const;

function messageRow(message: MessageRow) {
  return h(
    "tr",
    { testid: "message-row", "data-message": message.id, "data-status": message.status },
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

/** Sent and queued email (`messages`), newest first, filtered by status; "Load more" pages on. */
export async function showMessages(container: HTMLElement, { credentials }: ScreenContext) {
  const total = h("p", { class: "muted", testid: "messages-total" });
  const rows = h("tbody", {});
  const status = h("div");
  const more = h("div", { class: "load-more" });
  let filter: { status?: MessageStatus[] } = {};
  let latest = 0;

  async function load(after: string | null) {
    const request = ++latest;
    show(status, notice("info", "Loading…"));
    let messages: MessagesPage["messages"];
    try {
      ({ messages } = await gql<MessagesPage>(credentials, messagesQuery, {
        first: messagesPageSize,
        after,
        filter,
      }));
    } catch (error) {
      if (request === latest) show(status, notice("error", describeFailure(error), "screen-error"));
      return;
    }
    if (request !== latest) return;
    show(status);
    if (!after) rows.replaceChildren();
    rows.append(...messages.edges.map(({ node }) => messageRow(node)));
    const shown = rows.children.length;
    show(
      total,
      messages.totalCount === 0
        ? filter.status
          ? "No messages with this status."
          : "No messages yet."
        : `${shown} of ${messages.totalCount} messages, newest first`,
    );
    const { hasNextPage, endCursor } = messages.pageInfo;
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
  }

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
    h("div", { class: "page-head" }, h("div", {}, h("h1", {}, "Messages"), total), statusFilter),
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
