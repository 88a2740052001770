# examples/embed.py: one translation through the Python module; see README.md.
import sys

import pgrest

engine = pgrest.Engine(open(sys.argv[1]).read(), {"schemas": ["public"]})  # thread-safe
result = engine.translate({"method": "GET", "path": "/films", "query": "year=gte.2000",
                           "claims": {"role": "anon"}})  # verified JWT claims
if result["ok"]:  # run the prelude, then the query, in one transaction
    print(result["prelude"]["sql"], result["prelude"]["params"])
    print(result["query"]["sql"], result["query"]["params"])
else:
    print(result["status"], result["error"])  # PostgREST's error body
