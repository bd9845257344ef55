/**
 * Renders and sends 10,000 personalised abandoned-cart emails (three line items and three
 * recommendations each) through the worker's `send_email` task to the local SES API (run as a
 * child process), with the send rate lifted. Baselines in the same run: rendering alone
 * (`renderEmail`), and a bare SES v1 `SendRawEmail` loop of one pre-built message at the
 * worker's concurrency. The full path should keep at least half the slower baseline's rate.
 * Also printed: a bare loop of the sender the worker uses (SES v2 `SendEmail`, raw content),
 * and the ratio against it.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/send-email.ts   (BENCH_EMAILS=2000 for a quick run)
 */
import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { libraryTemplates, makeTemplateEngine, renderEmail } from "@cartwheel/templates";
import { createBenchDatabase } from "./support/bench-database.ts";
import { startLocalSesProcess } from "./support/local-ses-process.ts";
import { describeMachine } from "./support/machine.ts";
import { formatRate } from "./support/stats.ts";
import { waitUntil } from "./support/wait.ts";

const total = Number(process.env.BENCH_EMAILS ?? 10_000);
const concurrency = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 16);

function cartFor(i: number) {
  const item = (n: number) => ({
    product_id: `p${n}`,
    name: `Wool Cushion Cover ${n}`,
    variant: n === 1 ? "Oat / 50×50 cm" : null,
    price: 1900 + ((i + n) % 7) * 100,
    quantity: 1 + ((i + n) % 3),
    image_url: `https://cdn.northwind.example/p/${n}.jpg`,
    url: `https://northwind.example/products/cushion-${n}`,
  });
  const product = (n: number) => ({
    id: `r${(i + n) % 50}`,
    name: `Linen Throw ${(i + n) % 50}`,
    price: 8900,
    compare_at_price: n === 1 ? 11900 : null,
    image_url: `https://cdn.northwind.example/r/${n}.jpg`,
    handle: `linen-throw-${(i + n) % 50}`,
  });
  const items = [item(1), item(2), item(3)];
  return {
    cart: {
      id: `cart-${i}`,
      items,
      total: items.reduce((sum, line) => sum + line.price * line.quantity, 0),
      currency: "USD",
      checkout_url: `https://northwind.example/checkout/recover?cart=cart-${i}`,
    },
    recommendations: [product(1), product(2), product(3)],
  };
}

const database = await createBenchDatabase("send_email");
const ses = await startLocalSesProcess();
process.env.DATABASE_URL = database.url;
process.env.SES_ENDPOINT = ses.endpoint;
const domain = await import("@cartwheel/api/domain");
const { startWorker } = await import("@cartwheel/worker");
const { Logger } = await import("graphile-worker");

