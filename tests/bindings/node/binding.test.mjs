// The Node binding itself (no database): node --test tests/bindings/node/
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { pgrest, root, sampleCatalogPath } from './common.mjs';

const catalog = readFileSync(sampleCatalogPath, 'utf8');
const smallCatalog = JSON.stringify({
  version: 1,
  schemas: ['public', 'ai'],
  roles: ['anon', 'authenticated'],
  relations: [
    {
      schema: 'public', name: 'films', kind: 'table', insertable: true, updatable: true,
      deletable: true, primary_key: ['id'], unique_keys: [],
      columns: [
        { name: 'id', type: 'integer', base_type: 'integer', type_oid: 23, nullable: false, default: null, generated: false, identity: true },
        { name: 'title', type: 'text', base_type: 'text', type_oid: 25, nullable: true, default: null, generated: false, identity: false },
      ],
    },
  ],
  foreign_keys: [],
  functions: [],
});

test('exports the Engine and the version', () => {
  assert.equal(typeof pgrest.Engine, 'function');
  assert.match(pgrest.version, /^\d+\.\d+\.\d+$/);
});

test('translate returns the contract result as an object', () => {
  const engine = new pgrest.Engine(catalog);
  const result = engine.translate({ method: 'GET', path: '/films', query: 'select=id,title&year=gte.2000' });
  assert.deepEqual(Object.keys(result).slice(0, 6), ['ok', 'status', 'read_only', 'rollback', 'media_type', 'singular']);
  assert.equal(result.ok, true);
  assert.equal(result.status, 200);
  assert.deepEqual(result.query.params, ['2000']);
  assert.equal(result.prelude.params[1], 'anon');
  assert.equal('count_query' in result, false);

  const refused = engine.translate({ method: 'GET', path: '/nope' });
  assert.deepEqual(Object.keys(refused), ['ok', 'status', 'error']);
  assert.equal(refused.status, 404);
  assert.equal(refused.error.code, 'PGRST205');
  assert.deepEqual(Object.keys(refused.error), ['code', 'message', 'details', 'hint']);

  const ambiguous = engine.translate({ method: 'GET', path: '/users', query: 'select=*,loans(*)' });
  assert.equal(ambiguous.error.code, 'PGRST201');
  assert.ok(Array.isArray(ambiguous.error.details)); // JSON details are parsed
});

test('translate gives exactly what the JSON form gives', () => {
  const engine = new pgrest.Engine(catalog);
  const requests = [
    {
      method: 'GET', path: '/films', query: 'select=id,directors(name)&order=id',
      headers: { prefer: 'count=exact', range: '0-1' },
      claims: { role: 'authenticated', sub: 'x', nested: { list: [1, 2.5, null] } },
    },
    { method: 'POST', path: '/films', query: 'select=id', headers: { Prefer: 'return=representation' }, body: '[{"id":10,"title":"é"}]' },
    { method: 'GET', path: '/films', headers: { Prefer: 'count=planned' } },
    { method: 'PATCH', path: '/users', query: 'id=eq.1', body: '{"name":"x"}', headers: { Prefer: 'max-affected=1, handling=strict' } },
    { method: 'GET', path: '/chunks', headers: { 'Accept-Profile': 'ai' }, claims: { role: 'service_role' }, via_api_layer: true },
    { method: 'GET', path: '/chunks', headers: { 'Accept-Profile': 'ai' }, via_api_layer: false },
    { method: 'GET', path: '/films', query: null, headers: null, body: null, claims: null, extra: 1 },
    // Mistyped fields: the JSON form's PGRX001 refusals.
    { method: 'GET' },
    { method: 1, path: '/films' },
    { method: 'GET', path: '/films', via_api_layer: 'true' },
    { method: 'GET', path: '/films', headers: { Prefer: 5 } },
    { method: 'GET', path: '/films', headers: ['x'] },
    { method: 'GET', path: '/films', claims: 'role=admin' },
    { method: 'GET', path: '/films', claims: [1] },
    { method: 'POST', path: '/films', body: { id: 1 } },
  ];
  for (const request of requests) {
    const expected = JSON.parse(engine.translateJson(JSON.stringify(request)));
    assert.deepEqual(engine.translate(request), expected, JSON.stringify(request));
  }
  const refused = engine.translate({ method: 'GET', path: '/films', via_api_layer: 1 });
  assert.equal(refused.error.code, 'PGRX001');
});

test('translateJson is what `pgrest translate` prints', { skip: !process.env.PGREST_CLI }, () => {
  const engine = new pgrest.Engine(catalog);
  const request = '{"method":"GET","path":"/films","query":"id=eq.1"}';
  const out = execFileSync(process.env.PGREST_CLI, ['translate', '--catalog', sampleCatalogPath, request], { encoding: 'utf8' });
  assert.equal(engine.translateJson(request) + '\n', out);
});

test('a Buffer body is the same as a string body', () => {
  const engine = new pgrest.Engine(catalog);
  const asString = engine.translate({ method: 'POST', path: '/films', body: '{"id":1,"title":"é"}' });
  const asBuffer = engine.translate({ method: 'POST', path: '/films', body: Buffer.from('{"id":1,"title":"é"}') });
  assert.equal(asString.ok, true);
  assert.deepEqual(asBuffer, asString);
  const empty = engine.translate({ method: 'POST', path: '/films', body: Buffer.alloc(0) });
  assert.deepEqual(empty, engine.translate({ method: 'POST', path: '/films', body: '' }));
});

