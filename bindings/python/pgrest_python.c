/* The `pgrest` Python extension: the translation contract over the C ABI (pgrest.h).
 *
 *   import pgrest
 *   engine = pgrest.Engine(catalog_json, {"schemas": ["public"]})   # config: str, dict, None
 *   result = engine.translate({"method": "GET", "path": "/films", "query": "select=id"})
 *   engine.swap_catalog(new_catalog_json)
 *
 * translate() takes the contract's request as a dict and returns the contract's result
 * as a dict, built directly from the C result (no JSON in between). A request whose
 * fields do not have the contract's types goes through the contract's JSON form instead,
 * so it gets exactly the refusal (PGRX001, 400) that `pgrest translate` gives it. The GIL
 * is released while translating: one Engine serves any number of threads, including
 * while another thread calls swap_catalog().
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pgrest.h"

/* ------------------------------------------------------------------------------ helpers */

static PyObject* json_function(const char* name) {
  PyObject* module = PyImport_ImportModule("json");
  if (module == NULL) return NULL;
  PyObject* function = PyObject_GetAttrString(module, name);
  Py_DECREF(module);
  return function;
}

/* json.dumps(value), as a new str reference. */
static PyObject* json_dumps(PyObject* value) {
  PyObject* dumps = json_function("dumps");
  if (dumps == NULL) return NULL;
  PyObject* text = PyObject_CallOneArg(dumps, value);
  Py_DECREF(dumps);
  return text;
}

static PyObject* json_loads(const char* text) {
  PyObject* loads = json_function("loads");
  if (loads == NULL) return NULL;
  PyObject* value = PyObject_CallFunction(loads, "s", text);
  Py_DECREF(loads);
  return value;
}

/* The UTF-8 bytes of a str, or the bytes of a bytes object; they live as long as the
 * object. Returns 0 and sets a TypeError otherwise. */
static int text_of(PyObject* object, const char* what, const char** data, Py_ssize_t* size) {
  if (PyUnicode_Check(object)) {
    *data = PyUnicode_AsUTF8AndSize(object, size);
    return *data != NULL;
  }
  if (PyBytes_Check(object)) {
    char* bytes = NULL;
    if (PyBytes_AsStringAndSize(object, &bytes, size) < 0) return 0;
    *data = bytes;
    return 1;
  }
  PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %.100s", what,
               Py_TYPE(object)->tp_name);
  return 0;
}

/* A str from library output; invalid UTF-8 (only possible inside parameters) becomes
 * U+FFFD, as in the contract's result JSON. */
static PyObject* str_of(const char* data, size_t size) {
  return PyUnicode_DecodeUTF8(data, (Py_ssize_t)size, "replace");
}

static PyObject* str_or_none(const char* text) {
  if (text == NULL) Py_RETURN_NONE;
  return str_of(text, strlen(text));
}

/* Raises the Python exception for a failed call; `message` is freed. */
static void raise_status(pgrest_status status, char* message) {
  const char* text = message != NULL ? message : pgrest_status_string(status);
  switch (status) {
    case PGREST_OUT_OF_MEMORY:
      PyErr_NoMemory();
      break;
    case PGREST_INVALID_JSON:
      PyErr_SetString(PyExc_ValueError, text);
      break;
    case PGREST_INVALID_ARGUMENT:
      PyErr_SetString(PyExc_ValueError, text);
      break;
    default:
      PyErr_SetString(PyExc_RuntimeError, text);
      break;
  }
  pgrest_free_string(message);
}

/* Sets dict[key] = value and drops the reference to value; 0 on failure (also when value
 * is NULL, i.e. building it failed). */
static int set_item(PyObject* dict, const char* key, PyObject* value) {
  if (value == NULL) return 0;
  const int rc = PyDict_SetItemString(dict, key, value);
  Py_DECREF(value);
  return rc == 0;
}

/* -------------------------------------------------------------------------- the result */

