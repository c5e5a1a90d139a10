import { cleanup, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import Field from './Field.svelte';

afterEach(cleanup);

const input = (id: string) => createRawSnippet(() => ({ render: () => `<input id="${id}" />` }));

describe('a field label with a hint', () => {
  it('keeps a space between the label and its hint ("Tags · Comma separated", not "Tags· Comma")', () => {
    render(Field, { id: 'f-tags', field: 'tags', label: 'Tags', hint: 'Comma separated', children: input('f-tags') });
    expect(screen.getByText('Tags', { exact: false, selector: 'label' }).textContent).toBe('Tags · Comma separated');
  });
});
