// Embedding pgrest in Node.js: node embed.js catalog.json (PGREST_NODE_ADDON or build*/ has pgrest.node)
const fs = require('fs');
const { Engine } = require('../bindings/node');

const engine = new Engine(fs.readFileSync(process.argv[2], 'utf8'), { schemas: ['public'] });
const result = engine.translate({ method: 'GET', path: '/films', query: 'year=gte.2000', claims: { role: 'anon' } });
if (result.ok) {
  // With pg, in one transaction: client.query(prelude.sql, prelude.params), then the query.
  console.log(result.prelude.sql, result.prelude.params);
  console.log(result.query.sql, result.query.params);
} else console.log(result.status, result.error);