static PyObject* statement_dict(const pgrest_result* result, pgrest_statement which) {
  const size_t count = pgrest_result_param_count(result, which);
  PyObject* params = PyList_New((Py_ssize_t)count);
  if (params == NULL) return NULL;
  for (size_t i = 0; i < count; ++i) {
    size_t len = 0;
    bool is_null = false;
    const char* value = pgrest_result_param(result, which, i, &len, &is_null);
    PyObject* item = NULL;
    if (value == NULL) {
      item = Py_NewRef(Py_None);
    } else {
      item = str_of(value, len);
    }
    if (item == NULL) {
      Py_DECREF(params);
      return NULL;
    }
    PyList_SET_ITEM(params, (Py_ssize_t)i, item);
  }
  PyObject* dict = PyDict_New();
  if (dict == NULL || !set_item(dict, "sql", str_or_none(pgrest_result_sql(result, which))) ||
      !set_item(dict, "params", params)) {
    if (dict == NULL) Py_DECREF(params);
    Py_XDECREF(dict);
    return NULL;
  }
  return dict;
}

static PyObject* error_dict(const pgrest_result* result) {
  PyObject* dict = PyDict_New();
  if (dict == NULL) return NULL;
  const char* details = pgrest_result_error_details(result);
  PyObject* details_value = NULL;
  if (details != NULL && pgrest_result_error_details_is_json(result)) {
    details_value = json_loads(details);
  } else {
    details_value = str_or_none(details);
  }
  if (!set_item(dict, "code", str_or_none(pgrest_result_error_code(result))) ||
      !set_item(dict, "message", str_or_none(pgrest_result_error_message(result))) ||
      !set_item(dict, "details", details_value) ||
      !set_item(dict, "hint", str_or_none(pgrest_result_error_hint(result)))) {
    Py_DECREF(dict);
    return NULL;
  }
  return dict;
}

/* The contract's result as a dict, keys in the contract's order. */
static PyObject* result_dict(const pgrest_result* result) {
  PyObject* dict = PyDict_New();
  if (dict == NULL) return NULL;
  const bool ok = pgrest_result_ok(result);
  if (!set_item(dict, "ok", PyBool_FromLong(ok)) ||
      !set_item(dict, "status", PyLong_FromLong(pgrest_result_status(result)))) {
    goto fail;
  }
  if (!ok) {
    if (!set_item(dict, "error", error_dict(result))) goto fail;
    return dict;
  }
  if (!set_item(dict, "read_only", PyBool_FromLong(pgrest_result_read_only(result))) ||
      !set_item(dict, "rollback", PyBool_FromLong(pgrest_result_rollback(result))) ||
      !set_item(dict, "media_type", str_or_none(pgrest_result_media_type(result))) ||
      !set_item(dict, "singular", PyBool_FromLong(pgrest_result_singular(result))) ||
      !set_item(dict, "prelude", statement_dict(result, PGREST_STATEMENT_PRELUDE)) ||
      !set_item(dict, "query", statement_dict(result, PGREST_STATEMENT_QUERY))) {
    goto fail;
  }
  if (pgrest_result_count_sql(result) != NULL &&
      !set_item(dict, "count_query", statement_dict(result, PGREST_STATEMENT_COUNT))) {
    goto fail;
  }
  int64_t number = 0;
  if (pgrest_result_count_threshold(result, &number) &&
      !set_item(dict, "count_threshold", PyLong_FromLongLong(number))) {
    goto fail;
  }
  if (pgrest_result_max_affected(result, &number) &&
      !set_item(dict, "max_affected", PyLong_FromLongLong(number))) {
    goto fail;
  }
  if (pgrest_result_expect_one_row(result) &&
      !set_item(dict, "expect_one_row", Py_NewRef(Py_True))) {
    goto fail;
  }
  return dict;
fail:
  Py_DECREF(dict);
  return NULL;
}

/* -------------------------------------------------------------------------- the Engine */

typedef struct {
  PyObject_HEAD pgrest_engine* engine;
} EngineObject;

/* Loads a catalog snapshot from str or bytes without the GIL; NULL with an exception
 * set on failure. */
