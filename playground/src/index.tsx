// GraphiQL for Helpium's /playground, served by Helpium itself: no CDN, so
// it works offline and under a strict Content-Security-Policy. Queries and
// mutations go over HTTP; subscriptions over WebSocket (graphql-transport-ws),
// where the headers of GraphiQL's header editor become the connection_init
// payload, as Helpium expects.
import { GraphiQL } from "graphiql";
import type { Fetcher, FetcherOpts, FetcherParams } from "@graphiql/toolkit";
import { Kind, OperationTypeNode, parse } from "graphql";
import { createClient, type Client } from "graphql-ws";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import "graphiql/graphiql.css";
import "./page.css";

const endpoint = new URL("/graphql", window.location.href).href;
const sockets = new Map<string, Client>();

// socketFor returns a WebSocket client authenticated with headers, one per
// distinct set of headers.
function socketFor(headers: Record<string, unknown>): Client {
  const key = JSON.stringify(headers);
  let client = sockets.get(key);
  if (!client) {
    client = createClient({ url: endpoint.replace(/^http/, "ws"), connectionParams: headers, lazy: true, retryAttempts: 0 });
    sockets.set(key, client);
  }
  return client;
}

function isSubscription(params: FetcherParams): boolean {
  try {
    const ops = parse(params.query).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const op = params.operationName ? ops.find((d) => d.name?.value === params.operationName) : ops[0];
    return op?.operation === OperationTypeNode.SUBSCRIPTION;
  } catch {
    return false; // the server reports the syntax error
  }
}

const fetcher: Fetcher = (params: FetcherParams, opts?: FetcherOpts) => {
  const headers: Record<string, string> = { ...(opts?.headers as Record<string, string> | undefined) };
  if (isSubscription(params)) {
    const results = socketFor(headers).iterate({
      query: params.query,
      variables: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    });
    // Results arrive in their wire format, which is what GraphiQL shows;
    // its types name graphql-js's in-process result instead.
    return results as unknown as ReturnType<Fetcher>;
  }
  return fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json", ...headers },
    body: JSON.stringify(params),
  }).then((res) => res.json());
};

const defaultQuery = `# Helpium's GraphQL API. Agents sign in with login and send the token as
# a header (Headers, below): {"Authorization": "Bearer <token>"}; widget
# operations take {"X-API-Key": "<widget key>"} instead. The Docs button
# (top left) lists every type and field.

query Me {
  me { id email name }
  myWorkspaces { role workspace { id name } }
}
`;

createRoot(document.getElementById("graphiql")!).render(
  createElement(GraphiQL, { fetcher, defaultQuery, isHeadersEditorEnabled: true, shouldPersistHeaders: false }),
);
