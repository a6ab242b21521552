// The tracker's label rule for site-passed values (isLabel, js/tracker/events.js) against the
// table the collector's is_label (src/core/pii.h) is also held to: one rule, two implementations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isLabel } from '../../js/tracker/events.js';

const table = JSON.parse(readFileSync(new URL('../native/data/label_expected.json', import.meta.url), 'utf8'));

test('isLabel agrees with the shared table', () => {
  assert.ok(table.labels.length >= 10 && table.not_labels.length >= 10);
  for (const v of table.labels) assert.equal(isLabel(v), true, JSON.stringify(v));
  for (const v of table.not_labels) assert.equal(isLabel(v), false, JSON.stringify(v));
});