try {
  console.log(`machine: ${describeMachine()}`);
  console.log(`emails: ${total.toLocaleString("en")}, worker concurrency ${concurrency}`);

  // Baseline 1: rendering alone.
  const template = libraryTemplates.find((entry) => entry.key === "abandoned-cart")!;
  const engine = makeTemplateEngine();
  const shop = { ...template.fixture.shop };
  let rendered = await renderEmail(engine, template, { ...template.fixture, ...cartFor(0) });
  let started = performance.now();
  for (let i = 0; i < total; i++) {
    rendered = await renderEmail(engine, template, {
      shop,
      contact: { email: `c${i}@bench.example`, first_name: `Ada${i}` },
      unsubscribe_url: `https://t.example/u/${i}`,
      preferences_url: `https://t.example/p/${i}`,
      ...cartFor(i),
    });
  }
  const renderRate = total / ((performance.now() - started) / 1000);

  // Baseline 2: a bare SendRawEmail (SES v1) loop of one pre-built message.
  const raw = domain.buildMimeMessage({
    messageId: "00000000-0000-4000-8000-000000000000",
    from: { name: "Northwind", address: "hello@northwind.example" },
    to: { address: "c@bench.example" },
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
  });
  const sesConnection = {
    endpoint: ses.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
  const inFlight = async (send: () => Promise<unknown>) => {
    let next = 0;
    const loopStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          next += 1;
          await send();
        }
      }),
    );
    return total / ((performance.now() - loopStarted) / 1000);
  };
  const v1 = new SESClient({ ...sesConnection, maxAttempts: 1 });
  const rawRate = await inFlight(() =>
    v1.send(
      new SendRawEmailCommand({
        Source: "hello@northwind.example",
        Destinations: ["c@bench.example"],
        RawMessage: { Data: raw },
        Tags: [{ Name: "cartwheel_message_id", Value: "00000000-0000-4000-8000-000000000000" }],
      }),
    ),
  );
  v1.destroy();
  await ses.clear();

  // Beside it: the same loop through the worker's sender (SES v2 SendEmail, raw content).
  const sender = domain.makeSesEmailSender(sesConnection);
  const v2Rate = await inFlight(() =>
    sender.send({
      from: "hello@northwind.example",
      to: "c@bench.example",
      raw,
      tags: { cartwheel_message_id: "00000000-0000-4000-8000-000000000000" },
    }),
  );
  sender.close();
  await ses.clear();

  // The full path: Message rows and jobs, then the worker renders, tracks, builds and sends.
  const workspace = await domain.createWorkspace({ name: "Bench shop" });
  await domain.updateEmailSettings(workspace.id, {
    shopName: "Northwind Goods",
    shopUrl: "https://northwind.example",
    postalAddress: "410 Terry Ave N, Seattle, WA 98109",
    fromEmail: "hello@northwind.example",
    sendRatePerSecond: 10_000,
  });
  const { templates } = await domain.installTemplateLibrary(workspace.id, {
    keys: ["abandoned-cart"],
  });
  const { rows: contacts } = await domain.pool().query<{ id: string }>(
    `INSERT INTO contacts (workspace_id, email, first_name, consent_status)
     SELECT $1, 'c' || g || '@bench.example', 'Ada' || g, 'SUBSCRIBED' FROM generate_series(1, $2::int) g
     RETURNING id`,
    [workspace.id, total],
  );
  started = performance.now();
  for (let offset = 0; offset < total; offset += 5000) {
    await domain.queueEmails(workspace.id, {
      templateId: templates[0]!.id,
      recipients: contacts.slice(offset, offset + 5000).map((contact, i) => ({
        contactId: contact.id,
        data: cartFor(offset + i),
        idempotencyKey: `cart-${offset + i}`,
      })),
    });
  }
  const enqueueRate = total / ((performance.now() - started) / 1000);
  started = performance.now();
  const cpuBefore = process.cpuUsage();
  // The worker as the product starts it, with job logging silenced.
  const runner = await startWorker({
    databaseUrl: database.url,
    concurrency,
    pollInterval: 200,
    logger: new Logger(() => () => {}),
  });
  const sentCount = async () =>
    (
      await domain
        .pool()
        .query<{ n: number }>(
          "SELECT count(*)::int AS n FROM messages WHERE status <> 'QUEUED' AND status <> 'SENDING'",
        )
    ).rows[0]!.n;
  await waitUntil(async () => (await sentCount()) >= total);
  const fullSeconds = (performance.now() - started) / 1000;
  const fullRate = total / fullSeconds;
  const cpu = process.cpuUsage(cpuBefore);
  const workerCpuMs = (cpu.user + cpu.system) / 1000 / total;
  await runner.stop();
  const { rows: outcome } = await domain
    .pool()
    .query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM messages GROUP BY status",
    );
  const reachedSes = await ses.count();

  const slower = Math.min(renderRate, rawRate);
  console.log(`render alone (renderEmail)            ${formatRate(renderRate)}`);
  console.log(`bare SendRawEmail loop (${concurrency} in flight)  ${formatRate(rawRate)}`);
  console.log(`bare v2 SendEmail raw loop (the worker's sender)  ${formatRate(v2Rate)}`);
  console.log(`enqueue (Message rows + jobs)         ${formatRate(enqueueRate)}`);
  console.log(
    `full path through the worker          ${formatRate(fullRate)} (worker process CPU ${workerCpuMs.toFixed(2)} ms per email, ${((workerCpuMs * fullRate) / 10).toFixed(0)}% of a core)`,
  );
  console.log(
    `statuses: ${outcome.map((row) => `${row.status} ${row.n}`).join(", ")}; reached SES: ${reachedSes}`,
  );
  console.log(
    `ratios: full/render ${(fullRate / renderRate).toFixed(2)}, full/raw ${(fullRate / rawRate).toFixed(2)}, full/slower baseline ${(fullRate / slower).toFixed(2)} (target ≥ 0.50); full/bare v2 ${(fullRate / v2Rate).toFixed(2)}, full/slower of render and bare v2 ${(fullRate / Math.min(renderRate, v2Rate)).toFixed(2)}`,
  );
  if (reachedSes !== total) throw new Error(`expected ${total} emails at SES, found ${reachedSes}`);
} finally {
  domain.closeEmailSender();
  await domain.disconnectDatabase();
  await ses.stop();
  await database.drop();
}
