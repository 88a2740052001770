// Paths and the binding, without third-party modules (binding.test.mjs runs without npm).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = process.env.PGREST_SOURCE_ROOT || path.resolve(here, '..', '..', '..');
export const sampleCatalogPath = path.join(root, 'examples', 'sample-catalog.json');

// The binding as an application loads it: require('<repo>/bindings/node').
export const pgrest = createRequire(import.meta.url)(path.join(root, 'bindings', 'node'));
