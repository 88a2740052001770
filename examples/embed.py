# Embedding pgrest in Python: PYTHONPATH=build/bindings/python python3 embed.py catalog.json
import sys

import pgrest

engine = pgrest.Engine(open(sys.argv[1]).read(), {"schemas": ["public"]})  # thread-safe
result = engine.translate({"method": "GET", "path": "/films", "query": "year=gte.2000",
                           "claims": {"role": "anon"}})
if result["ok"]:  # run prelude, then query, in one transaction; the query's row has the body
    print(result["prelude"]["sql"], result["prelude"]["params"])
    print(result["query"]["sql"], result["query"]["params"])
else:
    print(result["status"], result["error"])
