// A node:test reporter: one line per test, the failures' errors, and a final
// "N passed, N failed" line (what scripts/run-tests.sh counts).
//   node --test --test-reporter=./tests/bindings/node/reporter.mjs tests/bindings/node/
import { inspect } from 'node:util';

export default async function* reporter(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    const data = event.data ?? {};
    const indent = '  '.repeat(data.nesting ?? 0);
    if (event.type === 'test:pass') {
      if (data.skip !== undefined) {
        yield `${indent}skip ${data.name}\n`;
        continue;
      }
      if ((data.nesting ?? 0) === 0) passed += 1;
      yield `${indent}ok ${data.name}\n`;
    } else if (event.type === 'test:fail') {
      if ((data.nesting ?? 0) === 0) failed += 1;
      const error = data.details?.error;
      const cause = error?.cause ?? error;
      yield `${indent}FAIL ${data.name}\n${indent}  ${inspect(cause, { depth: 4 }).split('\n').join(`\n${indent}  `)}\n`;
    } else if (event.type === 'test:stderr' || event.type === 'test:stdout') {
      yield data.message ?? '';
    }
  }
  yield `${passed} passed, ${failed} failed\n`;
}
