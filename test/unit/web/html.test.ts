import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { escapeHtml, Html, html } from '../../../src/web/html';

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute value', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes an ampersand once, so an entity in the text stays visible as typed', () => {
    expect(escapeHtml('&amp; &lt;')).toBe('&amp;amp; &amp;lt;');
  });

  it('leaves other text, non-ASCII included, as it is', () => {
    expect(escapeHtml('Zoë — 100% ✓ `x` = {y}')).toBe('Zoë — 100% ✓ `x` = {y}');
  });

  test.prop([fc.string({ unit: 'binary' })])('never leaves a markup character behind', (text) => {
    expect(escapeHtml(text)).not.toMatch(/[<>"']/);
    // Every ampersand left starts one of the five entities.
    expect(escapeHtml(text)).not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/);
  });
});

describe('html', () => {
  it('escapes every interpolated string and number', () => {
    const name = '<script>alert(1)</script>';
    expect(html`<p title="${'"quoted"'}">${name} ${42}</p>`.value).toBe(
      '<p title="&quot;quoted&quot;">&lt;script&gt;alert(1)&lt;/script&gt; 42</p>',
    );
  });

  it('keeps Html as it is, so templates nest without double escaping', () => {
    const inner = html`<b>${'a & b'}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>a &amp; b</b></p>');
  });

  it('renders null, undefined and false as nothing, and true as text', () => {
    expect(html`[${null}${undefined}${false}${true}]`.value).toBe('[true]');
  });

  it('joins arrays, escaping each item unless it is Html', () => {
    const items = ['<i>', html`<li>ok</li>`, ['&', html`<br>`]];
    expect(html`<ul>${items}</ul>`.value).toBe('<ul>&lt;i&gt;<li>ok</li>&amp;<br></ul>');
  });

  it('does not trust a string that looks like markup, only the Html class', () => {
    expect(html`${'<b>bold</b>'}`.value).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(html`${new Html('<b>bold</b>')}`.value).toBe('<b>bold</b>');
    expect(String(html`<b>${'x'}</b>`)).toBe('<b>x</b>');
  });
});
