import { describe, expect, it } from 'vitest'
import { inProcessFetch, startServer } from '../simulator/serve.js'
import { pressWindowButton } from './window.js'
import type { ConformanceHarness } from './harness.js'
import { runConformanceCases, runConformanceSuite } from './suite.js'
import {
  IgnoresHttpStatus,
  LongIdsGetFreshGuard,
  NoDedupId,
  NoValidation,
  ResendsOnBrokenConnection,
  TimeoutAsDecline,
  ResendsApproval,
  TrustsAnswerAmount,
  TrustsAnyOk,
  TrustsBrowserAmount,
} from './toy/broken.js'
import { createToyPg } from './toy/toy-pg.js'
import { ToyProvider } from './toy/toy-provider.js'

// The toy answers in a millisecond, but on two busy cores a normal answer over a real socket took over 150 ms:
// the bound must only ever be crossed by the cases that delay the PG on purpose (3 × the bound).
const TIMEOUT = 750

function harness(
  name: string,
  Impl: typeof ToyProvider,
  over: 'process' | 'http' = 'process',
  netCancel = false,
): ConformanceHarness {
  return {
    name,
    timeoutMs: TIMEOUT,
    async setup() {
      const pg = createToyPg()
      const server = over === 'http' ? await startServer(pg.app) : undefined
      const provider = new Impl({
        baseUrl: server?.url ?? 'http://toy.invalid',
        timeoutMs: TIMEOUT,
        netCancel,
        ...(server ? {} : { fetch: inProcessFetch(pg.app) }),
      })
      const windowFetch = server ? fetch : inProcessFetch(pg.app)
      return {
        provider,
        faults: pg.faults,
        seedCardPayment: async ({ amount }) => pg.seed(amount),
        seedVirtualAccountPayment: async ({ amount, deposited }) =>
          pg.seed(amount, 'virtual_account', deposited),
        inspect: async (id) => pg.inspect(id),
        unreachableProvider: new Impl({ baseUrl: 'http://127.0.0.1:1', timeoutMs: TIMEOUT }),
        checkout: {
          press: (launch, request, button) =>
            pressWindowButton(windowFetch, launch, request.returnUrl, button),
          approvePath: '/api/approve',
          approvals: async (tx) => {
            const a = pg.checkout.authentications.get(tx)
            return { approvals: a?.approvals ?? 0, undos: a?.undos ?? 0 }
          },
        },
        close: async () => server?.close(),
      }
    },
  }
}

// The reference adapter passes the whole suite, in process and over a real socket.
runConformanceSuite(harness('toy reference (in-process)', ToyProvider))
runConformanceSuite(harness('toy reference (http)', ToyProvider, 'http'))
runConformanceSuite(harness('toy reference with a network cancel (http)', ToyProvider, 'http', true))

describe('the conformance suite fails broken adapters', () => {
  const cases: Array<[string, typeof ToyProvider, string[]]> = [
    [
      'timeout reported as a decline',
      TimeoutAsDecline,
      ['a timeout after the PG executed is unknown, never rejected'],
    ],
    [
      'no PG duplicate guard',
      NoDedupId,
      [
        'the same cancelId never cancels twice',
        'the same long cancelId never cancels twice, and two long ids are two cancels',
        'a cancel is sent again only where the PG dedups it: after broken connections the money moved once',
      ],
    ],
    [
      'no validation at the edge',
      NoValidation,
      [
        'invalid requests fail before any call to the PG',
        'checkout: a request the adapter cannot take fails before any call to the PG, naming the field',
      ],
    ],
    [
      'any 200 taken as success',
      TrustsAnyOk,
      [
        'an unreadable answer after the PG executed is unknown',
        'an HTML error page instead of the protocol is unknown',
        'a mis-encoded answer is read correctly or reported unknown, never as a rejection',
      ],
    ],
    [
      'HTTP status ignored, unknown codes taken as refusals',
      IgnoresHttpStatus,
      ['a cancel answered with an error status and an unmapped code is unknown, never rejected'],
    ],
    [
      'a broken connection re-sent without a duplicate guard',
      ResendsOnBrokenConnection,
      ['a cancel is sent again only where the PG dedups it: after broken connections the money moved once'],
    ],
    [
      'the answer’s amount trusted',
      TrustsAnswerAmount,
      ['an answer that moved another amount than asked is unknown'],
    ],
    [
      'long cancel ids shortened with a random tail',
      LongIdsGetFreshGuard,
      ['the same long cancelId never cancels twice, and two long ids are two cancels'],
    ],
    [
      'the browser’s amount trusted',
      TrustsBrowserAmount,
      [
        'checkout: a result read against another amount or another order is refused',
        'checkout: a result whose amount was changed in the browser never authenticates that amount',
      ],
    ],
    [
      'an approval re-sent after a broken connection',
      ResendsApproval,
      [
        'checkout: an approval whose answer is lost is unknown, and the PG executed it once',
        'checkout: an approval answered with a proxy error page is unknown, never rejected',
        'checkout: an approval answered with an unreadable body after executing is unknown',
      ],
    ],
  ]
  for (const [what, Impl, expected] of cases) {
    it(`${what}: fails exactly the cases it breaks`, async () => {
      const results = await runConformanceCases(harness(what, Impl))
      const failed = results.filter((r) => r.status === 'failed').map((r) => r.name)
      expect(failed.sort()).toEqual([...expected].sort())
    }, 30_000)
  }
})
