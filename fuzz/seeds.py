#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (seed-*.bin files).

Run it after changing the input layout of a target, then commit the result:
    python3 fuzz/seeds.py
Files libFuzzer merged into the corpora (40-hex-digit names) are left alone; seed-*
files are rewritten. fuzz_translate seeds follow FuzzedDataProvider's layout (integers
taken from the end of the input, strings from the front with `\\` escaping); the
order of the calls below must match LLVMFuzzerTestOneInput in fuzz_translate.cpp.
"""
import json
import os
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

# Must equal kMethods, kPaths and kHeaderNames in fuzz_translate.cpp.
METHODS = ["GET", "GET", "GET", "GET", "HEAD", "HEAD", "POST", "PATCH", "PUT", "DELETE",
           "OPTIONS", "get"]
PATHS = ["/films", "/actors", "/directors", "/film_titles", "/notes", "/odd_names", "/roles",
         "/user_agents", "/users", "/chunks", "/agents", "/knowledge_bases", "/sources",
         "/flims", "/rpc/add_them", "/rpc/films_after", "/rpc/request_context",
         "/rpc/match_chunks", "/", "/ai.chunks", "/%22ai%22.%22chunks%22", "/films/",
         "/rpc/check_request"]
HEADERS = ["Accept", "Prefer", "Range", "Accept-Profile", "Content-Profile", "Cookie",
           "Content-Type", "accept-profile", ""]


def check_tables_match_cpp():
    source = (HERE / "fuzz_translate.cpp").read_text()

    def array(name):
        body = re.search(name + r" = \{(.*?)\};", source, re.S).group(1)
        return re.findall(r'"((?:[^"\\]|\\.)*)"', body)

    for name, table in (("kMethods", METHODS), ("kPaths", PATHS), ("kHeaderNames", HEADERS)):
        if array(name) != table:
            raise SystemExit(f"seeds.py: {name} differs from fuzz_translate.cpp")


class Provider:
    """Builds bytes that FuzzedDataProvider reads back as the given calls."""

    def __init__(self):
        self.front = bytearray()
        self.back = bytearray()  # in consumption order; reversed at the end

    def u8(self, value):
        self.back.append(value)

    def string(self, text):
        data = text.encode() if isinstance(text, str) else text
        for byte in data:
            self.front += b"\\\\" if byte == 0x5C else bytes([byte])
        self.front += b"\\\n"  # a backslash and any other byte end the string

    def bytes(self):
        return bytes(self.front) + bytes(reversed(self.back))


def translate_input(path="/films", query="", headers=(), method="GET", via_api_layer=False,
                    body=None, claims=None, tuned=False):
    flags = (1 if via_api_layer else 0) | (2 if body is not None else 0) | \
        (4 if claims is not None else 0) | (8 if tuned else 0)
    p = Provider()
    p.u8(flags)
    p.u8(METHODS.index(method))
    if path in PATHS:
        p.u8(PATHS.index(path))
    else:
        p.u8(len(PATHS))
        p.string(path)
    p.string(query)
    p.u8(len(headers))
    for name, value in headers:
        if name in HEADERS[:-1]:
            p.u8(HEADERS.index(name))
        else:
            p.u8(len(HEADERS) - 1)
            p.string(name)
        p.string(value)
    if body is not None:
        p.string(body)
    if claims is not None:
        p.string(json.dumps(claims) if not isinstance(claims, str) else claims)
    return p.bytes()


# Queries from tests/integration/test_read.cpp and examples/requests.jsonl.
READ_QUERIES = [
    "select=id,title&year=gte.1954&order=year.desc&limit=2&offset=1",
    "select=id,title,year&year=gte.1960&order=year.desc&limit=3",
    "select=title,lang:metadata->>lang&or=(year.lt.1955,rating.gte.8.5)&order=title",
    "select=id,t:tags->>0&id=eq.4",
    "select=metadata->awards->0&id=eq.1",
    "select=id::text,title&year=neq.1954",
    "year=not.gt.1960&title=like.*Samurai",
    "title=ilike.*the*&title=match.^R&title=imatch.^r",
    "title=like(any).{*Samurai,Rash*}&title=ilike(all).{*e*,*s*}",
    "id=in.(1,3,5)&id=not.in.(1,3,5)",
    "id=in.()&year=is.null&votes=isdistinct.10",
    "year=is.NOT_NULL&year=not.is.null",
    "search=fts(english).villages&description=plfts(english).medical+test",
    "description=phfts.told+by+four&description=wfts(english).samurai+or+widow",
    "search=not.fts.samurai",
    "tags=cs.{drama}&tags=cd.{drama,action,paris}&tags=ov.{documentary,mystery}",
    "runtime=sl.[100,150)&runtime=sr.[100,150)&runtime=nxr.[89,95)&runtime=nxl.[200,300)",
    "runtime=adj.[91,100)&metadata=cs.%7B%22lang%22%3A%22ja%22%7D",
    "and=(year.gt.1950,year.lt.1970)&not.or=(year.lt.1955,year.is.null)",
    "or=(id.eq.6,and(year.gte.1960,or(rating.gte.8,votes.is.null)))",
    "or=(tags.cs.{mystery},id.in.(1,2))&or=(metadata->>lang.eq.ja,id.eq.3)",
    "title=eq.x'%3B%20drop%20table%20films%3B--",
    "title=in.(%22a%5C%22)%3B%20drop%20table%20films%3B--%22,b)",
    "select=id&order=year.desc.nullsfirst,id&limit=3",
    "select=id&order=metadata->>lang.desc.nullslast,id.desc&limit=3",
    "select=director_id,total:votes.sum(),count()&rating=gt.8.1",
    "select=id,directors(name)&directors.name=eq.x",
    "description=wfts(english).village+samurai&select=title",
    "limit=-1",
    "year=gte.1960&order=year.sideways",
    "select=id,,title&id=xx.1",
]


def translate_seeds():
    seeds = {}
    for i, query in enumerate(READ_QUERIES):
        seeds[f"read-{i:02d}"] = translate_input("/films", query)
    seeds["users-count"] = translate_input(
        "/users", "select=id,name,email&age=gte.18&status=in.(active,pending)"
        "&order=created_at.desc&limit=10&offset=0", [("Prefer", "count=exact")])
    seeds["users-quoted-in"] = translate_input("/users", "status=in.(%22active%22,%22pending%22)")
    seeds["csv"] = translate_input("/films", "select=id,title,year&id=in.(2,6)&order=id",
                                   [("Accept", "text/csv")])
    seeds["object"] = translate_input("/films", "id=eq.1",
                                      [("Accept", "application/vnd.pgrst.object+json")])
    seeds["stripped"] = translate_input(
        "/films", "select=id,year", [("Accept", "application/vnd.pgrst.array+json;nulls=stripped")])
    seeds["accept-q"] = translate_input(
        "/films", "select=id&id=eq.1", [("Accept", "application/xml;q=0.9, */*;q=0.1")])
    seeds["range"] = translate_input("/films", "select=id&order=id&offset=2&limit=10",
                                     [("Range", "0-3"), ("Prefer", "count=planned")])
    seeds["count-estimated"] = translate_input(
        "/films", "select=id&year=gt.1950", [("Prefer", "handling=strict, count=estimated")],
        tuned=True)
    seeds["head"] = translate_input("/films", "select=id", [("Range", "5-2")], method="HEAD")
    seeds["ai-profile"] = translate_input("/chunks", "select=id,content",
                                          [("Accept-Profile", "ai")])
    seeds["ai-via-api"] = translate_input("/chunks", "select=id,content&id=gt.1",
                                          [("Accept-Profile", "ai")], via_api_layer=True)
    seeds["ai-tuned-default"] = translate_input("/chunks", "select=id", tuned=True)
    seeds["private-profile"] = translate_input("/films", "", [("Accept-Profile", "private")])
    seeds["claims"] = translate_input(
        "/notes", "select=id&order=id", [("Cookie", "a=1; b=two"), ("X-Trace", "t1")],
        claims={"role": "authenticated", "sub": "11111111-1111-1111-1111-111111111111"})
    seeds["claims-nested"] = translate_input(
        "/films", "select=id", claims={"role": "x", "app_metadata": {"role": "service_role"}},
        tuned=True)
    seeds["odd-names"] = translate_input(
        "/odd_names", "select=%22order%22,%22with%20space%22,%22quote%5C%22d%22,na%C3%AFve"
        "&%22limit%22=gt.15&%22select%22=eq.s1&order=%22Mixed%22")
    seeds["view"] = translate_input("/film_titles", "select=*&id=eq.2")
    seeds["post"] = translate_input("/films", "columns=id,title", method="POST",
                                    body='[{"id":1,"title":"x"}]',
                                    headers=[("Content-Profile", "public"),
                                             ("Prefer", "return=representation")])
    seeds["rpc"] = translate_input("/rpc/add_them", "a=1&b=2")
    seeds["root"] = translate_input("/", "")
    seeds["fuzzed-path"] = translate_input("/films%2Fx/y", "")
    seeds["missing"] = translate_input("/flims", "")
    seeds["deep-or"] = translate_input("/films", "or=(" + "or(" * 40 + "id.eq.1" + ")" * 41)
    seeds["deep-select"] = translate_input("/films", "select=" + "a(" * 40)
    seeds["json-filter"] = translate_input("/films", "metadata->>lang=like.f*&doc->a->>0=eq.1")
    return seeds


def parse_seeds():
    # First byte: selector (mod 7) + 7 * flags (1 negated, 2 is_or, 4 small limits).
    seeds = {}
    selects = ["id,title,x:metadata->a->>b,metadata->0", "*", "id::text,total:votes.sum()",
               "count()", "id,directors(name),...roles!inner(character)",
               "a:b!hint!inner(c,d(e))", "\"with space\",\"quote\\\"d\"", ""]
    filters = ["eq.1", "not.in.(1,\"a,b\",c)", "fts(english).cat", "like(any).{*a*,b*}",
               "is.not_null", "isdistinct.null", "cs.{a,b}", "sl.[1,2)", "not.eq",
               "eq(all).{1,2}"]
    trees = ["(id.eq.1,and(year.gt.2,title.in.(\"a,b\",c)))",
             "(year.lt.1955,rating.gte.8.5)", "(not.and(a.eq.1,b.eq.2),c.is.null)",
             "(metadata->>lang.eq.ja,id.eq.3)", "(" + "or(" * 10 + "a.eq.1" + ")" * 11]
    orders = ["year.desc.nullsfirst,id", "metadata->>lang.desc.nullslast,id.desc",
              "directors(name).asc", "\"Mixed\".asc"]
    keys = ["id", "actors.not.or", "metadata->a->>b", "\"order\"", "a.b.c->0", "not.and"]
    names = ["id,title", "\"a,b\",c", " id , title "]
    queries = ["select=id&year=gte.1999&order=id.desc&limit=3&offset=4",
               "or=(id.eq.1)&not.and=(a.eq.1,b.eq.2)&actors.order=id&actors.limit=1",
               "columns=a,b&on_conflict=id&select=*,x(*)"]
    for i, text in enumerate(selects):
        seeds[f"select-{i}"] = bytes([0]) + text.encode()
    for i, text in enumerate(filters):
        seeds[f"filter-{i}"] = bytes([1]) + text.encode()
    for i, text in enumerate(trees):
        seeds[f"tree-{i}"] = bytes([2 + 7 * (i % 4)]) + text.encode()
    for i, text in enumerate(orders):
        seeds[f"order-{i}"] = bytes([3]) + text.encode()
    for i, text in enumerate(keys):
        seeds[f"key-{i}"] = bytes([4]) + text.encode()
    for i, text in enumerate(names):
        seeds[f"names-{i}"] = bytes([5]) + text.encode()
    for i, text in enumerate(queries):
        seeds[f"query-{i}"] = bytes([6 + 7 * 4 * (i % 2)]) + text.encode()
    return seeds


def decode_seeds():
    texts = [q for q in READ_QUERIES[::3]] + [
        "a=1&&b=2&c", "%41%4", "%zz%2F+x", "title=eq.%FF", "a=%C3%A9&%E2%82%AC=1",
        "/films", "/rpc/add_them", "/", "/a/b", "//", "/films/", "/%22ai%22.%22chunks%22",
        "/na%C3%AFve", "/x%2Fy", "=&=&", "+%2B+",
    ]
    return {f"text-{i:02d}": t.encode() for i, t in enumerate(texts)}


def catalog_seeds():
    catalog = json.loads((HERE / "catalog.json").read_text())
    base = {"version": catalog["version"], "schemas": catalog["schemas"],
            "roles": ["anon", "authenticated", "service_role"], "relations": [],
            "foreign_keys": [], "functions": []}
    seeds = {"empty": json.dumps(base, separators=(",", ":")).encode()}
    for relation in catalog["relations"]:
        one = dict(base, relations=[relation])
        one["foreign_keys"] = [fk for fk in catalog["foreign_keys"]
                               if fk["table"] == relation["name"]][:1]
        seeds[f"relation-{relation['schema']}-{relation['name']}"] = \
            json.dumps(one, separators=(",", ":")).encode()
    seeds["functions"] = json.dumps(dict(base, functions=catalog["functions"][:3]),
                                    separators=(",", ":")).encode()
    weird = json.loads(json.dumps(catalog["relations"][0]))
    weird["schema"] = 'we"ird.sch'
    weird["name"] = 'ta"ble\\x.y'
    weird["columns"][0]["name"] = 'c"o,l(1)'
    seeds["weird-names"] = json.dumps(dict(base, schemas=['we"ird.sch'], relations=[weird]),
                                      separators=(",", ":")).encode()
    seeds["bad-version"] = b'{"version":2}'
    seeds["bad-kind"] = json.dumps(
        dict(base, relations=[dict(catalog["relations"][0], kind="sequence")])).encode()
    for name, data in seeds.items():
        assert len(data) <= 4096, (name, len(data))
    return seeds


def request_json_seeds():
    seeds = {}
    lines = (HERE.parent / "examples" / "requests.jsonl").read_text().splitlines()
    for i, line in enumerate(line for line in lines if line.strip()):
        seeds[f"example-{i}"] = line.encode()
    seeds["via-api"] = json.dumps({"method": "GET", "path": "/chunks", "query": "select=id",
                                   "headers": {"Accept-Profile": "ai"},
                                   "via_api_layer": True}).encode()
    seeds["body-claims"] = json.dumps({"method": "POST", "path": "/films", "body": "[{}]",
                                       "claims": {"role": "anon"}}).encode()
    seeds["bad-type"] = b'{"method":1}'
    seeds["unknown-key"] = b'{"method":"GET","path":"/films","bogus":1}'
    seeds["config-full"] = json.dumps({
        "schemas": ["public", "ai"], "managed_schemas": ["ai"], "anon_role": "anon",
        "role_claim_key": ".app_metadata.roles[0]", "max_rows": 10,
        "pre_request": "public.check_request", "aggregates_enabled": True,
        "limits": {"max_query_bytes": 4096, "max_nesting": 4, "max_list_items": 16}}).encode()
    seeds["config-ai-first"] = b'{"schemas":["ai","public"]}'
    seeds["config-unmanaged"] = b'{"schemas":["public"],"managed_schemas":[]}'
    seeds["config-no-anon"] = b'{"anon_role":null,"max_rows":0}'
    seeds["config-bad"] = b'{"schemas":[]}'
    return seeds


def write(target, seeds):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("seed-*"):
        old.unlink()
    for name, data in seeds.items():
        (directory / f"seed-{name}.bin").write_bytes(data)
    print(f"{target}: {len(seeds)} seeds")


def main():
    check_tables_match_cpp()
    write("fuzz_translate", translate_seeds())
    write("fuzz_parse", parse_seeds())
    write("fuzz_decode", decode_seeds())
    write("fuzz_catalog", catalog_seeds())
    write("fuzz_request_json", request_json_seeds())


if __name__ == "__main__":
    main()
