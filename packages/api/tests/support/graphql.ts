import { randomBytes } from "node:crypto";
import { type AppOptions, makeApp } from "../../src/app.ts";

export const testAdminKey = `cw_admin_${randomBytes(16).toString("hex")}`;

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: string[] }[];
}

/** An in-process Cartwheel app and a GraphQL caller that goes through `app.fetch`. */
export function makeTestApi(options: Omit<AppOptions, "adminKey"> = {}) {
  const app = makeApp({ ...options, adminKey: testAdminKey });
  async function request<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    key?: string,
  ): Promise<GraphQLResponse<T>> {
    const response = await app.request("http://cartwheel.test/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(key !== undefined && { authorization: `Bearer ${key}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  }
  /** Like `request`, but fails the test on any top-level GraphQL error. */
  async function data<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string,
  ) {
    const result = await request<T>(query, variables, key);
    if (result.errors?.length || !result.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    }
    return result.data;
  }
  return { app, request, data };
}

export type TestApi = ReturnType<typeof makeTestApi>;
