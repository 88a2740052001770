// pgrest for Node.js: loads the N-API addon pgrest.node built by Meson.
//
//   const { Engine } = require('./bindings/node');  // from the repository root
//   const engine = new Engine(catalogJson, config);  // config: JSON string, object or null
//   const result = engine.translate({ method: 'GET', path: '/films', query: 'select=id' });
//   engine.swapCatalog(newCatalogJson);
//
// The addon is looked up in PGREST_NODE_ADDON (a path to pgrest.node), next to this file
// (an installed copy), then in <repo>/build/bindings/node, then in any other
// <repo>/build*/bindings/node (the most recently built first).
'use strict';

const fs = require('fs');
const path = require('path');

function candidates() {
  if (process.env.PGREST_NODE_ADDON) return [path.resolve(process.env.PGREST_NODE_ADDON)];
  const root = path.resolve(__dirname, '..', '..');
  const list = [path.join(__dirname, 'pgrest.node'), path.join(root, 'build', 'bindings', 'node', 'pgrest.node')];
  let others = [];
  try {
    others = fs
      .readdirSync(root)
      .filter((name) => name.startsWith('build') && name !== 'build')
      .map((name) => path.join(root, name, 'bindings', 'node', 'pgrest.node'))
      .filter((file) => fs.existsSync(file))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  } catch (_) {
    // an unreadable root only means no more candidates
  }
  return list.concat(others);
}

function load() {
  const tried = [];
  for (const file of candidates()) {
    if (!fs.existsSync(file)) {
      tried.push(file);
      continue;
    }
    return require(file);
  }
  throw new Error(
    'pgrest: the native addon pgrest.node was not found (build it with `ninja -C build`, ' +
      'or set PGREST_NODE_ADDON); looked in: ' + tried.join(', '),
  );
}

const addon = load();

module.exports = {
  Engine: addon.Engine,
  version: addon.version,
};
