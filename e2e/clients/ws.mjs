// Subscribes with the graphql-ws client and a credential the server refuses,
// and reports how the client ended: a client that reconnects after every
// close shows many closes. Usage: node ws.mjs WS_URL INIT_JSON; prints JSON.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, init] = process.argv.slice(2);
const closes = [];
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: JSON.parse(init),
  retryAttempts: 20,
  retryWait: async () => {},
  on: { closed: (event) => closes.push(event.code) },
});
const outcome = await new Promise((resolve) => {
  client.subscribe(
    { query: "subscription { widgetMessageAdded(token: \"x\") { body } }" },
    {
      next: () => {},
      error: (err) => resolve({ error: err?.code ?? String(err) , reason: err?.reason ?? "" }),
      complete: () => resolve({ complete: true }),
    },
  );
  setTimeout(() => resolve({ timeout: true }), 5000);
});
console.log(JSON.stringify({ ...outcome, closes: closes.length, codes: [...new Set(closes)] }));
await client.dispose();
process.exit(0);