test('config: a JSON string, an object, or null', () => {
  for (const config of [{ max_rows: 2 }, '{"max_rows":2}']) {
    const result = new pgrest.Engine(catalog, config).translate({ method: 'GET', path: '/films' });
    assert.ok(result.query.params.includes('2'), JSON.stringify(result.query.params));
  }
  assert.equal(new pgrest.Engine(catalog, null).translate({ method: 'GET', path: '/films' }).ok, true);
  assert.equal(new pgrest.Engine(catalog, undefined).translate({ method: 'GET', path: '/films' }).ok, true);
});

test('errors throw with the status as code', () => {
  assert.throws(() => new pgrest.Engine('{nope'), { code: 'PGREST_INVALID_JSON' });
  assert.throws(() => new pgrest.Engine(catalog, { schemaz: [] }), { code: 'PGREST_INVALID_JSON', message: /schemaz/ });
  assert.throws(() => new pgrest.Engine(catalog, 5), TypeError);
  assert.throws(() => new pgrest.Engine(5), TypeError);
  assert.throws(() => pgrest.Engine(catalog), TypeError);
  const engine = new pgrest.Engine(catalog);
  assert.throws(() => engine.translate('GET /films'), TypeError);
  assert.throws(() => engine.translate(), TypeError);
  assert.throws(() => engine.translateJson({}), TypeError);
  assert.throws(() => engine.swapCatalog('[]'), { code: 'PGREST_INVALID_JSON' });
  assert.throws(() => engine.translate.call({}, { method: 'GET', path: '/films' }), TypeError);
  const circular = { method: 'GET', path: '/films', claims: {} };
  circular.claims.self = circular.claims;
  assert.throws(() => engine.translate(circular), TypeError); // JSON.stringify's error
  assert.equal(engine.translate({ method: 'GET', path: '/directors' }).ok, true); // still usable
});

test('swapCatalog', () => {
  const engine = new pgrest.Engine(catalog);
  assert.equal(engine.translate({ method: 'GET', path: '/directors' }).ok, true);
  engine.swapCatalog(smallCatalog);
  assert.equal(engine.translate({ method: 'GET', path: '/directors' }).error.code, 'PGRST205');
  assert.equal(engine.translate({ method: 'GET', path: '/films' }).ok, true);
  engine.swapCatalog(catalog);
  assert.equal(engine.translate({ method: 'GET', path: '/directors' }).ok, true);
});

test('many translations and engines (finalizers, no leaks of handles)', async () => {
  // tests/bindings/meson.build runs this file with --expose-gc; without it nothing below
  // would be collected and the test would prove nothing.
  assert.equal(typeof globalThis.gc, 'function', 'run with node --expose-gc');
  const created = 200;
  let collected = 0;
  const registry = new FinalizationRegistry(() => {
    collected += 1;
  });
  (() => {
    for (let i = 0; i < created; ++i) {
      const engine = new pgrest.Engine(smallCatalog);
      registry.register(engine, i);
      const result = engine.translate({ method: 'GET', path: '/films', headers: { prefer: 'count=exact' }, claims: { role: 'anon', i } });
      assert.equal(result.ok, true);
    }
  })();
  // Unreachable engines are collected (the addon keeps no reference to them), and their
  // finalizers, which destroy the native engines, run without crashing.
  for (let round = 0; round < 50 && collected < created / 2; ++round) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.ok(collected >= created / 2, `only ${collected} of ${created} engines were collected`);
});

test("require('./bindings/node') from the repository root finds the built addon", (t) => {
  // bindings/node/index.js looks in <repo>/build*/bindings/node when PGREST_NODE_ADDON is
  // unset; that only applies when this build directory is inside the repository.
  const addon = process.env.PGREST_NODE_ADDON;
  const buildDir = addon ? path.resolve(addon, '..', '..', '..') : '';
  if (!addon || path.dirname(buildDir) !== path.resolve(root) || !path.basename(buildDir).startsWith('build')) {
    t.skip(`the build directory ${buildDir || '(unknown)'} is not <repo>/build*`);
    return;
  }
  const env = { ...process.env };
  delete env.PGREST_NODE_ADDON;
  const script =
    "const { Engine, version } = require('./bindings/node');" +
    "const loaded = Object.keys(require.cache).find((file) => file.endsWith('.node'));" +
    "console.log(JSON.stringify({ engine: typeof Engine, version, loaded }));";
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, env, encoding: 'utf8' }));
  assert.equal(out.engine, 'function');
  assert.equal(out.version, pgrest.version);
  assert.match(path.relative(root, out.loaded), /^build[^/]*\/bindings\/node\/pgrest\.node$/);
});

test('examples/embed.js runs', () => {
  const out = execFileSync(process.execPath, [path.join(root, 'examples', 'embed.js'), sampleCatalogPath], {
    encoding: 'utf8',
    env: process.env,
  });
  assert.match(out, /select/);
  assert.match(out, /\[ '2000' \]|\["2000"\]/);
});