static pgrest_catalog* load_catalog(PyObject* catalog_json) {
  const char* data = NULL;
  Py_ssize_t size = 0;
  if (!text_of(catalog_json, "catalog_json", &data, &size)) return NULL;
  pgrest_catalog* catalog = NULL;
  char* message = NULL;
  PyThreadState* thread = PyEval_SaveThread();
  const pgrest_status status = pgrest_catalog_load_json(data, (size_t)size, &catalog, &message);
  PyEval_RestoreThread(thread);
  if (status != PGREST_OK) {
    raise_status(status, message);
    return NULL;
  }
  return catalog;
}

static int Engine_init(EngineObject* self, PyObject* args, PyObject* kwargs) {
  static char* keywords[] = {"catalog_json", "config", NULL};
  PyObject* catalog_json = NULL;
  PyObject* config = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:Engine", keywords, &catalog_json, &config)) {
    return -1;
  }
  /* An engine is never replaced under a live object: other threads may be translating
   * with it right now, with the GIL released, and freeing it would pull it from under
   * them. swap_catalog() is the safe way to change the catalog. */
  if (self->engine != NULL) {
    PyErr_SetString(PyExc_RuntimeError,
                    "Engine is already initialised; use swap_catalog() or a new Engine");
    return -1;
  }
  PyObject* config_text = NULL; /* owned: json.dumps of a dict */
  const char* config_data = NULL;
  Py_ssize_t config_size = 0;
  if (PyDict_Check(config)) {
    config_text = json_dumps(config);
    if (config_text == NULL) return -1;
    config_data = PyUnicode_AsUTF8AndSize(config_text, &config_size);
    if (config_data == NULL) goto fail_config;
  } else if (config != Py_None && !text_of(config, "config", &config_data, &config_size)) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "config must be str, bytes, dict or None, not %.100s",
                 Py_TYPE(config)->tp_name);
    return -1;
  }

  pgrest_catalog* catalog = load_catalog(catalog_json);
  if (catalog == NULL) goto fail_config;
  pgrest_engine* engine = NULL;
  char* message = NULL;
  PyThreadState* thread = PyEval_SaveThread();
  const pgrest_status status =
      pgrest_engine_create(catalog, config_data, (size_t)config_size, &engine, &message);
  pgrest_catalog_destroy(catalog); /* the engine holds its own reference */
  PyEval_RestoreThread(thread);
  Py_XDECREF(config_text);
  if (status != PGREST_OK) {
    raise_status(status, message);
    return -1;
  }
  if (self->engine != NULL) {
    /* Another thread's __init__ finished while this one ran without the GIL: keep the
     * engine it installed (which may already be translating) and refuse this one. */
    pgrest_engine_destroy(engine);
    PyErr_SetString(PyExc_RuntimeError,
                    "Engine is already initialised; use swap_catalog() or a new Engine");
    return -1;
  }
  self->engine = engine;
  return 0;
fail_config:
  Py_XDECREF(config_text);
  return -1;
}

static void Engine_dealloc(EngineObject* self) {
  pgrest_engine_destroy(self->engine);
  Py_TYPE(self)->tp_free((PyObject*)self);
}

static int check_engine(const EngineObject* self) {
  if (self->engine != NULL) return 1;
  PyErr_SetString(PyExc_RuntimeError, "Engine.__init__ was not called");
  return 0;
}

static PyObject* Engine_swap_catalog(EngineObject* self, PyObject* catalog_json) {
  if (!check_engine(self)) return NULL;
  pgrest_catalog* catalog = load_catalog(catalog_json);
  if (catalog == NULL) return NULL;
  const pgrest_status status = pgrest_engine_swap_catalog(self->engine, catalog);
  pgrest_catalog_destroy(catalog);
  if (status != PGREST_OK) {
    raise_status(status, NULL);
    return NULL;
  }
  Py_RETURN_NONE;
}

/* Translates the contract's JSON form of the request (the slow path for requests whose
 * fields do not have the contract's types). */
static PyObject* translate_text(EngineObject* self, const char* data, Py_ssize_t size,
                                int as_json) {
  pgrest_result* result = NULL;
  PyThreadState* thread = PyEval_SaveThread();
  const pgrest_status status = pgrest_translate_json(self->engine, data, (size_t)size, &result);
  PyEval_RestoreThread(thread);
  if (status != PGREST_OK) {
    raise_status(status, NULL);
    return NULL;
  }
  PyObject* value = NULL;
  if (as_json) {
    const char* text = pgrest_result_json(result);
    value = text != NULL ? PyUnicode_FromString(text) : PyErr_NoMemory();
  } else {
    value = result_dict(result);
  }
  pgrest_result_destroy(result);
  return value;
}

