import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import FileReviewItem from './FileReviewItem.svelte';

afterEach(cleanup);

describe('a new file in the review', () => {
  it.each([
    ['hostname: a\n', '1 line'],
    ['a: 1\nb: 2\n', '2 lines'],
    ['a: 1\nb: 2', '2 lines'],
    ['', '0 lines'],
  ])('counts %j as %s', (contents, words) => {
    render(FileReviewItem, { file: { path: 'values.yaml', contents, change: 'new', diff: '' } });
    expect(screen.getByTestId('file-lines').textContent).toBe(words);
  });
});
