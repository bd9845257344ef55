import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  signEnvelope,
  snsCertUrl,
  snsTopicArn,
  strangerKey,
} from "./support/fuzz-http-fixtures.ts";
import { useHttpFuzz } from "./support/fuzz-http-harness.ts";

/**
 * `POST /email/ses-notifications` fed generated SNS envelopes (signed by SNS, by another key or
 * not at all, then tampered with), and the bugs the HTTP fuzzing found, pinned. See
 * fuzz-http-routes.test.ts for the other routes and what every answer must be.
 */
/** A certificate URL may be fetched only from SNS itself: a region's host, over https, no port. */
const snsOwnUrl = /^https:\/\/sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?\//;

const hostileUrls = [
  "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-404.pem",
  "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-down.pem",
  "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-garbage.pem",
  "https://sns.s3.amazonaws.com/cert.pem",
  "https://sns.s3-accelerate.amazonaws.com/cert.pem",
  "https://sns.s3-us-west-2.amazonaws.com/cert.pem",
  "http://sns.us-east-1.amazonaws.com/cert.pem",
  "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
  "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
  "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
  "https://user:pass@sns.us-east-1.amazonaws.com/cert.pem",
  "https://sns.us-east-1.amazonaws.com@evil.example/cert.pem",
  "file:///etc/passwd",
  "http://169.254.169.254/latest/meta-data/",
  "https://127.0.0.1/cert.pem",
  "not a url",
  "",
];
const subscribeUrls = [
  `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${snsTopicArn}&Token=t`,
  "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=down",
  "https://sns.us-east-1.amazonaws.com/?Action=Other",
  ...hostileUrls,
];

const { sns, recording, tally, state, send, check, expectUnchanged } =
  await useHttpFuzz("fuzz-ses-notifications");