/* Optional string field: absent or None leaves *data NULL; str (or bytes where allowed)
 * sets it. Returns 0 when the field has another type. */
static int optional_text(PyObject* request, const char* key, int allow_bytes, const char** data,
                         Py_ssize_t* size, int* failed) {
  PyObject* value = PyDict_GetItemString(request, key); /* borrowed, kept by the copy */
  *data = NULL;
  *size = 0;
  if (value == NULL || value == Py_None) return 1;
  if (PyUnicode_Check(value) || (allow_bytes && PyBytes_Check(value))) {
    if (!text_of(value, key, data, size)) *failed = 1;
    return !*failed;
  }
  return 0;
}

#define PGREST_INLINE_HEADERS 32

/* translate(request: dict) -> dict */
static PyObject* Engine_translate(EngineObject* self, PyObject* request) {
  if (!check_engine(self)) return NULL;
  if (!PyDict_Check(request)) {
    PyErr_Format(PyExc_TypeError, "request must be a dict, not %.100s", Py_TYPE(request)->tp_name);
    return NULL;
  }
  /* Shallow copies keep every value alive (and unchanged) while the GIL is released. */
  PyObject* copy = PyDict_Copy(request);
  if (copy == NULL) return NULL;
  PyObject* headers = NULL;
  PyObject* claims_text = NULL;
  pgrest_header inline_headers[PGREST_INLINE_HEADERS];
  pgrest_header* header_array = inline_headers;
  PyObject* out = NULL;
  int failed = 0;
  int fast = 1;

  pgrest_request req;
  memset(&req, 0, sizeof req);
  Py_ssize_t size = 0;
  PyObject* method = PyDict_GetItemString(copy, "method");
  PyObject* path = PyDict_GetItemString(copy, "path");
  if (method == NULL || path == NULL || !PyUnicode_Check(method) || !PyUnicode_Check(path)) {
    fast = 0;
  } else {
    if (!text_of(method, "method", &req.method, &size)) goto done;
    req.method_len = (size_t)size;
    if (!text_of(path, "path", &req.path, &size)) goto done;
    req.path_len = (size_t)size;
  }
  if (fast) {
    fast = optional_text(copy, "query", 0, &req.query, &size, &failed);
    req.query_len = (size_t)size;
  }
  if (fast) {
    fast = optional_text(copy, "body", 1, &req.body, &size, &failed);
    req.body_len = (size_t)size;
  }
  if (failed) goto done;
  PyObject* via = fast ? PyDict_GetItemString(copy, "via_api_layer") : NULL;
  if (via != NULL) {
    /* Only a real bool counts, as in the contract's JSON. */
    if (PyBool_Check(via)) {
      req.via_api_layer = via == Py_True;
    } else {
      fast = 0;
    }
  }
  PyObject* claims = fast ? PyDict_GetItemString(copy, "claims") : NULL;
  if (claims != NULL && claims != Py_None) {
    if (PyDict_Check(claims)) {
      claims_text = json_dumps(claims);
      if (claims_text == NULL) goto done;
      if (!text_of(claims_text, "claims", &req.claims_json, &size)) goto done;
      req.claims_json_len = (size_t)size;
    } else {
      fast = 0;
    }
  }
  PyObject* header_map = fast ? PyDict_GetItemString(copy, "headers") : NULL;
  if (header_map != NULL && header_map != Py_None) {
    if (!PyDict_Check(header_map)) {
      fast = 0;
    } else {
      headers = PyDict_Copy(header_map);
      if (headers == NULL) goto done;
      const Py_ssize_t count = PyDict_Size(headers);
      if (count > PGREST_INLINE_HEADERS) {
        header_array = PyMem_New(pgrest_header, (size_t)count);
        if (header_array == NULL) {
          PyErr_NoMemory();
          goto done;
        }
      }
      Py_ssize_t position = 0;
      PyObject* name = NULL;
      PyObject* value = NULL;
      size_t n = 0;
      while (fast && PyDict_Next(headers, &position, &name, &value)) {
        if (!PyUnicode_Check(name) || !PyUnicode_Check(value)) {
          fast = 0;
          break;
        }
        if (!text_of(name, "header name", &header_array[n].name, &size)) goto done;
        header_array[n].name_len = (size_t)size;
        if (!text_of(value, "header value", &header_array[n].value, &size)) goto done;
        header_array[n].value_len = (size_t)size;
        ++n;
      }
      req.headers = header_array;
      req.header_count = n;
    }
  }

  if (!fast) {
    /* The contract's JSON form gives the canonical refusal for a mistyped field. */
    PyObject* text = json_dumps(request);
    if (text == NULL) goto done;
    const char* data = NULL;
    if (text_of(text, "request", &data, &size)) out = translate_text(self, data, size, 0);
    Py_DECREF(text);
    goto done;
  }

  pgrest_result* result = NULL;
  PyThreadState* thread = PyEval_SaveThread();
  const pgrest_status status = pgrest_translate(self->engine, &req, &result);
  PyEval_RestoreThread(thread);
  if (status != PGREST_OK) {
    raise_status(status, NULL);
    goto done;
  }
  out = result_dict(result);
  pgrest_result_destroy(result);

done:
  if (header_array != inline_headers) PyMem_Free(header_array);
  Py_XDECREF(headers);
  Py_XDECREF(claims_text);
  Py_DECREF(copy);
  return out;
}

