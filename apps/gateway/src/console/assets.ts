// The console's stylesheet and script, kept in code so the packaged gateway (bundled into one file) serves them
// with no asset folder. They are served from /console/assets: the CSP allows no inline style or script.

export const CONSOLE_CSS = `/* The console's only stylesheet, served from /console/assets (the CSP allows no inline style). */
:root { font-family: system-ui, -apple-system, "Noto Sans KR", sans-serif; color: #1d1d1f; background: #f6f7f9; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: center; padding: .75rem 1rem; background: #14213d; color: #fff; }
header a, header button { color: #fff; }
header nav { display: flex; flex-wrap: wrap; gap: .75rem; }
header .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
header form { display: inline; margin: 0; }
header button { background: none; border: 1px solid #fff6; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e3e5e8; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: 1rem; }
label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; }
input, select, textarea, button { font: inherit; padding: .35rem .5rem; }
button.primary { background: #14213d; color: #fff; border: 0; border-radius: 4px; padding: .5rem 1rem; cursor: pointer; }
button.danger { background: #b3261e; color: #fff; border: 0; border-radius: 4px; padding: .5rem 1rem; cursor: pointer; }
.amounts { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.amounts div { background: #fff; padding: .75rem; border-radius: 6px; }
.amounts strong { display: block; font-size: 1.2rem; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline li { background: #fff; margin-bottom: .4rem; padding: .5rem .75rem; border-left: 4px solid #8aa1c1; }
ol.timeline li.operator { border-left-color: #e0a100; }
ol.timeline li.bad { border-left-color: #b3261e; }
ol.timeline time { color: #555; font-size: .85rem; margin-right: .5rem; }
.note { background: #fff8e1; padding: .5rem .75rem; border-radius: 4px; }
.error { background: #fdecea; padding: .5rem .75rem; border-radius: 4px; }
.card { background: #fff; padding: 1rem; border-radius: 6px; margin-bottom: 1rem; }
.signin { max-width: 24rem; margin: 4rem auto; }
.signin form { display: flex; flex-direction: column; gap: .75rem; }
ul.review { list-style: none; padding: 0; }
form.inline { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .4rem; }
pre { white-space: pre-wrap; word-break: break-all; font-size: .85rem; }
@media (max-width: 600px) { header .who { margin-left: 0; } th, td { padding: .35rem; } }
`

export const CONSOLE_JS = `// The console's only script (the CSP allows no inline script): a form's submit button is disabled once pressed,
// so a double click sends one request. The server does not rely on it: a refund's Idempotency-Key comes from the
// form's token, so a second request (a reload included) never refunds twice.
document.addEventListener('submit', (e) => {
  const form = e.target
  if (!(form instanceof HTMLFormElement) || form.dataset.once === undefined) return
  if (form.dataset.sent === '1') {
    e.preventDefault()
    return
  }
  form.dataset.sent = '1'
})
`
