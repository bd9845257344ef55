import { randomUUID } from "node:crypto";
import { createBenchDatabase } from "../bench/support/bench-database.ts";

const database = await createBenchDatabase("example");
process.env.DATABASE_URL = database.url;
const { makeApp } = await import("../packages/api/src/app.ts");
const { createWorkspace, createApiKey, db, disconnectDatabase } = await import("@cartwheel/api/domain");
const app = makeApp({ adminKey: "cw_admin_example" });
try {
  const workspace = await createWorkspace({ name: "Upgraded shop" });
  const key = await createApiKey({ workspaceId: workspace.id, name: "backend", kind: "SECRET", scopes: [] });
  await db().event.createMany({
    data: [
      { name: "Product Added", properties: { cart_id: "c-1001", product_id: "tote-1", price: 24 } },
      { name: "Checkout Started", properties: { cart_id: "c-1001" } },
      { name: "Order Completed", properties: { order_id: "1043", cart_id: "c-1001", total: 24 } },
    ].map((event) => ({ ...event, workspaceId: workspace.id, anonymousId: "a1", occurredAt: new Date("2026-06-02T07:39:54Z"), messageId: randomUUID() })),
  });
  const query = `mutation {
  replayCommerceHistory(input: {}) {
    __typename
    ... on MutationReplayCommerceHistorySuccess {
      replay { state phase jobKey cartEvents orderEvents }
    }
    ... on Error { message }
  }
}`;
  for (let i = 0; i < 2; i++) {
    const response = await app.request("http://cartwheel.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${(key as any).plaintext}` },
      body: JSON.stringify({ query }),
    });
    console.log(JSON.stringify(await response.json(), null, 2));
  }
} finally {
  await disconnectDatabase();
  await database.drop();
}
