// "Load more" for the API's cursor paging (X-Next-Cursor → ?cursor=): one page per click.

import {actionButton, h} from './dom.js';

/**
 * A button that fetches the next page with `fetchPage(cursor)` ({items, next}) and hands the items to
 * `appendItems`; gone when no page remains. Null when `next` is already null.
 */
export function loadMore(next, fetchPage, appendItems, ctx, label = 'Load more') {
  if (!next) return null;
  let cursor = next;
  const wrapper = h('p', {class: 'load-more'});
  wrapper.append(actionButton(label, async () => {
    try {
      const result = await fetchPage(cursor);
      appendItems(result.items);
      cursor = result.next;
      ctx.announce(`${result.items.length} more loaded`);
      if (!cursor) wrapper.remove();
    } catch (error) {
      ctx.showError(error);
    }
  }));
  return wrapper;
}
