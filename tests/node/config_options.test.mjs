// Every threshold option (TrackerConfig's members, build/gen/constants.mjs TRACKER_CONFIG, which
// js/tracker/tracker.js turns into options) is typed in types/thermograph.d.ts and documented with
// its true default in docs/configuration.md: the C++ default is the one home, these must follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TRACKER_CONFIG } from '../../build/gen/constants.mjs';

const read = (f) => readFileSync(new URL('../../' + f, import.meta.url), 'utf8');

test('each threshold option is typed and documented with its default', () => {
  const types = read('types/thermograph.d.ts'), docs = read('docs/configuration.md');
  assert.ok(Object.keys(TRACKER_CONFIG).length >= 18);
  for (const [name, value] of Object.entries(TRACKER_CONFIG)) {
    assert.match(types, new RegExp(`\\n\\s*${name}\\?: number;`), `${name} in thermograph.d.ts`);
    // A table row: | `name` | (script attribute column: -) | `default` |
    assert.match(docs, new RegExp(`\\| \`${name}\` \\|( - \\|)? \`${value}\` \\|`), `${name} = ${value} in docs/configuration.md`);
  }
});