/* translate_json(request_json: str) -> str */
static PyObject* Engine_translate_json(EngineObject* self, PyObject* request_json) {
  if (!check_engine(self)) return NULL;
  const char* data = NULL;
  Py_ssize_t size = 0;
  if (!text_of(request_json, "request_json", &data, &size)) return NULL;
  Py_INCREF(request_json); /* its buffer is read without the GIL */
  PyObject* out = translate_text(self, data, size, 1);
  Py_DECREF(request_json);
  return out;
}

static PyMethodDef Engine_methods[] = {
    {"translate", (PyCFunction)Engine_translate, METH_O,
     "translate(request: dict) -> dict\n\n"
     "Translates the contract's request (method, path, query, headers, body, claims,\n"
     "via_api_layer) into the contract's result: a translation (ok True: prelude and\n"
     "query with their params) or a refusal (ok False: status and error)."},
    {"translate_json", (PyCFunction)Engine_translate_json, METH_O,
     "translate_json(request_json: str) -> str\n\n"
     "The same with the contract's JSON on both sides, as `pgrest translate` prints it."},
    {"swap_catalog", (PyCFunction)Engine_swap_catalog, METH_O,
     "swap_catalog(catalog_json: str) -> None\n\n"
     "Translates with a new catalog snapshot from now on; translations running in\n"
     "other threads finish with the old one. ValueError when the snapshot is invalid."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject EngineType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pgrest.Engine",
    .tp_basicsize = sizeof(EngineObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc =
        "Engine(catalog_json: str, config: str | dict | None = None)\n\n"
        "A translation engine over a catalog snapshot (the JSON `pgrest catalog`\n"
        "writes) and a config (the contract's config; None for the defaults).\n"
        "ValueError when either is invalid. Safe to share between threads.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Engine_init,
    .tp_dealloc = (destructor)Engine_dealloc,
    .tp_methods = Engine_methods,
};

/* ---------------------------------------------------------------------------- module */

static struct PyModuleDef pgrest_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pgrest",
    .m_doc = "pgrest: PostgREST requests translated into parameterised SQL (the C ABI).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit_pgrest(void) {
  if (PyType_Ready(&EngineType) < 0) return NULL;
  PyObject* module = PyModule_Create(&pgrest_module);
  if (module == NULL) return NULL;
  if (PyModule_AddObjectRef(module, "Engine", (PyObject*)&EngineType) < 0 ||
      PyModule_AddStringConstant(module, "__version__", pgrest_version_string()) < 0 ||
      PyModule_AddIntConstant(module, "version_number", (long)pgrest_version_number()) < 0) {
    Py_DECREF(module);
    return NULL;
  }
  return module;
}
