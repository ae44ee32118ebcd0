// PostGraphile 4 on the benchmark database, as the application role (row-level security on),
// every request in a transaction with app.tenant_id set, as clientbase sets it.
// Started by bench/graphql_vs_postgraphile.py; install: npm install --prefix bench/.node postgraphile@4
const http = require("http");
const { postgraphile } = require(require.resolve("postgraphile", { paths: [__dirname + "/.node"] }));

const middleware = postgraphile(process.env.DATABASE_URL, (process.env.SCHEMAS || "public").split(","), {
  pgSettings: { "app.tenant_id": process.env.TENANT_ID },
  disableQueryLog: true,
  retryOnInitFail: false,
  graphiql: false,
  enhanceGraphiql: false,
  legacyRelations: "omit",
});
http.createServer(middleware).listen(Number(process.env.PORT), "127.0.0.1");
