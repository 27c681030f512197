/** The gateway's answer to a list: newest first, `hasMore` when an older page follows. */
export interface List<T> {
  object: 'list'
  data: T[]
  hasMore: boolean
}

/**
 * One page of a list, as the gateway answered it, that also walks the pages after it: `for await` over a page
 * yields its items, then those of every later page (fetched as the loop gets there, with the same filters and
 * limit). `nextPage()` fetches only the next one.
 */
export interface Page<T> extends List<T>, AsyncIterable<T> {
  /** The page after this one, or `undefined` when this is the last. */
  nextPage(): Promise<Page<T> | undefined>
}

/**
 * What a list method returns: await it for the first page, or `for await` over it directly for every item of
 * every page.
 */
export type PagePromise<T> = Promise<Page<T>> & AsyncIterable<T>

/** The cursor the gateway pages by: `startingAfter`, the last id of the previous page. */
type Cursor = { startingAfter?: string }

/**
 * A list call that pages: `fetchPage` asks for one page of `query`; the next page is the same query starting
 * after the last item's id, as the gateway documents its cursor.
 */
export function paged<T extends { id: string }, Q extends Cursor>(
  fetchPage: (query: Q) => Promise<List<T>>,
  query: Q,
): PagePromise<T> {
  const toPage = (list: List<T>): Page<T> => {
    const last = list.data.at(-1)
    const nextPage = async () =>
      list.hasMore && last ? toPage(await fetchPage({ ...query, startingAfter: last.id })) : undefined
    async function* items() {
      for (let page: Page<T> | undefined = self; page; page = await page.nextPage()) yield* page.data
    }
    // Not enumerable: the page still prints, compares and serialises as the gateway's JSON.
    const self = Object.defineProperties(list, {
      nextPage: { value: nextPage },
      [Symbol.asyncIterator]: { value: items },
    }) as Page<T>
    return self
  }
  const first = fetchPage(query).then(toPage)
  return Object.assign(first, {
    async *[Symbol.asyncIterator]() {
      yield* await first
    },
  })
}
