import pg from "pg";
import { describe, expect, it } from "vitest";
import { db } from "../src/db.ts";
import { replayBrowserOrders, updateOrderSettings } from "../src/domain/orders/order-settings.ts";
import { reactToEvent } from "../src/domain/reactions/react-to-event.ts";

/**
 * Whether a visit converted (`visitor_sessions.converted`, the KPIs' conversion rate): an order
 * and a page view of the same visit written at the same moment, and the browser's own reports
 * of orders while the workspace does not count them.
 */
const at = (iso: string) => new Date(iso);
let sequence = 0;

async function storeEvent(fields: {
  workspaceId: string;
  name: string;
  at: string;
  contactId?: string;
  anonymousId?: string;
  fromBrowser?: boolean;
  properties?: Record<string, unknown>;
}) {
  const event = await db().event.create({
    data: {
      workspaceId: fields.workspaceId,
      contactId: fields.contactId ?? null,
      anonymousId: fields.anonymousId ?? null,
      name: fields.name,
      occurredAt: at(fields.at),
      fromBrowser: fields.fromBrowser ?? false,
      properties: (fields.properties ?? {}) as object,
      messageId: `event-${++sequence}`,
    },
  });
  return String(event.id);
}

async function visits(workspaceId: string, visitor: string) {
  return db().visitorSession.findMany({
    where: { workspaceId, visitor },
    orderBy: { startedAt: "asc" },
    select: { startedAt: true, lastViewAt: true, converted: true },
  });
}

/** Resolves once `promise` has settled or a backend of this database waits on a lock. */
async function settledOrBlocked(promise: Promise<unknown>, watcher: pg.Client) {
  let settled = false;
  void promise.finally(() => {
    settled = true;
  });
  for (let poll = 0; poll < 500 && !settled; poll++) {
    const { rows } = await watcher.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].waiting > 0) return "blocked";
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return settled ? "settled" : "neither";
}

describe("visit conversion", () => {
  it("is not lost when an order and an anonymous page view of its visit are written at once", async () => {
    const { id: workspaceId } = await db().workspace.create({ data: { name: "Race" } });
    const ada = await db().contact.create({ data: { workspaceId, email: "ada@example.com" } });
    // A visit of Ada's browser at 10:00, known to be hers.
    await reactToEvent(
      await storeEvent({
        workspaceId,
        name: "Page Viewed",
        at: "2026-11-03T10:00:00Z",
        contactId: ada.id,
        anonymousId: "b1",
      }),
    );

    // The backend writes an order at 10:50, as upsertOrders does: contact lock, then the order.
    // Until the page view below, 10:50 is past the visit's 30 minutes.
    const backend = new pg.Client({ connectionString: process.env.DATABASE_URL });
    const watcher = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await backend.connect();
    await watcher.connect();
    try {
      await backend.query("BEGIN");
      await backend.query("SELECT id FROM contacts WHERE id = $1 FOR UPDATE", [ada.id]);
      await backend.query(
        `INSERT INTO orders (workspace_id, shop_order_id, contact_id, currency, total, ordered_at, status_at, source)
         VALUES ($1, 'O-race', $2, 'EUR', 5000, '2026-11-03T10:50:00Z', now(), 'API')`,
        [workspaceId, ada.id],
      );
      // Meanwhile the worker handles a page view of the same browser at 10:25, stored before it
      // identified: it stretches the visit to cover the order.
      const view = await storeEvent({
        workspaceId,
        name: "Page Viewed",
        at: "2026-11-03T10:25:00Z",
        anonymousId: "b1",
      });
      const reaction = reactToEvent(view);
      expect(await settledOrBlocked(reaction, watcher)).toBe("blocked");
      await backend.query("COMMIT");
      await reaction;
    } finally {
      await backend.end();
      await watcher.end();
    }

    expect(await visits(workspaceId, "a:b1")).toEqual([
      {
        startedAt: at("2026-11-03T10:00:00Z"),
        lastViewAt: at("2026-11-03T10:25:00Z"),
        converted: true,
      },
    ]);
  });

  it("counts a browser's own Order Completed only while the workspace counts unverified orders", async () => {
    const { id: workspaceId } = await db().workspace.create({ data: { name: "Browser orders" } });
    const { id: otherId } = await db().workspace.create({ data: { name: "Other shop" } });
    await updateOrderSettings(workspaceId, { countUnverifiedOrders: false });
    const browse = async (workspace: string, anonymousId: string, fromBrowser: boolean) => {
      await reactToEvent(
        await storeEvent({
          workspaceId: workspace,
          name: "Page Viewed",
          at: "2026-11-04T12:00:00Z",
          anonymousId,
          fromBrowser: true,
        }),
      );
      await reactToEvent(
        await storeEvent({
          workspaceId: workspace,
          name: "Order Completed",
          at: "2026-11-04T12:10:00Z",
          anonymousId,
          fromBrowser,
          properties: { order_id: `order-${anonymousId}`, total: 49, currency: "EUR" },
        }),
      );
    };
    await browse(workspaceId, "browser-said", true);
    await browse(workspaceId, "backend-said", false); // the shop's backend, with a secret key
    await browse(otherId, "elsewhere", true); // a workspace that counts them (the default)
    const converted = async (workspace: string, anonymousId: string) =>
      (await visits(workspace, `a:${anonymousId}`)).map((visit) => visit.converted);

    expect(await converted(workspaceId, "browser-said")).toEqual([false]);
    expect(await converted(workspaceId, "backend-said")).toEqual([true]);
    expect(await converted(otherId, "elsewhere")).toEqual([true]);

    // Switched on, the replay of browser orders converts the visit.
    await updateOrderSettings(workspaceId, { countUnverifiedOrders: true });
    expect(await replayBrowserOrders(workspaceId, "0")).toBeNull();
    expect(await converted(workspaceId, "browser-said")).toEqual([true]);

    // Switched off again, it stops counting at once; the backend's report and the other shop stay.
    await updateOrderSettings(workspaceId, { countUnverifiedOrders: false });
    expect(await converted(workspaceId, "browser-said")).toEqual([false]);
    expect(await converted(workspaceId, "backend-said")).toEqual([true]);
    expect(await converted(otherId, "elsewhere")).toEqual([true]);
  });
});