describe("POST /email/ses-notifications, fuzzed", () => {
  it("verifies every envelope, fetches only from SNS, answers only documented results and changes nothing it refuses", async () => {
    const sesMail = (target: "own" | "ownInB" | "unknown") => {
      const id = target === "unknown" ? randomUUID() : state.shops.notifiedA.id;
      const workspaceId = target === "ownInB" ? state.shops.b.id : state.shops.a.id;
      return {
        messageId: `ses-${randomUUID()}`,
        tags: { cartwheel_workspace_id: [workspaceId], cartwheel_message_id: [id] },
      };
    };
    const notificationOf = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom("Delivery", "Bounce", "Complaint", "Send", "Reject", ""),
            fc.constantFrom("own" as const, "ownInB" as const, "unknown" as const),
            fc.constantFrom("Permanent", "Transient"),
          )
          .map(([type, target, bounceType]) =>
            JSON.stringify({
              notificationType: type,
              mail: sesMail(target),
              bounce: { bounceType, bouncedRecipients: [{ emailAddress: "victim@example.com" }] },
              complaint: { complainedRecipients: [{ emailAddress: "victim@example.com" }] },
            }),
          ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "not json",
          "",
          "[".repeat(5_000),
          '{"mail":5}',
          "😀".repeat(1_000),
        ),
      },
    );
    const envelope = fc.record({
      Type: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom("Notification", "SubscriptionConfirmation") },
        { weight: 1, arbitrary: fc.constantFrom("UnsubscribeConfirmation", "notification", "") },
      ),
      MessageId: fc.oneof(
        { weight: 6, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom("", "x".repeat(3_000)) },
      ),
      TopicArn: fc.constantFrom(snsTopicArn, snsTopicArn, "arn:aws:sns:us-east-1:666:evil"),
      Message: notificationOf,
      Timestamp: fc.constant(new Date().toISOString()),
      SignatureVersion: fc.constantFrom("1", "2", "2", "2", "2", "3"),
      SigningCertURL: fc.oneof(
        { weight: 3, arbitrary: fc.constant(snsCertUrl) },
        { weight: 2, arbitrary: fc.constantFrom(...hostileUrls) },
      ),
      SubscribeURL: fc.constantFrom(...subscribeUrls),
      Token: fc.constant("token"),
    });
    const fuzzed = fc.record({
      envelope,
      signedBy: fc.constantFrom("sns", "sns", "sns", "stranger", "none"),
      /** Applied after signing: a field of the signed envelope changed, dropped or retyped. */
      tamper: fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        {
          weight: 2,
          arbitrary: fc.tuple(
            fc.constantFrom(
              "Message",
              "MessageId",
              "Type",
              "Signature",
              "SubscribeURL",
              "TopicArn",
            ),
            fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })),
          ),
        },
      ),
      raw: fc.oneof(
        { weight: 12, arbitrary: fc.constant(null) },
        {
          weight: 1,
          arbitrary: fc.oneof(
            fc.constantFrom("", "{", "null", "[]", '"Notification"', "\u0000"),
            fc
              .integer({ min: 1_000, max: 20_000 })
              .map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
            fc.integer({ min: 270_000, max: 600_000 }).map((n) => `{"Type":"${"x".repeat(n)}"}`),
          ),
        },
      ),
      contentType: fc.constantFrom("text/plain; charset=UTF-8", "application/json", undefined),
    });
    /** What SNS itself sends: signed notifications about A's message, and confirmations. */
    const control = fc.record({
      envelope: fc.record({
        Type: fc.constantFrom(
          "Notification",
          "Notification",
          "Notification",
          "SubscriptionConfirmation",
        ),
        MessageId: fc.uuid(),
        TopicArn: fc.constant(snsTopicArn),
        Message: notificationOf,
        Timestamp: fc.constant(new Date().toISOString()),
        SignatureVersion: fc.constantFrom("1", "2"),
        SigningCertURL: fc.constant(snsCertUrl),
        SubscribeURL: fc.constantFrom(...subscribeUrls.slice(0, 3)),
        Token: fc.constant("token"),
      }),
      signedBy: fc.constant("sns"),
      tamper: fc.constant(null),
      raw: fc.constant(null),
      contentType: fc.constant("text/plain; charset=UTF-8"),
    });
    const arbitrary = fc.oneof({ weight: 3, arbitrary: fuzzed }, { weight: 1, arbitrary: control });
    const outcomes = [
      "bounce",
      "soft-bounce",
      "complaint",
      "delivery",
      "send",
      "ignored",
      "unknown-message",
    ];
    await check(arbitrary, async (c) => {
      const { Type, SubscribeURL, Token, ...common } = c.envelope;
      const unsigned = (
        Type === "Notification" ? { Type, ...common } : { Type, SubscribeURL, Token, ...common }
      ) as Parameters<typeof signEnvelope>[0];
      let body: Record<string, unknown> =
        c.signedBy === "none"
          ? { ...unsigned, Signature: "bm90IGEgc2lnbmF0dXJl" }
          : signEnvelope(unsigned, c.signedBy === "sns" ? sns.privateKey : strangerKey);
      if (c.tamper) body = { ...body, [c.tamper[0]]: c.tamper[1] };
      const headers: Record<string, string> = { "x-amz-sns-message-type": String(Type) };
      if (c.contentType) headers["content-type"] = c.contentType;
      const fetchedBefore = recording.fetched.length;
      const before = await state.fingerprints.all();
      // 502 is documented: SNS's SubscribeURL did not answer 2xx.
      const sent = await send(
        "POST",
        "/email/ses-notifications",
        { headers, body: c.raw ?? JSON.stringify(body) },
        [502],
      );
      const fetched = recording.fetched.slice(fetchedBefore);
      const untrusted = fetched.filter((url) => !snsOwnUrl.test(url));
      if (untrusted.length) throw new Error(`fetched ${untrusted.join(", ")}`);
      let parsed: { outcome?: string; error?: string; confirmed?: boolean; ok?: boolean };
      try {
        parsed = JSON.parse(sent.text);
      } catch {
        throw new Error(`HTTP ${sent.status} that is not JSON: ${sent.text.slice(0, 200)}`);
      }
      tally.add(
        "POST /email/ses-notifications",
        `${sent.status}${parsed.outcome ? ` ${parsed.outcome}` : ""}`,
      );
      // Dropping or changing a field SNS does not sign for this type (a Notification's
      // SubscribeURL) leaves the envelope authentic; a signed field or the signature does not.
      const signedFields =
        Type === "Notification"
          ? ["Message", "MessageId", "Timestamp", "TopicArn", "Type", "Signature"]
          : [
              "Message",
              "MessageId",
              "SubscribeURL",
              "Timestamp",
              "Token",
              "TopicArn",
              "Type",
              "Signature",
            ];
      const forged = c.tamper !== null && signedFields.includes(c.tamper[0]);
      const authentic = c.signedBy === "sns" && !forged && !c.raw;
      if (sent.status === 200) {
        if (!authentic) throw new Error(`a forged envelope was taken: ${sent.text}`);
        const known =
          parsed.confirmed === true ||
          parsed.ok === true ||
          outcomes.includes(parsed.outcome ?? "");
        if (!known) throw new Error(`200 ${sent.text}`);
        if (!["bounce", "soft-bounce", "complaint", "delivery"].includes(parsed.outcome ?? "")) {
          await expectUnchanged(before, `200 ${sent.text}`);
        }
        return;
      }
      if (![400, 403, 413, 502].includes(sent.status) || typeof parsed.error !== "string") {
        throw new Error(`HTTP ${sent.status}: ${sent.text.slice(0, 300)}`);
      }
      await expectUnchanged(before, `HTTP ${sent.status}`);
    });
  }, 60_000);
});

