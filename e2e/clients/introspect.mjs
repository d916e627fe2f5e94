// Loads Helpium's schema the way graphql-codegen and GraphiQL do: graphql-js's
// standard introspection query, with every option on, then buildClientSchema.
// Usage: node introspect.mjs GRAPHQL_URL; prints a JSON summary.
import { buildClientSchema, getIntrospectionQuery, printSchema } from "graphql";

const query = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});
const res = await fetch(process.argv[2], {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ query }),
});
const body = await res.json();
if (body.errors) {
  console.log(JSON.stringify({ status: res.status, errors: body.errors }));
  process.exit(1);
}
const schema = buildClientSchema(body.data);
console.log(JSON.stringify({
  status: res.status,
  types: Object.keys(schema.getTypeMap()).length,
  query: schema.getQueryType().name,
  mutations: Object.keys(schema.getMutationType().getFields()).length,
  sdlBytes: printSchema(schema).length,
}));
