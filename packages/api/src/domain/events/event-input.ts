import { z } from "zod";
import { type ContactInput, contactInput, emailField } from "../contacts/contact-input.ts";
import { canonicalEventName } from "../shared/standard-event-names.ts";
import { findUnstorableText } from "../shared/storable-text.ts";

/** The fixed limits of `POST /v1/batch` and `ingestEvents`; an event past one is rejected. */
export const ingestLimits = {
  maxEventsPerBatch: 100,
  maxBodyBytes: 500 * 1024,
  maxMessageIdLength: 200,
  maxAnonymousIdLength: 200,
  maxUserIdLength: 320,
  maxEventNameLength: 200,
  maxPropertiesBytes: 32 * 1024,
  maxTraitsBytes: 16 * 1024,
  maxContextBytes: 8 * 1024,
  /** Events older than this are refused from browsers (a stale offline queue, or a wrong clock). */
  maxEventAgeMs: 30 * 24 * 60 * 60 * 1000,
  /** A trusted server-side source (a secret key) may backfill history this far back. */
  maxTrustedEventAgeMs: 10 * 365 * 24 * 60 * 60 * 1000,
  /** Events dated further ahead than this are refused (a client clock set in the future). */
  maxFutureSkewMs: 60 * 60 * 1000,
} as const;

/** Why one event of a batch was refused. Refused events are never worth retrying. */
export const rejectionCodes = {
  invalidEvent: "invalid_event",
  missingIdentity: "missing_identity",
  nameTooLong: "name_too_long",
  propertiesTooLarge: "properties_too_large",
  traitsTooLarge: "traits_too_large",
  contextTooLarge: "context_too_large",
  timestampTooOld: "timestamp_too_old",
  timestampInFuture: "timestamp_in_future",
  invalidUserId: "invalid_user_id",
  invalidTraits: "invalid_traits",
  invalidUserHash: "invalid_user_hash",
} as const;
export type RejectionCode = (typeof rejectionCodes)[keyof typeof rejectionCodes];

export interface RejectedEvent {
  /** The event's position in the batch. */
  index: number;
  messageId: string;
  code: RejectionCode;
  message: string;
}

/**
 * Where a batch comes from: a browser with a public key, or a trusted server with a secret key,
 * which may backfill older history.
 */
export type EventSource = "browser" | "trusted";

/** The messageId prefix of events Cartwheel records itself; clients may not use it. */
export const internalMessageIdPrefix = "cartwheel:";

export const eventTypes = ["page", "track", "identify"] as const;
export type EventType = (typeof eventTypes)[number];

/** A valid event, ready to store. */
export interface IngestEvent {
  index: number;
  messageId: string;
  type: EventType;
  name: string;
  properties: Record<string, unknown>;
  anonymousId: string | null;
  userId: string | null;
  /** The contact fields this event sets (identify traits), or null. */
  contact: ContactInput | null;
  occurredAt: Date;
  /** The wire context plus `type`, `userId` and `traits`, kept with the stored event. */
  context: Record<string, unknown>;
  /** HMAC-SHA256 of `userId` by the shop's backend, proving a browser's identity. */
  userHash: string | null;
  /**
   * Whether the userId is proven: always from a trusted source (a secret key), from a browser
   * only with a matching `userHash`. Set by `ingestEvents`; unverified until then.
   */
  verified: boolean;
  /** Sent by a browser with the public key: what it reports about orders is unverified. */
  fromBrowser: boolean;
}

const jsonObject = z.record(z.string(), z.json());

/** One event as the SDK sends it in `batch` (see `packages/sdk/src/wire.ts`). */
const wireEvent = z.object({
  messageId: z.string().trim().min(1).max(ingestLimits.maxMessageIdLength),
  // `track` as the Segment spec spells it, or `TRACK` as the GraphQL enum does.
  type: z.preprocess(
    (type) => (typeof type === "string" ? type.toLowerCase() : type),
    z.enum(eventTypes),
  ),
  event: z.string().trim().min(1, "must not be empty").transform(canonicalEventName).optional(),
  properties: jsonObject.optional(),
  anonymousId: z.string().trim().min(1).max(ingestLimits.maxAnonymousIdLength).optional(),
  userId: z.string().trim().min(1).max(ingestLimits.maxUserIdLength).optional(),
  userHash: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "must be the 64 hex digits of HMAC-SHA256(userId)")
    .optional(),
  traits: jsonObject.optional(),
  timestamp: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }),
  context: jsonObject.optional(),
});
type WireEvent = z.output<typeof wireEvent>;

const defaultNames: Record<EventType, string | undefined> = {
  page: "Page Viewed",
  identify: "Identify",
  track: undefined,
};

/** Traits that name contact columns; any other trait goes to the contact's `properties`. */
const traitColumns: Record<string, keyof ContactInput> = {
  email: "email",
  firstName: "firstName",
  first_name: "firstName",
  lastName: "lastName",
  last_name: "lastName",
  phone: "phone",
  locale: "locale",
  timezone: "timezone",
  birthday: "birthday",
};

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? {}));

