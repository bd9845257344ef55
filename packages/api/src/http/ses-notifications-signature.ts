import { verify, X509Certificate } from "node:crypto";
import { z } from "zod";

/** The SNS HTTP(S) envelope: a notification or a (un)subscription confirmation. */
export const snsEnvelope = z.object({
  Type: z.enum(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(["1", "2"]),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
  Subject: z.string().nullable().optional(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
});
export type SnsEnvelope = z.output<typeof snsEnvelope>;

export class SnsVerificationError extends Error {
  override name = "SnsVerificationError";
}

/**
 * SNS's regional endpoints (`sns.us-east-1.amazonaws.com`, `sns.cn-north-1.amazonaws.com.cn`):
 * the label must be a region, or `sns.s3.amazonaws.com`, `sns.s3-accelerate.amazonaws.com` (an
 * S3 bucket named "sns", whoever owns it) would pass as SNS.
 */
const snsHost = /^sns\.[a-z]{2}(-[a-z]+)+-\d{1,2}\.amazonaws\.com(\.cn)?$/;

/**
 * Amazon SNS's own hosts over https, on the default port and with no user name or password: the
 * only place certificates and SubscribeURLs may come from.
 */
export function isSnsUrl(url: URL): boolean {
  return (
    url.protocol === "https:" &&
    snsHost.test(url.hostname) &&
    url.port === "" &&
    url.username === "" &&
    url.password === ""
  );
}

export interface SnsVerifierOptions {
  /** Which certificate and subscription URLs may be fetched. Default `isSnsUrl`. */
  isTrustedUrl?: (url: URL) => boolean;
  /** PEM certificates by SigningCertURL, used without fetching (tests, pinned certificates). */
  certificates?: Record<string, string>;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
}

export interface SnsVerifier {
  /** Throws `SnsVerificationError` unless the envelope is signed by a trusted SNS certificate. */
  verify(envelope: SnsEnvelope): Promise<void>;
  isTrustedUrl(url: string): boolean;
}

/**
 * The text SNS signs: the envelope's fields in a fixed order, each as `Name\nvalue\n`
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 */
export function snsStringToSign(envelope: SnsEnvelope): string {
  const fields =
    envelope.Type === "Notification"
      ? (["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] as const)
      : ([
          "Message",
          "MessageId",
          "SubscribeURL",
          "Timestamp",
          "Token",
          "TopicArn",
          "Type",
        ] as const);
  return fields
    .filter((field) => envelope[field] !== undefined && envelope[field] !== null)
    .map((field) => `${field}\n${envelope[field]}\n`)
    .join("");
}

/**
 * Verifies SNS message signatures, SignatureVersion 1 (RSA-SHA1) and 2 (RSA-SHA256), against
 * the certificate at SigningCertURL, fetched only from a trusted URL (SNS over https unless
 * `isTrustedUrl` says otherwise) and cached; the certificate must be within its validity dates.
 *
 * @example await makeSnsVerifier().verify(snsEnvelope.parse(JSON.parse(body)))
 */
export function makeSnsVerifier(options: SnsVerifierOptions = {}): SnsVerifier {
  const trusted = options.isTrustedUrl ?? isSnsUrl;
  const cache = new Map<string, X509Certificate>(
    Object.entries(options.certificates ?? {}).map(([url, pem]) => [url, new X509Certificate(pem)]),
  );
  const isTrustedUrl = (raw: string) => {
    try {
      return trusted(new URL(raw));
    } catch {
      return false;
    }
  };

  async function certificate(url: string): Promise<X509Certificate> {
    const cached = cache.get(url);
    if (cached) return cached;
    if (!isTrustedUrl(url)) throw new SnsVerificationError(`untrusted SigningCertURL ${url}`);
    let response: Response;
    let pem: string;
    try {
      response = await (options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(5_000) });
      pem = await response.text();
    } catch (cause) {
      throw new SnsVerificationError(`SigningCertURL could not be fetched: ${String(cause)}`);
    }
    if (!response.ok) throw new SnsVerificationError(`SigningCertURL answered ${response.status}`);
    let loaded: X509Certificate;
    try {
      loaded = new X509Certificate(pem);
    } catch {
      throw new SnsVerificationError("SigningCertURL did not answer with a certificate");
    }
    cache.set(url, loaded);
    return loaded;
  }

  return {
    isTrustedUrl,
    async verify(envelope) {
      const cert = await certificate(envelope.SigningCertURL);
      const now = Date.now();
      if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) {
        throw new SnsVerificationError("the signing certificate is not valid now");
      }
      const algorithm = envelope.SignatureVersion === "1" ? "RSA-SHA1" : "RSA-SHA256";
      const valid = verify(
        algorithm,
        Buffer.from(snsStringToSign(envelope), "utf8"),
        cert.publicKey,
        Buffer.from(envelope.Signature, "base64"),
      );
      if (!valid) throw new SnsVerificationError("the signature does not match");
    },
  };
}
