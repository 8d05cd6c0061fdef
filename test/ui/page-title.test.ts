import { describe, expect, it } from 'vitest';
import { MAX_TITLE_LENGTH, pageTitle } from '../../src/ui/page-title.js';

describe('a page’s title, read at publish time', () => {
  it('as a tab shows it: entities decoded, white space collapsed', () => {
    expect(pageTitle('<!doctype html><html><head><TITLE lang="en">\n  Tom &amp; Jerry&#39;s &#x263A;  page </TITLE></head>')).toBe('Tom & Jerry\'s ☺ page');
    expect(pageTitle('<title>a</title><title>b</title>')).toBe('a');
    expect(pageTitle('<title>&bogus; &#xD800;</title>')).toBe('&bogus; \uFFFD');
  });

  it('none, empty or only spaces: undefined', () => {
    expect(pageTitle('<h1>no title</h1>')).toBeUndefined();
    expect(pageTitle('<title>   </title>')).toBeUndefined();
    expect(pageTitle('<title>never closed')).toBeUndefined();
    expect(pageTitle('<titles>x</titles>')).toBeUndefined();
  });

  it('long titles are cut', () => {
    const t = pageTitle(`<title>${'x'.repeat(500)}</title>`)!;
    expect(t).toHaveLength(MAX_TITLE_LENGTH);
    expect(t.endsWith('…')).toBe(true);
  });
});
