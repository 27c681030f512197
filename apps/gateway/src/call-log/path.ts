import { AsyncLocalStorage } from 'node:async_hooks'

/** Which part of the gateway made a PG call: a merchant's API request, or one of the paths that finish work late. */
export type CallPath = 'request' | 'reconciler' | 'sweeper' | 'notification' | 'checkout_return' | 'console'

// Set where a path begins (a worker pass, a notification, a checkout return, a console action) rather than
// passed down through every resume step: those steps are shared by all paths and should not care who runs them.
const current = new AsyncLocalStorage<CallPath>()

/** Runs `fn` with every PG call it makes logged as made by `path`. */
export function onPath<T>(path: CallPath, fn: () => T): T {
  return current.run(path, fn)
}

/** The path of the code running now: a merchant's API request unless an entry point said otherwise. */
export function currentPath(): CallPath {
  return current.getStore() ?? 'request'
}
