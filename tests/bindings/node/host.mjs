// A minimal PostgREST host around the Node binding, for the tests: it verifies a JWT,
// translates with pgrest, runs prelude + query with `pg` in one transaction as the
// authenticator role, and answers as PostgREST does (statuses, Content-Range, errors).
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import pg from 'pg';

import { root, sampleCatalogPath } from './common.mjs';

export { pgrest, root, sampleCatalogPath } from './common.mjs';

// --------------------------------------------------------------------------- database

export function conninfo() {
  const value = process.env.PGREST_TEST_CONNINFO;
  if (!value) throw new Error('PGREST_TEST_CONNINFO is not set: run under scripts/with-postgres.sh');
  return value;
}

// libpq's key=value conninfo (what with-postgres.sh exports) as a pg client config.
export function pgConfig(info, overrides = {}) {
  const config = {};
  const names = { dbname: 'database', host: 'host', port: 'port', user: 'user', password: 'password' };
  for (const match of info.matchAll(/(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g)) {
    let value = match[2];
    if (value.startsWith("'")) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (names[match[1]]) config[names[match[1]]] = value;
  }
  if (config.port) config.port = Number(config.port);
  return { ...config, ...overrides };
}

// Drops and recreates tests/fixtures/schema.sql, as the superuser.
export async function loadFixture() {
  const client = new pg.Client(pgConfig(conninfo()));
  await client.connect();
  try {
    await client.query(readFileSync(path.join(root, 'tests', 'fixtures', 'schema.sql'), 'utf8'));
  } finally {
    await client.end();
  }
}

// The fixture's catalog from `pgrest catalog` (PGREST_CLI), else the bundled snapshot.
export function fixtureCatalog() {
  if (process.env.PGREST_CLI) {
    return execFileSync(process.env.PGREST_CLI, ['catalog', '--db', conninfo()], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  }
  return readFileSync(sampleCatalogPath, 'utf8');
}

// ------------------------------------------------------------------------------- JWTs

const base64url = (data) => Buffer.from(data).toString('base64url');
export const jwtSecret = 'pgrest-test-secret-pgrest-test-secret';

export function signJwt(claims, secret = jwtSecret) {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

// The verified claims of `Authorization: Bearer <jwt>`; undefined without a token; throws
// on a bad one.
function verifyJwt(authorization) {
  if (!authorization) return undefined;
  const token = authorization.replace(/^Bearer\s+/i, '');
  const [head, body, signature] = token.split('.');
  const expected = createHmac('sha256', jwtSecret).update(`${head}.${body}`).digest('base64url');
  if (!signature || signature !== expected) throw new Error('JWSInvalidSignature');
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
}

// ------------------------------------------------------------------------------- host

// PostgREST's HTTP status for a PostgreSQL error (SQLSTATE).
export function sqlStateStatus(code, authenticated) {
  const exact = {
    23503: 409, 23505: 409, 25006: 405, 53400: 500, '57P01': 503, P0001: 400,
    42883: 404, '42P01': 404, '42P17': 500, 42501: authenticated ? 403 : 401,
  };
  if (code in exact) return exact[code];
  const byClass = {
    '08': 503, '09': 500, '0L': 403, '0P': 403, 25: 500, 28: 403, '2D': 500, 38: 500, 39: 500,
    '3B': 500, 40: 500, 53: 503, 54: 500, 55: 500, 57: 500, 58: 500, F0: 500, HV: 500, P0: 500,
    XX: 500,
  };
  return byClass[code.slice(0, 2)] ?? 400;
}

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };

function errorResponse(status, error, headers = {}) {
  return { status, headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(error) };
}

// The lower bound of the requested range: the Range header or the `offset` parameter.
function rangeStart(headers, query) {
  const range = /^\s*(\d+)-/.exec(headers.range ?? '');
  if (range) return Number(range[1]);
  const offset = new URLSearchParams(query).get('offset');
  return offset && /^\d+$/.test(offset) ? Number(offset) : 0;
}

export class Host {
  // engine: a pgrest Engine; pool: a pg.Pool connecting as the authenticator.
  constructor(engine, pool) {
    this.engine = engine;
    this.pool = pool;
    this.requests = []; // every request handed to the engine, for assertions
    this.responses = []; // every response fetch() gave back: { status, headers }
  }

  // request: { method, path, query, headers (lower-case names), body }
  async handle({ method, path: requestPath, query, headers, body }) {
    let claims;
    try {
      claims = verifyJwt(headers.authorization);
    } catch {
      return errorResponse(401, { code: 'PGRST301', message: 'JWSError JWSInvalidSignature', details: null, hint: null });
    }
    const request = { method, path: requestPath, query, headers, body: body ?? null, claims };
    this.requests.push(request);
    const result = this.engine.translate(request);
    if (!result.ok) return errorResponse(result.status, result.error);

    const client = await this.pool.connect();
    let row;
    let plan;
    let failure;
    let rollback = result.rollback;
    try {
      await client.query(result.read_only ? 'begin read only' : 'begin');
      await client.query(result.prelude.sql, result.prelude.params);
      row = (await client.query(result.query.sql, result.query.params)).rows[0];
      if (result.count_query) {
        const rows = (await client.query(result.count_query.sql, result.count_query.params)).rows;
        plan = Object.values(rows[0])[0];
      }
      const pageTotal = Number(row.page_total);
      if (result.singular && pageTotal !== 1) {
        failure = errorResponse(406, {
          code: 'PGRST116',
          message: 'JSON object requested, multiple (or no) rows returned',
          details: `The result contains ${pageTotal} rows`,
          hint: null,
        });
      } else if (result.expect_one_row && pageTotal !== 1) {
        failure = errorResponse(400, {
          code: 'PGRST115',
          message: 'Payload values do not match URL in primary key column(s)',
          details: null,
          hint: null,
        });
      } else if (result.max_affected !== undefined && pageTotal > result.max_affected) {
        failure = errorResponse(400, {
          code: 'PGRST124',
          message: 'Query result exceeds max-affected preference constraint',
          details: `The query affects ${pageTotal} rows`,
          hint: null,
        });
      }
      rollback = rollback || failure !== undefined;
      await client.query(rollback ? 'rollback' : 'commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      if (!error.code) throw error;
      const authenticated = Boolean(claims?.role) && claims.role !== 'anon';
      return errorResponse(sqlStateStatus(error.code, authenticated), {
        code: error.code,
        message: error.message,
        details: error.detail ?? null,
        hint: error.hint ?? null,
      });
    } finally {
      client.release();
    }
    if (failure) return failure;
    return this.respond(result, row, plan, { method, path: requestPath, query, headers });
  }

  respond(result, row, plan, { method, path: requestPath, query, headers }) {
    const pageTotal = Number(row.page_total);
    let total = row.total_count === null || row.total_count === undefined ? null : Number(row.total_count);
    if (plan !== undefined) {
      const estimate = Number(plan[0].Plan['Plan Rows']);
      const exact = total;
      const threshold = result.count_threshold;
      total = exact !== null && threshold !== undefined && exact <= threshold ? exact : Math.max(exact ?? 0, estimate);
    }
    // Ranges apply to reads and to function results, whatever the method.
    const isRead = method === 'GET' || method === 'HEAD' || requestPath.startsWith('/rpc/');
    if (!isRead && total === null && /count=exact/.test(headers.prefer ?? '')) total = pageTotal;
    let status = result.status;
    if (row.status !== undefined && row.status !== null) status = Number(row.status); // upserts
    const responseHeaders = { 'content-type': `${result.media_type}; charset=utf-8` };
    const lower = isRead ? rangeStart(headers, query) : 0;
    if (isRead && total !== null && lower > total && !(lower === 0 && total === 0)) {
      return errorResponse(416, {
        code: 'PGRST103',
        message: 'Requested range not satisfiable',
        details: `An offset of ${lower} was requested, but there are only ${total} rows.`,
        hint: null,
      }, { 'content-range': `*/${total}` });
    }
    // As PostgREST: reads, function calls and updates give the range of the rows they
    // return (updates always from 0); inserts and deletes give no range, only `*/total`
    // (`*/*` without a count); a single upsert (PUT) gives no Content-Range at all.
    const isTableWrite = !requestPath.startsWith('/rpc/') && !isRead;
    if (!(isTableWrite && method === 'PUT')) {
      const ranged = !isTableWrite || method === 'PATCH';
      responseHeaders['content-range'] =
        (ranged && pageTotal > 0 ? `${lower}-${lower + pageTotal - 1}` : '*') + `/${total ?? '*'}`;
    }
    if (isRead && status === 200 && total !== null && pageTotal < total) status = 206;
    if (row.location) responseHeaders.location = row.location;
    const body = method === 'HEAD' || status === 204 ? null : (row.body ?? '');
    return { status, headers: responseHeaders, body };
  }

  // A fetch() for postgrest-js: the URL's path after /rest/v1 and its raw query string,
  // the headers and the body go to the engine; the answer comes back as a Response.
  fetch = async (url, init = {}) => {
    const parsed = new URL(url);
    const headers = {};
    for (const [name, value] of new Headers(init.headers ?? {})) headers[name] = value;
    const response = await this.handle({
      method: init.method ?? 'GET',
      path: parsed.pathname.replace(/^\/rest\/v1/, ''),
      query: parsed.search.replace(/^\?/, ''),
      headers,
      body: init.body ?? null,
    });
    this.responses.push({ status: response.status, headers: response.headers ?? {} });
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}
