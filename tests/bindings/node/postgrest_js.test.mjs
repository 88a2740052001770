// The real client: @supabase/postgrest-js with a fetch() that hands each request to the
// Node binding and runs the translation on the throwaway PostgreSQL (host.mjs), asserting
// what the client returns. Needs PGREST_TEST_CONNINFO (scripts/with-postgres.sh).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PostgrestClient } from '@supabase/postgrest-js';
import pg from 'pg';

import { Host, conninfo, fixtureCatalog, loadFixture, pgConfig, pgrest, signJwt } from './host.mjs';

const ALICE = '11111111-1111-1111-1111-111111111111';
const BOB = '22222222-2222-2222-2222-222222222222';

let pool;
let host;
let catalog;
const clients = {};

function client(targetHost, claims, headers = {}) {
  const auth = claims ? { Authorization: `Bearer ${signJwt(claims)}` } : {};
  return new PostgrestClient('http://localhost/rest/v1', {
    fetch: targetHost.fetch,
    headers: { ...auth, ...headers },
    retry: false,
  });
}

before(async () => {
  await loadFixture();
  catalog = fixtureCatalog();
  pool = new pg.Pool(pgConfig(conninfo(), { user: 'authenticator', max: 2 }));
  host = new Host(new pgrest.Engine(catalog, { schemas: ['public'] }), pool);
  clients.anon = client(host);
  clients.alice = client(host, { role: 'authenticated', sub: ALICE });
  clients.bob = client(host, { role: 'authenticated', sub: BOB });
});

after(async () => {
  await pool?.end();
});

const ids = (rows) => rows.map((row) => row.id);

// ------------------------------------------------------------------------------- reads

test('select with embeds and filters', async () => {
  const { data, error, status } = await clients.anon
    .from('films')
    .select('id, title, directors(name)')
    .gte('year', 1960)
    .order('id');
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.deepEqual(data, [
    { id: 1, title: 'Cléo from 5 to 7', directors: { name: 'Agnès Varda' } },
    { id: 3, title: 'Jeanne Dielman', directors: { name: 'Chantal Akerman' } },
    { id: 5, title: 'The Gleaners and I', directors: { name: 'Agnès Varda' } },
  ]);
  // What the engine got: the path after /rest/v1, the raw query string, the headers.
  const request = host.requests.at(-1);
  assert.equal(request.method, 'GET');
  assert.equal(request.path, '/films');
  assert.match(request.query, /^select=id%2C\+?title%2C\+?directors%28name%29&year=gte\.1960&order=id\.asc$/);
});

test('many-to-many embed ordered, and an inner-joined embed filter', async () => {
  const films = await clients.anon
    .from('films')
    .select('title, actors(name)')
    .eq('id', 4)
    .order('name', { referencedTable: 'actors' });
  assert.equal(films.error, null);
  assert.deepEqual(films.data, [
    { title: 'Rashomon', actors: [{ name: 'Takashi Shimura' }, { name: 'Toshiro Mifune' }] },
  ]);
  const directors = await clients.anon
    .from('directors')
    .select('name, films!inner(title)')
    .eq('films.year', 1954);
  assert.equal(directors.error, null);
  assert.deepEqual(directors.data, [{ name: 'Akira Kurosawa', films: [{ title: 'Seven Samurai' }] }]);
});

test('or and in', async () => {
  const either = await clients.anon.from('films').select('id').or('year.lt.1955,rating.gte.8.5').order('id');
  assert.equal(either.error, null);
  assert.deepEqual(ids(either.data), [2, 4]);
  const listed = await clients.anon.from('films').select('id').in('id', [1, 3, 5]).order('id');
  assert.deepEqual(ids(listed.data), [1, 3, 5]);
  const titles = await clients.anon.from('films').select('id').in('title', ['Rashomon', 'Seven Samurai', 'a,b']).order('id');
  assert.equal(titles.error, null);
  assert.deepEqual(ids(titles.data), [2, 4]);
});