/**
 * Checks each event of a batch on its own: the valid ones come back ready to store, the others
 * as rejections with a code and a message, so one bad event never blocks the rest.
 *
 * @example validateEvents([{ messageId: "m1", type: "track", event: "Added to Cart", … }], new Date())
 */
export function validateEvents(
  rawEvents: readonly unknown[],
  now: Date,
  source: EventSource = "browser",
): { events: IngestEvent[]; rejected: RejectedEvent[] } {
  const events: IngestEvent[] = [];
  const rejected: RejectedEvent[] = [];
  rawEvents.forEach((raw, index) => {
    const result = validateEvent(raw, index, now, source);
    if ("code" in result) rejected.push(result);
    else events.push(result);
  });
  return { events, rejected };
}

function validateEvent(
  raw: unknown,
  index: number,
  now: Date,
  source: EventSource,
): IngestEvent | RejectedEvent {
  const rawMessageId = (raw as { messageId?: unknown } | null)?.messageId;
  const reject = (code: RejectionCode, message: string): RejectedEvent => ({
    index,
    messageId: typeof rawMessageId === "string" ? rawMessageId : "",
    code,
    message,
  });
  const parsed = wireEvent.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    return reject(rejectionCodes.invalidEvent, `${where}${issue?.message ?? "is not an event"}`);
  }
  const unstorable = findUnstorableText(raw);
  if (unstorable) {
    return reject(
      rejectionCodes.invalidEvent,
      `${unstorable.path.join(".")}: ${unstorable.message}`,
    );
  }
  const wire = parsed.data;
  const name = wire.event ?? defaultNames[wire.type];
  if (!name) return reject(rejectionCodes.invalidEvent, "event: a track event needs a name");
  if (name.length > ingestLimits.maxEventNameLength) {
    return reject(
      rejectionCodes.nameTooLong,
      `event: the name is longer than ${ingestLimits.maxEventNameLength} characters`,
    );
  }
  if (!wire.anonymousId && !wire.userId) {
    return reject(rejectionCodes.missingIdentity, "give an anonymousId, a userId or both");
  }
  for (const [field, limit, code] of [
    ["properties", ingestLimits.maxPropertiesBytes, rejectionCodes.propertiesTooLarge],
    ["traits", ingestLimits.maxTraitsBytes, rejectionCodes.traitsTooLarge],
    ["context", ingestLimits.maxContextBytes, rejectionCodes.contextTooLarge],
  ] as const) {
    if (byteLength(wire[field]) > limit) {
      return reject(code, `${field}: larger than ${limit / 1024} KB as JSON`);
    }
  }
  if (wire.messageId.startsWith(internalMessageIdPrefix)) {
    return reject(
      rejectionCodes.invalidEvent,
      `messageId: ids starting "${internalMessageIdPrefix}" are reserved for Cartwheel's own events`,
    );
  }
  const occurredAt = new Date(wire.timestamp);
  const maxAge =
    source === "trusted" ? ingestLimits.maxTrustedEventAgeMs : ingestLimits.maxEventAgeMs;
  if (now.getTime() - occurredAt.getTime() > maxAge) {
    return reject(
      rejectionCodes.timestampTooOld,
      `timestamp: more than ${Math.round(maxAge / 86_400_000)} days in the past`,
    );
  }
  if (occurredAt.getTime() - now.getTime() > ingestLimits.maxFutureSkewMs) {
    return reject(rejectionCodes.timestampInFuture, "timestamp: more than 1 hour in the future");
  }
  const contact = wire.userId ? contactOf(wire.userId, wire.traits) : null;
  if (contact && "code" in contact) return reject(contact.code, contact.message);
  return {
    index,
    messageId: wire.messageId,
    type: wire.type,
    name,
    properties: wire.properties ?? {},
    anonymousId: wire.anonymousId ?? null,
    userId: wire.userId ?? null,
    contact,
    occurredAt,
    context: storedContext(wire),
    userHash: wire.userHash ?? null,
    verified: source === "trusted",
    fromBrowser: source === "browser",
  };
}

/**
 * The contact a userId (with its traits) names: an email when it contains "@", otherwise the
 * shop's customer id. Traits are merged into the contact; unknown ones become properties.
 */
function contactOf(
  userId: string,
  traits: Record<string, unknown> | undefined,
): ContactInput | { code: RejectionCode; message: string } {
  const isEmail = userId.includes("@");
  if (isEmail && !emailField.safeParse(userId).success) {
    return { code: rejectionCodes.invalidUserId, message: "userId: contains @ but is no email" };
  }
  const columns: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(traits ?? {})) {
    const column = traitColumns[key];
    if (column) columns[column] = value;
    else properties[key] = value;
  }
  if (isEmail) columns.email = userId;
  else columns.externalId = userId;
  const parsed = contactInput.safeParse({
    ...columns,
    ...(Object.keys(properties).length > 0 && { properties }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      code: rejectionCodes.invalidTraits,
      message: `traits.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
    };
  }
  return parsed.data;
}

function storedContext(wire: WireEvent): Record<string, unknown> {
  return {
    ...wire.context,
    type: wire.type,
    ...(wire.userId && { userId: wire.userId }),
    ...(wire.traits && { traits: wire.traits }),
  };
}