describe("the bugs this fuzzing found, pinned", () => {
  const postSns = (body: string) =>
    send(
      "POST",
      "/email/ses-notifications",
      { headers: { "content-type": "text/plain" }, body },
      [502],
    );
  const confirmation = (overrides: Record<string, string>) =>
    JSON.stringify(
      signEnvelope(
        {
          Type: "SubscriptionConfirmation",
          MessageId: randomUUID(),
          TopicArn: snsTopicArn,
          Message: "confirm",
          Timestamp: new Date().toISOString(),
          SignatureVersion: "2",
          SigningCertURL: snsCertUrl,
          SubscribeURL: subscribeUrls[0] ?? "",
          Token: "token",
          ...overrides,
        },
        sns.privateKey,
      ),
    );

  it("a certificate URL on SNS's host that fails or is no certificate is a 403, not a 500", async () => {
    for (const url of hostileUrls.slice(0, 3)) {
      const sent = await postSns(confirmation({ SigningCertURL: url }));
      expect([sent.status, typeof JSON.parse(sent.text).error]).toEqual([403, "string"]);
    }
  });

  it("a SubscribeURL that cannot be reached is a 502 with an error, not a 500", async () => {
    const sent = await postSns(confirmation({ SubscribeURL: subscribeUrls[1] ?? "" }));
    expect(sent.status).toBe(502);
  });

  it("fetches nothing from an S3 bucket named sns, nor from a URL with credentials", async () => {
    const from = recording.fetched.length;
    for (const url of hostileUrls.slice(3, 6)) {
      expect((await postSns(confirmation({ SigningCertURL: url }))).status).toBe(403);
      expect((await postSns(confirmation({ SubscribeURL: url }))).status).toBe(403);
    }
    const credentials = "https://user:pass@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription";
    expect((await postSns(confirmation({ SubscribeURL: credentials }))).status).toBe(403);
    expect(recording.fetched.slice(from)).toEqual([]);
  });

  it("a body past the limit is a 413 with a JSON error on both routes, not a 500", async () => {
    const ses = await postSns(`{"Type":"${"x".repeat(300_000)}"}`);
    expect([ses.status, typeof JSON.parse(ses.text).error]).toEqual([413, "string"]);
    const subscribe = await send("POST", "/v1/subscribe", {
      headers: { "content-type": "text/plain", origin: "https://shop.example" },
      body: JSON.stringify({
        writeKey: state.shops.a.publicKey,
        email: `${"x".repeat(20_000)}@a.example`,
      }),
    });
    expect([subscribe.status, JSON.parse(subscribe.text).error.code]).toEqual([
      413,
      "body_too_large",
    ]);
  });
});