test('textSearch', async () => {
  const plain = await clients.anon.from('films').select('id').textSearch('search', 'samurai village', { config: 'english', type: 'plain' });
  assert.equal(plain.error, null);
  assert.deepEqual(ids(plain.data), [2]);
  const query = await clients.anon.from('films').select('id').textSearch('search', "'gleaners' | 'widow'", { config: 'english' }).order('id');
  assert.deepEqual(ids(query.data), [3, 5]);
  const web = await clients.anon.from('films').select('id').textSearch('search', 'crime -medical', { type: 'websearch' });
  assert.deepEqual(ids(web.data), [4]);
});

test('order, range and an exact count', async () => {
  const page = await clients.anon.from('films').select('id', { count: 'exact' }).order('id', { ascending: false }).range(0, 1);
  assert.equal(page.error, null);
  assert.deepEqual(page.data, [{ id: 6 }, { id: 5 }]);
  assert.equal(page.count, 6);
  assert.equal(page.status, 206);
  const last = await clients.anon.from('films').select('id', { count: 'exact' }).order('id').range(4, 9);
  assert.deepEqual(ids(last.data), [5, 6]);
  assert.equal(last.count, 6);
  assert.equal(last.status, 206);
  const all = await clients.anon.from('films').select('id', { count: 'exact' });
  assert.equal(all.count, 6);
  assert.equal(all.status, 200);
  const beyond = await clients.anon.from('films').select('id', { count: 'exact' }).range(10, 12);
  assert.equal(beyond.status, 416);
  assert.equal(beyond.error.code, 'PGRST103');
  const nulls = await clients.anon.from('films').select('id,year').order('year', { ascending: false, nullsFirst: false }).limit(2);
  assert.deepEqual(nulls.data, [{ id: 5, year: 2000 }, { id: 3, year: 1975 }]);
});

test('head with count', async () => {
  const { data, count, status, error } = await clients.anon.from('films').select('*', { count: 'exact', head: true });
  assert.equal(error, null);
  assert.equal(data, null);
  assert.equal(count, 6);
  assert.equal(status, 200);
  const planned = await clients.anon.from('films').select('id', { count: 'planned', head: true });
  assert.equal(planned.error, null);
  assert.ok(Number.isInteger(planned.count) && planned.count >= 0);
});

test('single and maybeSingle', async () => {
  const one = await clients.anon.from('films').select('title').eq('id', 1).single();
  assert.equal(one.error, null);
  assert.equal(one.status, 200);
  assert.deepEqual(one.data, { title: 'Cléo from 5 to 7' });
  const many = await clients.anon.from('films').select('id').single();
  assert.equal(many.status, 406);
  assert.equal(many.data, null);
  assert.equal(many.error.code, 'PGRST116');
  const none = await clients.anon.from('films').select('id').eq('id', 99).maybeSingle();
  assert.equal(none.error, null);
  assert.equal(none.data, null);
});

test('csv', async () => {
  const { data, error } = await clients.anon.from('films').select('id,title').lt('id', 3).order('id').csv();
  assert.equal(error, null);
  // PostgREST's CSV: record text, so values with spaces are quoted.
  assert.equal(data, 'id,title\n1,"Cléo from 5 to 7"\n2,"Seven Samurai"');
});

test('row level security follows the verified claims', async () => {
  const anon = await clients.anon.from('notes').select('id').order('id');
  assert.deepEqual(ids(anon.data), [1, 4]);
  const alice = await clients.alice.from('notes').select('id').order('id');
  assert.deepEqual(ids(alice.data), [1, 2, 4]);
  const bob = await clients.bob.from('notes').select('id').order('id');
  assert.deepEqual(ids(bob.data), [1, 3, 4]);
  const info = await clients.alice.from('request_info').select('role_name, claims').single();
  assert.deepEqual(info.data, { role_name: 'authenticated', claims: { role: 'authenticated', sub: ALICE } });
  const forged = new PostgrestClient('http://localhost/rest/v1', {
    fetch: host.fetch,
    headers: { Authorization: `Bearer ${signJwt({ role: 'service_role' }, 'wrong secret')}` },
  });
  const refused = await forged.from('notes').select('id');
  assert.equal(refused.status, 401);
  assert.equal(refused.error.code, 'PGRST301');
});

