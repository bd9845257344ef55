import type { GraphQLResponse, TestApi } from "./graphql.ts";

/**
 * A GraphQL subscription over SSE against an in-process app, read as a client would: each
 * `next` event's payload in order. `close` drops the connection.
 */
export async function subscribe(
  api: TestApi,
  query: string,
  variables: Record<string, unknown>,
  key: string,
) {
  const abort = new AbortController();
  const response = await api.app.request("http://cartwheel.test/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "text/event-stream",
      authorization: `Bearer ${key}`,
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  if (!response.body) throw new Error(`no stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const queue: GraphQLResponse[] = [];
  async function next(timeoutMs = 10_000): Promise<GraphQLResponse> {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error("no subscription payload in time");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no subscription payload in time")), remaining);
      });
      const chunk = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
      if (chunk.done) throw new Error("the subscription ended");
      buffered += chunk.value;
      let end = buffered.indexOf("\n\n");
      while (end !== -1) {
        const frame = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const lines = frame.split("\n");
        const event = lines
          .find((line) => line.startsWith("event:"))
          ?.slice(6)
          .trim();
        const data = lines
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trim())
          .join("\n");
        if (event === "next" && data) queue.push(JSON.parse(data) as GraphQLResponse);
        end = buffered.indexOf("\n\n");
      }
    }
    return queue.shift() as GraphQLResponse;
  }
  return {
    status: response.status,
    next,
    close: async () => {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}
