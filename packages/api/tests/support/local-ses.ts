import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import localSesModule from "aws-ses-v2-local";
import type {
  EmailSender,
  OutgoingEmail,
} from "../../src/domain/messages/providers/email-sender.ts";
import { makeSesEmailSender } from "../../src/domain/messages/providers/ses-email-sender.ts";

// aws-ses-v2-local is CommonJS with an ES-style default export.
const startServer =
  (localSesModule as unknown as { default?: typeof localSesModule }).default ?? localSesModule;

/** One email as the local SES API stored it (`GET /store`). */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

export interface LocalSes {
  endpoint: string;
  /** A real SES client pointed at this server. */
  sender: EmailSender & { close(): void };
  /** What reached SES, optionally only for one recipient (the store is shared in a process). */
  emails(to?: string): Promise<StoredEmail[]>;
  close(): Promise<void>;
}

/**
 * Starts the local SES API (`aws-ses-v2-local`) on a random loopback port.
 *
 * @example const ses = await startLocalSes(); process.env.SES_ENDPOINT = ses.endpoint
 */
export async function startLocalSes(): Promise<LocalSes> {
  const server: Server = await startServer({ host: "127.0.0.1", port: 0 });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sender = makeSesEmailSender({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  return {
    endpoint,
    sender,
    async emails(to) {
      const response = await fetch(`${endpoint}/store`);
      const { emails } = (await response.json()) as { emails: StoredEmail[] };
      return to
        ? emails.filter((email) => email.destination.to.some((address) => address.includes(to)))
        : emails;
    },
    async close() {
      sender.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Wraps a sender to keep every raw MIME message it hands on, so tests can parse what was
 * built while the real SES endpoint still receives it.
 */
export function recordingSender(inner: EmailSender): EmailSender & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    sent,
    async send(email) {
      const result = await inner.send(email);
      sent.push(email);
      return result;
    },
  };
}

/** An SES error answer, as the SES v2 API writes it (status, `x-amzn-ErrorType`, JSON message). */
export interface SesFault {
  status: number;
  code: string;
  message: string;
}

/**
 * An HTTP proxy in front of the local SES API that answers the requests `fault` picks with
 * an SES error (TooManyRequestsException, 5xx, MessageRejected…) and forwards the rest: real faults over
 * real HTTP, no mocked client.
 */
export async function startFaultySes(
  target: string,
  fault: (requestNumber: number) => SesFault | null,
): Promise<{ endpoint: string; requests: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = createServer(async (request, response) => {
    count += 1;
    const body = await readBody(request);
    const chosen = fault(count);
    if (chosen) {
      response.writeHead(chosen.status, {
        "content-type": "application/json",
        "x-amzn-errortype": chosen.code,
        "x-amzn-requestid": `fault-${count}`,
      });
      response.end(JSON.stringify({ message: chosen.message }));
      return;
    }
    const forwarded = await fetch(`${target}${request.url ?? "/"}`, {
      method: request.method ?? "POST",
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] =>
            typeof entry[1] === "string" && !hopByHop.has(entry[0]),
        ),
      ),
      body: new Uint8Array(body),
    });
    response.writeHead(forwarded.status, {
      "content-type": forwarded.headers.get("content-type") ?? "text/xml",
    });
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const hopByHop = new Set([
  "host",
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
]);

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