test('rpc', async () => {
  const sum = await clients.anon.rpc('add_them', { a: 2, b: 3 });
  assert.equal(sum.error, null);
  assert.equal(sum.data, 5);
  const got = await clients.anon.rpc('add_them', { a: 1 }, { get: true });
  assert.equal(got.data, 2);
  assert.equal(host.requests.at(-1).method, 'GET');
  const films = await clients.anon.rpc('films_after', { min_year: 1970 }).select('title').order('year');
  assert.equal(films.error, null);
  assert.deepEqual(films.data, [{ title: 'Jeanne Dielman' }, { title: 'The Gleaners and I' }]);
  const counted = await clients.anon.rpc('films_after', { min_year: 1900 }, { count: 'exact' }).select('id').order('id').limit(2);
  assert.equal(counted.count, 5);
  assert.equal(counted.status, 206);
  const missing = await clients.anon.rpc('no_such_function', {});
  assert.equal(missing.status, 404);
  assert.equal(missing.error.code, 'PGRST202');
});

test('refusals and SQL errors as PostgREST sends them', async () => {
  const unknown = await clients.anon.from('nope').select();
  assert.equal(unknown.status, 404);
  assert.equal(unknown.error.code, 'PGRST205');
  const badValue = await clients.anon.from('films').select('id').eq('id', 'abc');
  assert.equal(badValue.status, 400);
  assert.equal(badValue.error.code, '22P02');
  const badColumn = await clients.anon.from('films').select('nope');
  assert.equal(badColumn.status, 400);
  assert.equal(badColumn.error.code, '42703');
  const managed = new PostgrestClient('http://localhost/rest/v1', { fetch: host.fetch, schema: 'ai' });
  const chunks = await managed.from('chunks').select();
  assert.equal(chunks.status, 403);
  assert.equal(chunks.error.code, 'PGRX403');
});

test('a raise in the pre-request function is P0001, 400', async () => {
  const guarded = new Host(new pgrest.Engine(catalog, { schemas: ['public'], pre_request: 'public.check_request' }), pool);
  const fine = await client(guarded).from('films').select('id').eq('id', 1);
  assert.equal(fine.error, null);
  assert.deepEqual(fine.data, [{ id: 1 }]);
  const blocked = await client(guarded, undefined, { 'x-block': 'yes' }).from('films').select('id');
  assert.equal(blocked.status, 400);
  assert.equal(blocked.error.code, 'P0001');
  assert.equal(blocked.error.message, 'blocked by the pre-request function');
});

// ------------------------------------------------------------------------------ writes

test('insert', async () => {
  const inserted = await clients.anon.from('events').insert({ kind: 'x', payload: { a: [1, 'é'] } }).select('kind, payload');
  assert.equal(inserted.error, null);
  assert.equal(inserted.status, 201);
  assert.deepEqual(inserted.data, [{ kind: 'x', payload: { a: [1, 'é'] } }]);
  const minimal = await clients.anon.from('events').insert([{ kind: 'y' }, { kind: 'z' }]);
  assert.equal(minimal.error, null);
  assert.equal(minimal.status, 201);
  assert.equal(minimal.data, null);
  // PostgREST gives inserts no range: Content-Range is */* without a count, */N with one.
  assert.equal(host.responses.at(-1).headers['content-range'], '*/*');
  const counted = await clients.anon.from('events').insert([{ kind: 'c1' }, { kind: 'c2' }], { count: 'exact' }).select('kind');
  assert.equal(counted.status, 201);
  assert.equal(host.responses.at(-1).headers['content-range'], '*/2');
  assert.equal(counted.count, 2);
  await clients.anon.from('events').delete().in('kind', ['c1', 'c2']);
  const defaults = await clients.anon.from('events').insert({}, { defaultToNull: false }).select('kind').single();
  assert.equal(defaults.error, null);
  assert.deepEqual(defaults.data, { kind: 'note' });
  // A singular insert of two rows is refused and rolled back.
  const refused = await clients.anon.from('events').insert([{ kind: 'a' }, { kind: 'b' }]).select().single();
  assert.equal(refused.status, 406);
  assert.equal(refused.error.code, 'PGRST116');
  const all = await clients.anon.from('events').select('kind', { count: 'exact' }).order('id');
  assert.deepEqual(all.data.map((row) => row.kind), ['x', 'y', 'z', 'note']);
  assert.equal(all.count, 4);
});

