import { cartwheel } from "./index";

type StubCall = [method: string, args: unknown[]];

const host = window as Window & { cartwheel?: unknown };
const stub = host.cartwheel;

if (!stub || Array.isArray(stub)) {
  host.cartwheel = cartwheel;
  for (const [method, args] of (stub ?? []) as StubCall[]) {
    const call = (cartwheel as unknown as Record<string, unknown>)[method];
    if (typeof call === "function") call(...(Array.isArray(args) ? args : []));
  }
}
