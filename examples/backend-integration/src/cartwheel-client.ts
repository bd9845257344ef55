/**
 * A small typed client for the parts of Cartwheel's API a shop backend calls: plain `fetch`,
 * no SDK. Every call retries network failures, 5xx and 429 answers with exponential back-off;
 * that is safe because each operation used here is idempotent (`importContacts` upserts by
 * externalId/email, events are stored once per `messageId`).
 */

/** `ContactInput` of the schema, as far as a customer sync fills it. */
export interface ContactInput {
  email?: string | null;
  externalId?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  locale?: string | null;
  properties?: Record<string, unknown>;
  consent?: { status: "UNKNOWN" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED"; source: string };
  tags?: string[];
}

/** `ProductInput` of the schema, as far as a catalog sync fills it (amounts in major units). */
export interface ProductInput {
  productId: string;
  sku?: string | null;
  title?: string | null;
  url?: string | null;
  imageUrl?: string | null;
  currency?: string;
  price?: number | null;
  category?: string | null;
  brand?: string | null;
  tags?: string[];
  inventoryQuantity?: number | null;
  inStock?: boolean;
}

/** `OrderInput` of the schema, as far as an order sync fills it (amounts in major units). */
export interface OrderInput {
  orderId: string;
  customer: { externalId?: string; email?: string };
  currency?: string;
  total: number;
  /** ISO 8601. */
  orderedAt: string;
  status?: "PLACED" | "PAID" | "FULFILLED" | "SHIPPED" | "CANCELLED";
  lines?: { productId: string; sku?: string; title?: string; price: number; quantity?: number }[];
}

/** What an all-or-nothing upsert of a batch returned. */
export type UpsertBatchResult =
  | { __typename: "Success"; createdCount: number; updatedCount: number }
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] }
  | OtherError;

/** One event in the wire shape of `POST /v1/batch` (`type` lower-case) or `ingestEvents`. */
export interface TrackEvent {
  messageId: string;
  event: string;
  userId: string;
  properties: Record<string, unknown>;
  /** ISO 8601. */
  timestamp: string;
}

export interface FieldProblem {
  path: string[];
  message: string;
}

interface OtherError {
  __typename: "ForbiddenError" | "NotFoundError" | "ConflictError";
  message: string;
}

export type ImportContactsResult =
  | {
      __typename: "MutationImportContactsSuccess";
      result: {
        createdCount: number;
        updatedCount: number;
        rows: { index: number; contactId: string; created: boolean }[];
      };
    }
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] }
  | OtherError;

/** What became of a batch of events: `accepted + duplicates + rejected.length` = its size. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; messageId: string; code: string; message: string }[];
}

export type IngestEventsResult =
  | { __typename: "MutationIngestEventsSuccess"; result: IngestResult }
  | { __typename: "InvalidInputError"; message: string; problems: FieldProblem[] }
  | { __typename: "RateLimitedError"; message: string; retryAfterSeconds: number }
  | OtherError;

const upsertProductsMutation = `mutation UpsertProducts($input: UpsertProductsInput!) {
  upsertProducts(input: $input) {
    __typename
    ... on MutationUpsertProductsSuccess { result { createdCount updatedCount } }
    ... on InvalidInputError { problems { path message } }
    ... on Error { message }
  }
}`;

const upsertOrdersMutation = `mutation UpsertOrders($input: UpsertOrdersInput!) {
  upsertOrders(input: $input) {
    __typename
    ... on MutationUpsertOrdersSuccess { result { createdCount updatedCount } }
    ... on InvalidInputError { problems { path message } }
    ... on Error { message }
  }
}`;

type RawUpsertResult =
  | {
      __typename: `Mutation${string}Success`;
      result: { createdCount: number; updatedCount: number };
    }
  | Exclude<UpsertBatchResult, { __typename: "Success" }>;

function upsertResult(raw: RawUpsertResult): UpsertBatchResult {
  return "result" in raw ? { __typename: "Success", ...raw.result } : raw;
}

/** The API could not be reached or answered with an error that retrying did not fix. */
export class CartwheelRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** GraphQL error codes, e.g. `FORBIDDEN`. */
    readonly codes: string[] = [],
  ) {
    super(message);
    this.name = "CartwheelRequestError";
  }
}

