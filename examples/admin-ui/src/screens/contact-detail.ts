import {
  describeFailure,
  describeMutationError,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";
import { contactTimeline } from "./contact-timeline.ts";

interface ContactDetail {
  id: string;
  email: string | null;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  locale: string | null;
  timezone: string | null;
  birthday: string | null;
  properties: Record<string, unknown>;
  consent: { status: string; source: string | null; updatedAt: string | null };
  score: number;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string | null;
  tags: { id: string; name: string }[];
  segments: { id: string; name: string }[];
}

const contactQuery = `query Contact($id: ID!) {
  contact(id: $id) {
    id email externalId firstName lastName phone locale timezone birthday properties
    consent { status source updatedAt }
    score createdAt updatedAt lastSeenAt
    tags { id name }
    segments { id name }
  }
  tags(first: 500) { edges { node { name } } }
}`;

const updateNameMutation = `mutation UpdateContact($input: UpdateContactInput!) {
  updateContact(input: $input) {
    __typename
    ... on MutationUpdateContactSuccess { contact { id firstName lastName } }
    ${mutationErrorFields}
  }
}`;

const createTagMutation = `mutation CreateTag($input: CreateTagInput!) {
  createTag(input: $input) { __typename ${mutationErrorFields} }
}`;

/** `tagContacts` and `untagContacts` share their input and payload. */
const taggingMutation = (
  name: "tagContacts" | "untagContacts",
) => `mutation Tagging($input: TagContactsInput!) {
  ${name}(input: $input) {
    __typename
    ... on Mutation${name[0]?.toUpperCase()}${name.slice(1)}Success { result { changedCount } }
    ${mutationErrorFields}
  }
}`;

type Outcome<Success extends string, Data> = ({ __typename: Success } & Data) | MutationError;

/**
 * One contact: its fields, properties, consent, score and dates; edit first and last name
 * (`updateContact`); tag (`createTag` when the tag is new, then `tagContacts`) and untag.
 */
export async function showContactDetail(
  container: HTMLElement,
  { credentials, signal }: ScreenContext,
  id?: string,
) {
  // The timeline's streams: closed on leaving the screen, or when the contact is drawn again.
  let timelineStreams = new AbortController();
  signal.addEventListener("abort", () => timelineStreams.abort());
  const status = h("div", { testid: "contact-status" });
  const say = (kind: "error" | "info", text: string) => show(status, notice(kind, text));

  async function reload() {
    timelineStreams.abort();
    timelineStreams = new AbortController();
    const data = await gql<{
      contact: ContactDetail | null;
      tags: { edges: { node: { name: string } }[] };
    }>(credentials, contactQuery, { id });
    if (!data.contact) {
      show(
        container,
        h("h1", {}, "Contact"),
        notice("error", "No such contact in this workspace.", "contact-missing"),
      );
      return;
    }
    render(
      data.contact,
      data.tags.edges.map(({ node }) => node.name),
    );
  }

  async function run<S extends string, D>(
    mutation: string,
    input: Record<string, unknown>,
    field: string,
  ): Promise<Outcome<S, D> | undefined> {
    try {
      const data = await gql<Record<string, Outcome<S, D>>>(credentials, mutation, { input });
      return data[field];
    } catch (error) {
      say("error", describeFailure(error));
      return undefined;
    }
  }

  async function addTag(contact: ContactDetail, name: string, known: string[]) {
    if (!known.includes(name)) {
      const created = await run<"MutationCreateTagSuccess", object>(
        createTagMutation,
        { name },
        "createTag",
      );
      // A ConflictError means someone created it meanwhile: tag with it all the same.
      if (!created) return;
      if (
        created.__typename !== "MutationCreateTagSuccess" &&
        created.__typename !== "ConflictError"
      ) {
        return say("error", describeMutationError(created));
      }
    }
    await changeTags("tagContacts", contact, name);
  }

  async function changeTags(
    name: "tagContacts" | "untagContacts",
    contact: ContactDetail,
    tag: string,
  ) {
    const outcome = await run<`Mutation${string}Success`, { result: { changedCount: number } }>(
      taggingMutation(name),
      { contactIds: [contact.id], tags: [tag] },
      name,
    );
    if (!outcome) return;
    switch (outcome.__typename) {
      case "InvalidInputError":
      case "NotFoundError":
      case "ConflictError":
      case "ForbiddenError":
        return say("error", describeMutationError(outcome));
      default:
        await reload();
        say("info", name === "tagContacts" ? `Tagged “${tag}”.` : `Removed “${tag}”.`);
    }
  }

  function render(contact: ContactDetail, knownTags: string[]) {
    const firstName = h("input", {
      testid: "first-name",
      value: contact.firstName ?? "",
      "aria-label": "First name",
    });
    const lastName = h("input", {
      testid: "last-name",
      value: contact.lastName ?? "",
      "aria-label": "Last name",
    });
    const nameForm = h(
      "form",
      { class: "inline" },
      firstName,
      lastName,
      h("button", { type: "submit", testid: "save-name" }, "Save name"),
    );
    nameForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const outcome = await run<"MutationUpdateContactSuccess", object>(
        updateNameMutation,
        {
          id: contact.id,
          fields: {
            firstName: firstName.value.trim() || null,
            lastName: lastName.value.trim() || null,
          },
        },
        "updateContact",
      );
      if (!outcome) return;
      if (outcome.__typename === "MutationUpdateContactSuccess") {
        await reload();
        return say("info", "Name saved.");
      }
      say("error", describeMutationError(outcome));
    });

    const tagInput = h("input", {
      testid: "tag-input",
      list: "known-tags",
      placeholder: "Tag name",
      "aria-label": "Tag",
    });
    const tagForm = h(
      "form",
      { class: "inline" },
      tagInput,
      h(
        "datalist",
        { id: "known-tags" },
        knownTags.map((name) => h("option", { value: name })),
      ),
      h("button", { type: "submit", testid: "add-tag" }, "Add tag"),
    );
    tagForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const name = tagInput.value.trim();
      if (name) void addTag(contact, name, knownTags);
    });

    const field = (label: string, value: string | number | null, testid?: string) => [
      h("dt", {}, label),
      h("dd", { testid }, value === null || value === "" ? "—" : String(value)),
    ];
    show(
      container,
      h("p", {}, h("a", { href: "#/contacts" }, "← Contacts")),
      h("h1", { testid: "contact-email" }, contact.email ?? "(no email)"),
      status,
      h(
        "dl",
        { class: "fields" },
        field(
          "Name",
          [contact.firstName, contact.lastName].filter(Boolean).join(" "),
          "contact-name",
        ),
        field("Customer id", contact.externalId),
        field("Phone", contact.phone),
        field("Locale", contact.locale),
        field("Time zone", contact.timezone),
        field("Birthday", contact.birthday),
        field(
          "Consent",
          `${contact.consent.status}${contact.consent.source ? ` (${contact.consent.source})` : ""}`,
          "contact-consent",
        ),
        field("Score", contact.score, "contact-score"),
        field("Created", formatDate(contact.createdAt)),
        field("Last seen", formatDate(contact.lastSeenAt)),
        field("Segments", contact.segments.map((segment) => segment.name).join(", ")),
      ),
      h("h2", {}, "Name"),
      nameForm,
      h("h2", {}, "Tags"),
      h(
        "ul",
        { class: "chips", testid: "contact-tags" },
        contact.tags.map((tag) =>
          h(
            "li",
            { class: "chip", testid: "contact-tag", "data-tag": tag.name },
            tag.name,
            h(
              "button",
              {
                class: "link",
                testid: `untag-${tag.name}`,
                "aria-label": `Remove ${tag.name}`,
                onclick: () => void changeTags("untagContacts", contact, tag.name),
              },
              "×",
            ),
          ),
        ),
      ),
      tagForm,
      h("h2", {}, "Properties"),
      h("pre", { testid: "contact-properties" }, JSON.stringify(contact.properties, null, 2)),
      contactTimeline(credentials, contact.id, timelineStreams.signal),
    );
  }

  await reload();
}