test('upsert', async () => {
  const updated = await clients.anon.from('directors').upsert({ id: 1, name: 'Agnès V.' }).select();
  assert.equal(updated.error, null);
  assert.equal(updated.status, 200); // only updated: the query's status column
  assert.deepEqual(updated.data, [{ id: 1, name: 'Agnès V.' }]);
  const created = await clients.anon.from('directors').upsert([{ id: 10, name: 'New' }]).select('id');
  assert.equal(created.status, 201);
  assert.deepEqual(created.data, [{ id: 10 }]);
  const ignored = await clients.anon.from('directors').upsert({ id: 2, name: 'ignored' }, { ignoreDuplicates: true }).select();
  assert.equal(ignored.error, null);
  assert.deepEqual(ignored.data, []);
  const byEmail = await clients.anon
    .from('users')
    .upsert({ id: 1, name: 'ada l.', email: 'ada@example.com' }, { onConflict: 'email' })
    .select('id, name');
  assert.equal(byEmail.error, null);
  assert.deepEqual(byEmail.data, [{ id: 1, name: 'ada l.' }]);
  const names = await clients.anon.from('directors').select('id, name').order('id');
  assert.deepEqual(names.data, [
    { id: 1, name: 'Agnès V.' },
    { id: 2, name: 'Akira Kurosawa' },
    { id: 3, name: 'Chantal Akerman' },
    { id: 10, name: 'New' },
  ]);
});

test('update', async () => {
  const { data, error, status } = await clients.anon.from('users').update({ status: 'gone' }).eq('id', 3).select('id, status');
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.deepEqual(data, [{ id: 3, status: 'gone' }]);
  const minimal = await clients.anon.from('users').update({ age: 40 }).in('id', [4, 5]);
  assert.equal(minimal.status, 204);
  // Updates, unlike inserts, give the range of the rows they changed.
  assert.equal(host.responses.at(-1).headers['content-range'], '0-1/*');
  const ages = await clients.anon.from('users').select('age').in('id', [4, 5]);
  assert.deepEqual(ages.data, [{ age: 40 }, { age: 40 }]);
});

test('delete', async () => {
  const minimal = await clients.anon.from('loans').delete().eq('id', 2);
  assert.equal(minimal.error, null);
  assert.equal(minimal.status, 204);
  assert.equal(minimal.data, null);
  const returned = await clients.anon.from('loans').delete().eq('id', 1).select('id, amount');
  assert.equal(returned.status, 200);
  assert.deepEqual(returned.data, [{ id: 1, amount: 100 }]);
  const counted = await clients.anon.from('loans').delete({ count: 'exact' }).eq('id', 3);
  assert.equal(counted.count, 1);
  const left = await clients.anon.from('loans').select('id');
  assert.deepEqual(left.data, []);
});

test('write errors: unique violation, row level security', async () => {
  const duplicate = await clients.anon.from('directors').insert({ id: 2, name: 'dup' });
  assert.equal(duplicate.status, 409);
  assert.equal(duplicate.error.code, '23505');
  const anonNote = await clients.anon.from('notes').insert({ id: 10, body: 'anon', owner: ALICE });
  assert.equal(anonNote.status, 401);
  assert.equal(anonNote.error.code, '42501');
  const forBob = await clients.alice.from('notes').insert({ id: 11, body: 'for bob', owner: BOB });
  assert.equal(forBob.status, 403);
  assert.equal(forBob.error.code, '42501');
  const own = await clients.alice.from('notes').insert({ id: 12, body: 'mine', owner: ALICE }).select('id').single();
  assert.equal(own.error, null);
  assert.equal(own.status, 201);
  assert.deepEqual(own.data, { id: 12 });
  const bobSees = await clients.bob.from('notes').select('id').order('id');
  assert.deepEqual(ids(bobSees.data), [1, 3, 4]);
});
