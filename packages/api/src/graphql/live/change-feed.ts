import pg from "pg";
import { z } from "zod";

/** The channel the database's change triggers notify on (see the change_notifications migration). */
export const changeChannel = "cartwheel_changes";

const changeNotice = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("event"), workspaceId: z.string(), contactId: z.string().nullable() }),
  z.object({ kind: z.literal("scenario"), workspaceId: z.string(), scenarioId: z.string() }),
  z.object({ kind: z.literal("orders"), workspaceId: z.string() }),
  z.object({ kind: z.literal("message"), workspaceId: z.string(), messageId: z.string() }),
]);
export type ChangeNotice = z.output<typeof changeNotice>;

type Listener = { matches: (notice: ChangeNotice) => boolean; notify: () => void };

/**
 * One API process's ear on the database: a single connection LISTENing on `cartwheel_changes`,
 * opened with the first subscriber and closed with the last, and the subscribers it tells. Writes made by any process
 * (API, worker) reach every process's subscribers this way. A lost connection is reopened with
 * back-off; every subscriber is then told once, since notices may have been missed meanwhile.
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retryDelayMs = 100;

  /** `connectionString` is read when the first subscriber arrives. */
  constructor(private readonly connectionString: () => string) {}

  /** Calls `notify` for each notice `matches` accepts; returns the unsubscribe. */
  subscribe(matches: Listener["matches"], notify: Listener["notify"]): () => void {
    const listener = { matches, notify };
    this.listeners.add(listener);
    void this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.release();
    };
  }

  /** Resolves once the feed is listening (subscriptions wait for it before reading). */
  ready(): Promise<void> {
    return this.connect();
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.release();
  }

  /** With nobody listening, the connection goes back: the next subscriber opens a new one. */
  private async release(): Promise<void> {
    await this.connecting;
    if (this.listeners.size > 0 && !this.closed) return;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString() });
    client.on("notification", (message) => this.dispatch(message.payload));
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${changeChannel}`);
      this.client = client;
      this.retryDelayMs = 100;
    } catch {
      await client.end().catch(() => undefined);
      this.retry();
    }
  }

  private dispatch(payload: string | undefined) {
    if (!payload) return;
    let notice: ChangeNotice;
    try {
      const parsed = changeNotice.safeParse(JSON.parse(payload));
      if (!parsed.success) return;
      notice = parsed.data;
    } catch {
      return;
    }
    for (const listener of this.listeners) {
      if (listener.matches(notice)) listener.notify();
    }
  }

  private lost(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.retry();
  }

  private retry() {
    if (this.closed) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 10_000);
    setTimeout(() => {
      void this.connect().then(() => {
        if (this.client) for (const listener of this.listeners) listener.notify();
      });
    }, delay).unref();
  }
}