export interface CartwheelClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:4000` (a trailing `/graphql` is accepted). */
  apiUrl: string;
  /** A SECRET key of the workspace. */
  secretKey: string;
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** First back-off; doubles each retry. Default 250 ms. */
  retryDelayMs?: number;
  /** Told about every retry, e.g. to log it. */
  onRetry?: (info: { attempt: number; reason: string; delayMs: number }) => void;
}

const importMutation = `mutation Import($input: ImportContactsInput!) {
  importContacts(input: $input) {
    __typename
    ... on MutationImportContactsSuccess { result { createdCount updatedCount rows { index contactId created } } }
    ... on InvalidInputError { problems { path message } }
    ... on Error { message }
  }
}`;

const ingestMutation = `mutation Ingest($input: IngestEventsInput!) {
  ingestEvents(input: $input) {
    __typename
    ... on MutationIngestEventsSuccess { result { accepted duplicates rejected { index messageId code message } } }
    ... on InvalidInputError { problems { path message } }
    ... on RateLimitedError { retryAfterSeconds }
    ... on Error { message }
  }
}`;

/**
 * Makes a client bound to one API and secret key.
 *
 * @example
 * const cartwheel = makeCartwheelClient({ apiUrl: "http://127.0.0.1:4000", secretKey });
 * const outcome = await cartwheel.importContacts([{ externalId: "c1", email: "ann@example.com" }]);
 */
export function makeCartwheelClient(options: CartwheelClientOptions) {
  const base = options.apiUrl.replace(/\/+$/, "").replace(/\/graphql$/, "");
  const retries = options.retries ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const headers = {
    "content-type": "application/json",
    authorization: `Bearer ${options.secretKey}`,
  };

  /** POSTs JSON, retrying network errors, 5xx and 429; returns the final response's JSON. */
  async function postJson(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let waitMs: number | undefined;
      try {
        const response = await fetch(`${base}${path}`, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
        });
        if (response.status < 500 && response.status !== 429) {
          const text = await response.text();
          return { status: response.status, json: text ? JSON.parse(text) : null };
        }
        reason = `HTTP ${response.status}`;
        const retryAfter = Number(response.headers.get("retry-after"));
        if (retryAfter > 0) waitMs = retryAfter * 1000;
        await response.body?.cancel();
      } catch (error) {
        reason = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
      }
      if (attempt >= retries) {
        throw new CartwheelRequestError(`${path}: ${reason} (gave up after ${attempt + 1} tries)`);
      }
      const delayMs = waitMs ?? retryDelayMs * 2 ** attempt;
      options.onRetry?.({ attempt: attempt + 1, reason, delayMs });
      await sleep(delayMs);
    }
  }

  /** Runs one GraphQL operation; top-level errors (bad query, FORBIDDEN…) throw. */
  async function graphql<TData>(query: string, variables: Record<string, unknown> = {}) {
    const { status, json } = await postJson("/graphql", { query, variables });
    const body = json as {
      data?: TData;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body?.errors?.length || !body?.data) {
      const errors = body?.errors ?? [];
      throw new CartwheelRequestError(
        errors.map((error) => error.message).join("; ") || `HTTP ${status} without data`,
        status,
        errors.flatMap((error) => (error.extensions?.code ? [error.extensions.code] : [])),
      );
    }
    return body.data;
  }

  /** A mutation whose typed `RateLimitedError` means "wait and send the same again". */
  async function withRateLimitRetry<T extends { __typename: string }>(send: () => Promise<T>) {
    for (let attempt = 0; ; attempt++) {
      const result = await send();
      if (result.__typename !== "RateLimitedError" || attempt >= retries) return result;
      const delayMs = 1000 * ((result as { retryAfterSeconds?: number }).retryAfterSeconds ?? 1);
      options.onRetry?.({ attempt: attempt + 1, reason: "rate limited", delayMs });
      await sleep(delayMs);
    }
  }

  return {
    graphql,

    /** `importContacts`: up to 1,000 contacts, all or nothing. */
    async importContacts(contacts: ContactInput[]): Promise<ImportContactsResult> {
      const data = await graphql<{ importContacts: ImportContactsResult }>(importMutation, {
        input: { contacts },
      });
      return data.importContacts;
    },

    /** `upsertProducts`: up to 1,000 products by the shop's product id, all or nothing. */
    async upsertProducts(products: ProductInput[]): Promise<UpsertBatchResult> {
      const data = await graphql<{ upsertProducts: RawUpsertResult }>(upsertProductsMutation, {
        input: { products },
      });
      return upsertResult(data.upsertProducts);
    },

    /** `upsertOrders`: up to 1,000 orders by the shop's order id, all or nothing. */
    async upsertOrders(orders: OrderInput[]): Promise<UpsertBatchResult> {
      const data = await graphql<{ upsertOrders: RawUpsertResult }>(upsertOrdersMutation, {
        input: { orders },
      });
      return upsertResult(data.upsertOrders);
    },

    /** `ingestEvents` (GraphQL): up to 100 track events, each stored once by messageId. */
    ingestEvents(events: TrackEvent[]): Promise<IngestEventsResult> {
      return withRateLimitRetry(async () => {
        const data = await graphql<{ ingestEvents: IngestEventsResult }>(ingestMutation, {
          input: { events: events.map((event) => ({ ...event, type: "TRACK" })) },
        });
        return data.ingestEvents;
      });
    },

    /** `POST /v1/batch`, the plain HTTP route, for APIs without `ingestEvents`. */
    async postBatch(events: TrackEvent[]): Promise<IngestResult> {
      const { status, json } = await postJson("/v1/batch", {
        batch: events.map((event) => ({ ...event, type: "track" })),
      });
      if (status !== 200) {
        const error = (json as { error?: { message?: string } } | null)?.error;
        throw new CartwheelRequestError(
          `/v1/batch: HTTP ${status} ${error?.message ?? JSON.stringify(json)}`,
          status,
        );
      }
      return json as IngestResult;
    },

    /** Whether the API's schema has this mutation (introspection), e.g. `"ingestEvents"`. */
    async hasMutation(name: string): Promise<boolean> {
      const data = await graphql<{ __type: { fields: { name: string }[] } | null }>(
        '{ __type(name: "Mutation") { fields { name } } }',
      );
      return data.__type?.fields.some((field) => field.name === name) ?? false;
    },
  };
}

export type CartwheelClient = ReturnType<typeof makeCartwheelClient>;

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause ? ` (${cause.code ?? cause.message})` : "";
}
