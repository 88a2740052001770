// examples/embed.js: one translation through the Node.js module; see README.md.
const fs = require('fs');
const { Engine } = require('../bindings/node'); // finds build*/bindings/node/pgrest.node

const engine = new Engine(fs.readFileSync(process.argv[2], 'utf8'), { schemas: ['public'] });
const result = engine.translate({ method: 'GET', path: '/films', query: 'year=gte.2000', claims: { role: 'anon' } });
if (result.ok) {
  // With pg, in one transaction: client.query(result.prelude.sql, result.prelude.params), then query.
  console.log(result.prelude.sql, result.prelude.params);
  console.log(result.query.sql, result.query.params);
} else console.log(result.status, result.error); // PostgREST's error body
