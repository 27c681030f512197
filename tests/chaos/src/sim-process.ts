// A PG simulator run as a process of its own from one of this suite's scripts (scripts/*-sim.mjs), as the NicePay
// one runs through the bench's helpers: its log goes to the scenario's folder, its settings come in through the
// environment, and it is ready once its read-only /__sim/bench/ready route answers.
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@paymux/bench/procs'
import { RUN_DIR, sleep } from './env.js'

const scripts = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'scripts')

export interface SimProcess {
  url: string
  child: ChildProcess
  exited: Promise<unknown>
  /** SIGTERM, and no more waiting than five seconds for it to end. */
  stop(): Promise<void>
}

/** The PG simulators this suite runs from a script of its own. */
export type SimScript = 'cookiepay-sim.mjs' | 'tosspayments-sim.mjs'

export async function startSimProcess(
  script: SimScript,
  dir: string,
  env: Record<string, string> = {},
): Promise<SimProcess> {
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  const fd = openSync(join(dir, script.replace(/-sim\.mjs$/, '-simulator.log')), 'a')
  const child = spawn(process.execPath, [join(scripts, script), String(port)], {
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
  })
  closeSync(fd)
  const exited = new Promise((r) => child.once('exit', r))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    child.kill('SIGTERM')
    await Promise.race([exited, sleep(5_000)])
  }
  for (let t = 0; t < 300; t++) {
    try {
      if ((await fetch(`${url}/__sim/bench/ready`)).ok) return { url, child, exited, stop }
    } catch {}
    await sleep(50)
  }
  child.kill('SIGKILL')
  throw new Error(`the simulator of ${script} did not start`)
}

/** A scenario's own folder under the run folder (where its simulators log before its environment starts). */
export const scenarioDir = (name: string) => join(RUN_DIR, name)
