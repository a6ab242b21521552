// Which id and class tokens may shape an element key (js/tracker/element.js `stable`): the
// selector builder is the one home of the digit and CSS-in-JS rules (state classes and PII are
// refused again in wasm, tested natively).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stable } from '../../js/tracker/element.js';

test('generated class names and tokens with digits never shape a key', () => {
  for (const t of ['sc-bdVaJa', 'kBuVZE', 'bdVaJa', 'x_eYeNzh', 'css-abcdef', 'jsx-xyzabc', 'svelte-abcdef',
    'sc-abc', 'css-1q2w3e', '_3xk2a', 'Button_primary__3xk2a', 'card-42', '', undefined, 'a'.repeat(65)])
    assert.equal(stable(t), false, String(t));
});

test('names people write stay: BEM, camelCase, kebab-case', () => {
  for (const t of ['btn', 'btn-primary', 'card__title', 'card--wide', 'navBar', 'card__titleText', 'hero', 'sc',
    'Button', 'CTA', 'sign-in', 'cta', 'menu_item'])
    assert.equal(stable(t), true, t);
});
