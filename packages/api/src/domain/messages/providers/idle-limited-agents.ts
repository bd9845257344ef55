import { type AgentOptions, type ClientRequest, Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Duplex } from "node:stream";

/**
 * Keep-alive agents that close a pooled connection after `idleMs` unused. A server closes an
 * idle connection when its own keep-alive timeout runs out; a request sent on it in that
 * instant fails with ECONNRESET, and a send that fails so has to count as "maybe sent" (mail
 * is never sent twice), so the mail would be lost. Closing first, well inside any server's
 * timeout (Node's default is 5 s; Amazon's endpoints keep connections longer), avoids the race.
 *
 * @example new SESClient({ requestHandler: { ...idleLimitedAgents({ maxSockets: 50 }, 2_000) } })
 */
export function idleLimitedAgents(options: AgentOptions, idleMs: number) {
  const timers = new WeakMap<Duplex, NodeJS.Timeout>();
  const keep = (socket: Duplex) => {
    timers.set(
      socket,
      setTimeout(() => socket.destroy(), idleMs),
    );
    timers.get(socket)?.unref();
  };
  const reuse = (socket: Duplex) => clearTimeout(timers.get(socket));
  class IdleLimitedHttpAgent extends HttpAgent {
    override keepSocketAlive(socket: Duplex) {
      const kept = super.keepSocketAlive(socket) as unknown as boolean;
      if (kept) keep(socket);
      return kept as unknown as undefined;
    }
    override reuseSocket(socket: Duplex, request: ClientRequest) {
      reuse(socket);
      super.reuseSocket(socket, request);
    }
  }
  class IdleLimitedHttpsAgent extends HttpsAgent {
    override keepSocketAlive(socket: Duplex) {
      const kept = super.keepSocketAlive(socket) as unknown as boolean;
      if (kept) keep(socket);
      return kept as unknown as undefined;
    }
    override reuseSocket(socket: Duplex, request: ClientRequest) {
      reuse(socket);
      super.reuseSocket(socket, request);
    }
  }
  const agentOptions = { ...options, keepAlive: true };
  return {
    httpAgent: new IdleLimitedHttpAgent(agentOptions),
    httpsAgent: new IdleLimitedHttpsAgent(agentOptions),
  };
}
