/** The bare address of `"Ada" <ada@example.com>` or `ada@example.com`, lower-cased. */
export function address(recipient: string): string {
  return (recipient.match(/<([^>]+)>/)?.[1] ?? recipient).trim().toLowerCase();
}

export interface SesMail {
  destination: { to: string[] };
  subject?: string;
}

/** Every mail the local SES API holds (`GET /store`). */
export async function sesMails(endpoint: string): Promise<SesMail[]> {
  const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: SesMail[] };
  return store.emails;
}

/** How many mails each recipient (bare, lower-cased address) got at the local SES API. */
export async function mailsPerRecipient(endpoint: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const mail of await sesMails(endpoint)) {
    for (const to of mail.destination.to.map(address)) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
}
