// The web console end to end, in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core), against a
// real ruhu-server started with --demo on a free port, and a phone (the real device core, `ruhu-phone-visit`) that
// pushes the visit over HTTP.
//
// Env: RUHU_SERVER_BIN (the ruhu-server binary), RUHU_PHONE_BIN (the ruhu-phone-visit binary), optional
// RUHU_SCREENSHOT_DIR (default: $CARGO_TARGET_DIR/console-screenshots, else ./screenshots), optional
// RUHU_CHROMIUM (default /usr/bin/chromium). `cargo xtask console` sets them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const PASSWORD = 'Ruhu#demo2026';
const SERVER_BIN = process.env.RUHU_SERVER_BIN;
const PHONE_BIN = process.env.RUHU_PHONE_BIN;
const CHROMIUM = process.env.RUHU_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.RUHU_SCREENSHOT_DIR
  || (process.env.CARGO_TARGET_DIR ? join(process.env.CARGO_TARGET_DIR, 'console-screenshots') : join(process.cwd(), 'screenshots'));
// Chromium on this closed network: no background connections, no QUIC, no GPU, a fresh profile (playwright makes one).
const CHROMIUM_FLAGS = ['--no-sandbox', '--lang=zh-CN', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let server, dataDir, base, browser, page;
const pageErrors = [];
const cspViolations = [];
const state = {};

/** Starts ruhu-server --demo on a free port in a fresh data dir; resolves to { proc, url, dir }. */
function launchServer(extraArgs = [], extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ruhu-console-'));
  // The embedded SQLite default in a fresh data dir, whatever the calling shell points the server at.
  const env = { ...process.env, RUST_LOG: 'warn', ...extraEnv };
  for (const k of ['RUHU_DATABASE_URL', 'RUHU_LISTEN', 'RUHU_DATA_DIR', 'RUHU_DEMO', 'RUHU_POLICY', 'RUHU_MAP_TILES', 'RUHU_MAP_TILES_DATUM']) delete env[k];
  const proc = spawn(SERVER_BIN, ['--demo', '--listen', '127.0.0.1:0', '--data-dir', dir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ruhu-server did not start in 60 s:\n' + out)), 60000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1], dir }); }
    });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`ruhu-server exited (${code}):\n${out}`)); });
  });
}

async function startServer() {
  const s = await launchServer();
  server = s.proc;
  dataDir = s.dir;
  return s.url;
}

async function stopServer(proc, dir) {
  if (proc && proc.exitCode === null) {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** The environment for the server's command-line tools against the test's data dir. */
function cliEnv() {
  const env = { ...process.env, RUHU_NEW_USER_PASSWORD: PASSWORD };
  for (const k of ['RUHU_DATABASE_URL', 'RUHU_DATA_DIR', 'RUHU_DEMO', 'RUHU_POLICY']) delete env[k];
  return env;
}

/** Runs the phone helper in the background; resolves to its JSON line. */
function phoneVisit(serverUrl, username, assignmentId, extra = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(PHONE_BIN, [serverUrl, username, PASSWORD, assignmentId, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => { p.kill('SIGTERM'); reject(new Error(`phone ${username} timed out: ${err}`)); }, 180000);
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()));
      else reject(new Error(`phone ${username} exited ${code}: ${err}`));
    });
  });
}

async function waitForFile(path, ms = 120000) {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error('timed out waiting for ' + path);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function shot(name) {
  await page.waitForLoadState('networkidle');
  const text = await page.textContent('body');
  assert.doesNotMatch(text, /\b(null|undefined|NaN)\b|\[object /, `${name}: a value leaked into the page as text`);
  await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
}

async function login(username, password = PASSWORD) {
  await page.goto(base + '/#/login');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Logs in on the main server whatever page the browser was on (a previous test's server may be gone). */
async function freshLogin(username) {
  await page.goto(base + '/');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await login(username);
}

async function logout() {
  await page.click('#who button');
  await page.waitForSelector('input[name=username]');
}

/** Selects the option whose text contains `part` (labels carry a live load count). */
async function pick(select, part) {
  await page.waitForSelector(select);
  const value = await page.$eval(select, (el, p) => [...el.options].find((o) => o.textContent.includes(p))?.value, part);
  assert.ok(value, `no option containing ${part} in ${select}`);
  await page.selectOption(select, value);
}

/** The API as a script would call it, for facts the test needs from outside the page (another township's case). */
async function apiAs(username, path, at = base) {
  const res = await fetch(at + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, device_id: 'console-test-script' }),
  });
  assert.equal(res.status, 200);
  const { access_token } = await res.json();
  const r = await fetch(at + path, { headers: { Authorization: 'Bearer ' + access_token } });
  assert.equal(r.status, 200, path);
  return r.json();
}

/** Calls the API as `username` (a fresh login); resolves to the JSON body, asserting the status. */
async function apiCall(username, method, path, body, expect = 200, at = base) {
  const res = await fetch(at + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, device_id: 'console-test-script' }),
  });
  const { access_token } = await res.json();
  const r = await fetch(at + path, { method, headers: { Authorization: 'Bearer ' + access_token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await r.json();
  assert.equal(r.status, expect, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

/** A valid GB 11643 resident ID number that belongs to nobody (demo data). */
function residentId(area, birth, seq) {
  const first17 = `${area}${birth}${String(seq % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

function inTenDays() {
  const d = new Date(Date.now() + 10 * 86400000);
  return d.toISOString().slice(0, 10);
}

before(async () => {
  assert.ok(SERVER_BIN, 'RUHU_SERVER_BIN must name the ruhu-server binary (run `cargo xtask console`)');
  assert.ok(PHONE_BIN, 'RUHU_PHONE_BIN must name the ruhu-phone-visit binary (run `cargo xtask console`)');
  const cjk = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  assert.ok(cjk.trim(), 'no Chinese font installed: apt-get install fonts-noto-cjk (cargo xtask console does)');
  mkdirSync(SHOTS, { recursive: true });
  base = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1360, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text()); });
});

after(async () => {
  await browser?.close();
  await stopServer(server, dataDir);
});

test('a wrong password is refused with the server\'s Chinese message', async () => {
  await login('qingyan.zuzhang', 'wrong-password');
  await page.waitForSelector('#flash:not([hidden])');
  assert.equal(await page.textContent('#flash'), '用户名或密码错误');
  await shot('01-login-refused');
});

test('a township visit supervisor logs in and lands on the township overview', async () => {
  await login('qingyan.zuzhang');
  await page.waitForSelector('[data-testid=visits-by-state]');
  assert.match(await page.textContent('[data-testid=who]'), /青岩调查组长（演示） · 青岩镇 · 入户调查组织人员/);
  assert.ok(await page.evaluate(() => sessionStorage.getItem('ruhu.access')), 'token kept in sessionStorage');
  const steps = await page.textContent('[data-testid=cases-by-step]');
  assert.match(steps, /1\s*调查核实中/, 'the demo case with a visit is counted under its stage');
  assert.match(steps, /1\s*已受理/, 'the accepted demo case waiting for its visit');
  assert.match(steps, /1\s*初审意见公示中/, 'the demo case further along is counted in publicity');
  assert.match(await page.textContent('[data-testid=visits-by-state]'), /1\s*待调查/);
  await shot('02-overview');
});

test('the cases list masks ID numbers and filters by village', async () => {
  await page.click('nav a[href="#/cases"]');
  await page.waitForSelector('[data-testid=case-list] tbody tr');
  const rows = await page.$$eval('[data-testid=case-list] tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.equal(rows.length, 3, 'the three 青岩 demo cases, and not the 石板 one');
  for (const r of rows) {
    assert.match(r[2], /\*/, 'ID masked: ' + r[2]);
    assert.doesNotMatch(r[2], /^\d{17}[\dX]$/);
  }
  assert.ok(rows.every((r) => !r[1].includes('杨国富')), '石板 household not listed');
  await pick('select[name=village]', '示范二村');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-list] tbody tr').length === 2);
  const village2 = await page.textContent('[data-testid=case-list] tbody');
  assert.match(village2, /陈桂兰（演示）/);
  assert.match(village2, /赵德华（演示）/);
  assert.match(page.url(), /village=520111101902/);
  // Every stage of the procedure is a filter: the case in publicity alone.
  await pick('select[name=step]', '初审意见公示中');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=case-list] tbody tr').length === 1);
  assert.match(await page.textContent('[data-testid=case-list] tbody'), /陈桂兰（演示）/);
  assert.match(page.url(), /step=publicity/);
  // The case in publicity shows its due date; a due-date filter before it hides it, on it shows it again.
  const due = (await page.textContent('[data-testid=case-list] tbody tr td:nth-child(7)')).trim();
  assert.match(due, /^\d{4}-\d{2}-\d{2}$/, 'the publicity case shows its due date: ' + due);
  await page.fill('form.filters input[name=due_before]', '2020-01-01');
  await page.dispatchEvent('form.filters', 'change');
  await page.waitForFunction(() => /暂无记录/.test(document.querySelector('[data-testid=case-list] tbody')?.textContent || ''));
  await page.fill('form.filters input[name=due_before]', due);
  await page.dispatchEvent('form.filters', 'change');
  await page.waitForFunction(() => /陈桂兰（演示）/.test(document.querySelector('[data-testid=case-list] tbody')?.textContent || ''));
  assert.match(page.url(), /due_before=\d{4}-\d{2}-\d{2}/);
  await shot('03-cases');
});

test('households are listed masked and open in full from the list', async () => {
  await page.click('nav a[href="#/households"]');
  await page.waitForSelector('[data-testid=household-list] tbody tr');
  const list = await page.textContent('[data-testid=household-list]');
  assert.match(list, /王明德（演示）/);
  assert.match(list, /陈桂兰（演示）（户主）5201\*+042X/);
  assert.doesNotMatch(list, /\d{17}[\dX]/, 'no full ID number in the list');
  assert.doesNotMatch(list, /杨国富/);
  await shot('03b-households');
  await page.click('[data-testid=household-list] a:has-text("陈桂兰")');
  await page.waitForSelector('h1:has-text("家庭：陈桂兰（演示）")');
  assert.match(await page.textContent('main'), /52011119510609042X/, 'the audited full record shows the full number');
  assert.match(await page.textContent('main'), /QY-2026-\d{6}/, 'with its case');
});

test('assigning one investigator twice shows the server\'s refusal; a proper pair is assigned', async () => {
  await page.click('nav a[href="#/assign"]');
  await page.waitForSelector('[data-testid=assignable-cases] tbody tr');
  const listed = await page.textContent('[data-testid=assignable-cases]');
  assert.doesNotMatch(listed, /王明德/, 'a case with an open visit is not offered again');
  assert.doesNotMatch(listed, /陈桂兰/, 'a case in publicity takes no home visit');
  await page.check('[data-testid=assignable-cases] tr:has-text("赵德华") input[type=radio]');
  await pick('select[name=i1]', '青岩调查员三');
  await pick('select[name=i2]', '青岩调查员三');
  await page.fill('input[name=due]', inTenDays());
  await page.click('#assign-form button[type=submit]');
  await page.waitForSelector('#flash:not([hidden])');
  assert.equal(await page.textContent('#flash'), '两名调查人员不能是同一人');
  await shot('04-assign-refused');

  const load = await page.textContent('[data-testid=investigator-load]');
  assert.match(load, /青岩调查员一（演示）\s*青岩镇\s*1/, 'investigator one carries the demo visit');
  await pick('select[name=i2]', '青岩调查员一');
  await page.click('#assign-form button[type=submit]');
  await page.waitForURL(/#\/visits$/);
  await page.waitForSelector('[data-testid=assignments] tbody tr');
  assert.match(await page.textContent('#flash'), /已为 .* 安排入户调查：青岩调查员三（演示）、青岩调查员一（演示）/);
  const row = page.locator('[data-testid=assignments] tr:has-text("赵德华")');
  assert.match(await row.textContent(), /待调查/);
  state.assignmentId = await row.getAttribute('data-assignment');
  assert.ok(state.assignmentId);
  await shot('05-visits-assigned');
});

test('a phone pushes the visit and the console shows it synced', async () => {
  const out = execFileSync(PHONE_BIN, [base, 'qingyan.diaocha3', PASSWORD, state.assignmentId], { encoding: 'utf8', timeout: 120000 });
  const phone = JSON.parse(out.trim().split('\n').pop());
  assert.equal(phone.merged, 1, 'the visit was merged: ' + out);
  state.submissionId = phone.submission_id;
  state.phoneDistance = phone.distance_m;
  await page.reload();
  await page.waitForSelector('[data-testid=assignments] tbody tr');
  const row = page.locator(`[data-testid=assignments] tr[data-assignment="${state.assignmentId}"]`);
  assert.match(await row.textContent(), /已完成/);
  assert.match(await row.textContent(), /已同步，查看/);
  assert.match(await page.textContent('[data-testid=visit-progress]'), /青岩调查员三（演示） · qingyan\.diaocha3的手机（测试）：下载 \d{4}-/,
    'the phone that pushed is listed with its last sync');
  await shot('06-visits-synced');
  await row.locator('a:has-text("已同步，查看")').click();
});

test('the review page shows labelled answers, the photos, the signatures and the GPS distance', async () => {
  await page.waitForSelector('[data-testid=answers]');
  const answers = await page.textContent('[data-testid=answers]');
  assert.match(answers, /工资性收入（月均）\s*650\.00 元/);
  assert.match(answers, /住房状况\s*自有住房，危房/);
  assert.match(answers, /是否拥有机动车辆.*否/);
  assert.match(answers, /刚性支出\s*医疗/);
  // 低保 v2: one row per household member, and one photo each of the outside, the inside and the kitchen.
  assert.match(answers, /家庭成员\s*2 条\s*第 1 条\s*姓名\s*赵德华（演示）/);
  await page.waitForFunction(() => ['outside', 'inside', 'kitchen'].every((q) =>
    [...document.querySelectorAll(`[data-testid=photos-photos_${q}] img`)].filter((i) => i.complete && i.naturalWidth > 0).length === 1));
  await page.waitForFunction(() => [...document.querySelectorAll('.sig img')].filter((i) => i.complete && i.naturalWidth > 0).length === 3);
  const distance = await page.textContent('[data-testid=distance]');
  assert.equal(distance, `${Math.round(state.phoneDistance)} 米`, 'the distance the phone computed offline');
  assert.ok(state.phoneDistance > 25 && state.phoneDistance < 45);
  assert.match(await page.textContent('[data-testid=flags]'), /未发现异常/);
  assert.ok(await page.$('svg.schematic circle'), 'schematic drawn without a tile provider');
  await shot('07-review');

  await page.click('[data-testid=photos-photos_outside] img');
  await page.waitForFunction(() => { const i = document.querySelector('dialog img.full'); return i && i.naturalWidth >= 1200; });
  await shot('08-photo-full-size');
  await page.click('dialog button');
});

test('the case record shows the household in full and the visit\'s facts with their source', async () => {
  await page.click('a:has-text("返回案件")');
  await page.waitForSelector('[data-testid=case-info]');
  const main = await page.textContent('main');
  assert.match(main, /本次查看已记入审计日志/);
  assert.match(main, /\d{17}[\dX]/, 'the audited full record shows the full ID');
  assert.match(main, /工资性收入（月均）\s*650\.00 元\s*入户调查/, 'facts labelled by the form, with their source');
  assert.match(main, /住房状况\s*自有住房，危房\s*入户调查/);
  assert.match(main, /家庭成员\s*2 条：赵德华（演示）、刘秀英\s*入户调查/, 'the member rows by name, not as JSON');
  await shot('09-case');
});

test('following visits: each visit\'s state and the real last pull and push of each device', async () => {
  await page.click('nav a[href="#/visits"]');
  await page.waitForSelector('[data-testid=visit-progress] tbody tr');
  const done = page.locator('[data-testid=visit-progress] tr:has-text("赵德华")');
  assert.equal(await done.locator('[data-testid=visit-state]').textContent(), '已同步');
  assert.match(await done.textContent(), /青岩调查员三（演示） · qingyan\.diaocha3的手机（测试）：下载 \d{4}-\d\d-\d\d \d\d:\d\d，上传 \d{4}-\d\d-\d\d \d\d:\d\d/);
  const waiting = page.locator('[data-testid=visit-progress] tr:has-text("王明德")');
  assert.equal(await waiting.locator('[data-testid=visit-state]').textContent(), '已安排，待下载');
  assert.match(await waiting.textContent(), /青岩调查员一（演示）：未登录任何设备/);
  await shot('10c-visit-progress');
});

test('devices: the phone that pushed is listed and can be revoked', async () => {
  await page.click('nav a[href="#/admin"]');
  const row = page.locator('table tr:has-text("qingyan.diaocha3")').first();
  await row.waitFor();
  await row.locator('button:has-text("停用")').click();
  await page.click('dialog button.danger');
  await page.waitForSelector('#flash.ok:not([hidden])');
  assert.match(await page.textContent('#flash'), /已停用 青岩调查员三（演示） 的设备/);
  assert.match(await page.locator('table tr:has-text("qingyan.diaocha3")').first().textContent(), /已停用/);
  await shot('10-admin');
});

test('two phones change the same fact from the same base; the supervisor decides side by side with a reason', async () => {
  const gates = mkdtempSync(join(tmpdir(), 'ruhu-gates-'));
  const [g1, g3] = [join(gates, 'one'), join(gates, 'three')];
  // Both finalise on the case as it stands (wages from the first visit), then push one after the other.
  const one = phoneVisit(base, 'qingyan.diaocha1', state.assignmentId, ['70000', g1]);
  const three = phoneVisit(base, 'qingyan.diaocha3', state.assignmentId, ['72000', g3]);
  await waitForFile(g1 + '.ready');
  await waitForFile(g3 + '.ready');
  writeFileSync(g1, '');
  assert.equal((await one).merged, 1);
  writeFileSync(g3, '');
  assert.equal((await three).merged, 1);
  rmSync(gates, { recursive: true, force: true });

  await page.click('nav a[href="#/visits"]');
  await page.waitForSelector('[data-testid=visit-progress] tbody tr');
  const row = page.locator('[data-testid=visit-progress] tr:has-text("赵德华")');
  assert.equal(await row.locator('[data-testid=visit-state]').textContent(), '有数据冲突');
  await row.locator('a').first().click();
  const form = page.locator('[data-testid="conflict-income.wages_fen"]');
  await form.waitFor();
  assert.equal(await form.locator('[data-testid=conflict-current]').textContent(), '700.00 元');
  assert.equal(await form.locator('[data-testid=conflict-proposed]').textContent(), '720.00 元');
  assert.match(await form.textContent(), /保留现值.*来源：青岩调查员一（演示） .* 的入户调查.*采用新提交的值.*来源：青岩调查员三（演示） .* 的入户调查/s);
  assert.match(await form.textContent(), /将记录处理人：青岩调查组长（演示）/);
  await form.locator('input[value=proposed]').check();
  await form.locator('button[type=submit]').click();
  await form.locator('[data-testid=conflict-error]:has-text("请填写选择理由")').waitFor();
  assert.match(await page.textContent('main'), /工资性收入（月均）\s*700\.00 元/, 'nothing changed without a reason');
  await shot('09b-conflict-needs-reason');

  await form.locator('input[name=reason]').fill('电话核实户主，以第二次调查为准');
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('#flash.ok:not([hidden])');
  assert.match(await page.textContent('#flash'), /已处理“工资性收入（月均）”：720\.00 元/);
  await page.waitForFunction(() => /数据冲突已核实处理/.test(document.querySelector('main')?.textContent || ''));
  // What the form calculated from the wages (the household's total and per-capita income) waits for its own decision.
  const left = (await page.$$eval('form.conflict', (fs) => fs.map((f) => f.dataset.testid))).sort();
  assert.deepEqual(left, ['conflict-income.monthly_total_fen', 'conflict-income.per_capita_fen']);
  const main = await page.textContent('main');
  assert.match(main, /工资性收入（月均）\s*720\.00 元\s*入户调查/);
  assert.match(main, /数据冲突已核实处理（理由：电话核实户主，以第二次调查为准）\s*青岩调查组长（演示）/);
  await shot('09c-conflict-decided');
});

test('reassigning and cancelling a visit; a cancel without a reason shows the server\'s message in the dialog', async () => {
  await page.click('nav a[href="#/visits"]');
  const row = () => page.locator('[data-testid=assignments] tr:has-text("王明德")');
  await row().waitFor();
  await row().locator('button:has-text("调整人员")').click();
  await pick('dialog select[name=i2]', '青岩调查员三');
  await page.fill('dialog input[name=reason]', '调查员二休假');
  await page.click('dialog button.primary');
  await page.waitForSelector('#flash.ok:not([hidden])');
  assert.match(await page.textContent('#flash'), /已调整 QY-2026-\d+ 的调查人员/);
  await page.waitForFunction(() => /青岩调查员一（演示）、青岩调查员三（演示）/.test(document.querySelector('[data-testid=assignments] tbody')?.textContent || ''));

  await row().locator('button:has-text("取消")').click();
  await page.click('dialog button.danger');
  await page.waitForSelector('[data-testid=dialog-error]:has-text("请填写取消原因")');
  await shot('10b-cancel-needs-reason');
  await page.fill('dialog textarea[name=reason]', '申请人已撤回申请');
  await page.click('dialog button.danger');
  await page.waitForSelector('#flash.ok:not([hidden])');
  await page.waitForFunction(() => /已取消\s*取消原因：申请人已撤回申请/.test(document.querySelector('[data-testid=assignments] tbody')?.textContent || ''));
  assert.equal(await row().locator('button').count(), 0, 'a cancelled visit offers no more actions');
});

test('a 青岩 township user cannot open a 石板 case: the console shows out_of_scope', async () => {
  const shiban = await apiAs('shiban.shenhe', '/api/v1/cases');
  assert.equal(shiban.length, 1);
  const oldToken = await page.evaluate(() => sessionStorage.getItem('ruhu.access'));
  await logout();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('ruhu.access')), null, 'logout forgets the token');
  const stale = await fetch(base + '/api/v1/cases', { headers: { Authorization: 'Bearer ' + oldToken } });
  assert.equal(stale.status, 401, 'logout ended the session on the server too');
  await login('qingyan.shenhe');
  await page.waitForSelector('[data-testid=who]');
  await page.goto(`${base}/#/cases/${shiban[0].id}`);
  const err = await page.waitForSelector('[data-testid=page-error]');
  assert.equal(await err.getAttribute('data-code'), 'out_of_scope');
  assert.equal(await err.textContent(), '该记录不在您的管辖范围内，访问已记录');
  assert.doesNotMatch(await page.textContent('main'), /杨国富/);
  await shot('11-out-of-scope');

  await logout();
  await login('qu.jianguan');
  await page.waitForSelector('[data-testid=townships]');
  const townships = await page.textContent('[data-testid=townships]');
  assert.match(townships, /青岩镇\s*3\s*0\s*0/, '青岩: three cases, no open visit (one done, one cancelled), none overdue');
  assert.match(townships, /石板镇\s*1\s*0\s*0/);
  await shot('12-district-overview');
  // A token the server no longer accepts sends the user back to the login page with the server's message.
  await page.evaluate(() => sessionStorage.setItem('ruhu.access', 'not-a-token'));
  await page.goto(base + '/#/cases');
  await page.waitForSelector('input[name=username]');
  assert.equal(await page.textContent('#flash'), '登录凭证无效，请重新登录');
  await login('qingyan.shenhe');
  await page.waitForSelector('[data-testid=who]');
  await page.goto(base + '/#/workflow');
  await page.waitForSelector('[data-testid=near-relative-form]');
  assert.match(await page.textContent('main'), /办理期限（逾期与即将到期）/);
  await shot('13-workflow-deadlines');
});

test('an administrator created on the command line adds a user with roles and disables a user', async () => {
  execFileSync(SERVER_BIN, ['create-user', '--data-dir', dataDir, '--username', 'qingyan.admin', '--display-name', '青岩系统管理员',
    '--org-code', '520111101', '--role', 'admin'], { env: cliEnv(), encoding: 'utf8' });
  await logout();
  await login('qingyan.admin');
  await page.waitForSelector('[data-testid=who]');
  await page.click('nav a[href="#/admin"]');
  const form = page.locator('[data-testid=new-user]');
  await form.waitFor();
  await form.locator('input[name=username]').fill('qingyan.diaocha4');
  await form.locator('input[name=display_name]').fill('青岩调查员四');
  await form.locator('input[name=password]').fill('Xinmima#2026');
  await form.locator('select[name=org]').selectOption('520111101');
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('[data-testid=new-user-error]:has-text("至少指定一个角色")');
  await form.locator('input[value=investigator]').check();
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('#flash.ok:not([hidden])');
  assert.match(await page.textContent('#flash'), /已新增用户 青岩调查员四（qingyan\.diaocha4）/);
  const row = page.locator('tr[data-user="qingyan.diaocha4"]');
  assert.match(await row.textContent(), /青岩镇\s*调查人员\s*启用/);
  await page.locator('tr[data-user="qingyan.diaocha2"] button:has-text("停用账号")').click();
  await page.fill('dialog input[name=reason]', '调离');
  await page.click('dialog button.danger');
  await page.waitForSelector('#flash.ok:not([hidden])');
  await page.waitForFunction(() => /停用/.test(document.querySelector('tr[data-user="qingyan.diaocha2"]')?.textContent || '')
    && [...document.querySelectorAll('tr[data-user="qingyan.diaocha2"] button')].some((b) => b.textContent === '启用账号'));
  await shot('14-admin-users');

  // Roles are edited in place; a user left without any role is refused in the server's words, nothing changed.
  await page.click('[data-edit="qingyan.diaocha4"]');
  await page.uncheck('dialog input[value=investigator]');
  await page.click('dialog button.primary');
  await page.waitForSelector('dialog [data-testid=dialog-error]:not(:empty)');
  assert.equal(await page.textContent('dialog [data-testid=dialog-error]'), '至少指定一个角色');
  await page.check('dialog input[value=investigator]');
  await page.check('dialog input[value=visit_supervisor]');
  await page.click('dialog button.primary');
  await page.waitForFunction(() => /调查人员、入户调查组织人员|入户调查组织人员、调查人员/.test(document.querySelector('tr[data-user="qingyan.diaocha4"]')?.textContent || ''));

  // The policy the server runs with, read-only, each value with its source; demo values are marked.
  const rate = await page.textContent('[data-testid=policy] tr[data-setting="supervision.spot_check_rate"]');
  assert.match(rate, /12%.*13号方案/);
  assert.ok(await page.locator('[data-testid=policy] .badge:has-text("演示")').count() > 0, 'demo values are marked');
  await shot('14b-admin-policy');
  const refused = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'qingyan.diaocha2', password: PASSWORD, device_id: 'after-disable' }) });
  assert.equal(refused.status, 401, 'a disabled user cannot log in');
});

test('with a GCJ-02 tile provider the review page draws its tiles with the converted positions', async () => {
  // A tile server on this machine: one grey PNG for every tile, remembering what was asked for.
  const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const asked = [];
  const tiles = createServer((req, res) => { asked.push(req.url); res.writeHead(200, { 'Content-Type': 'image/png' }); res.end(PNG); });
  await new Promise((r) => tiles.listen(0, '127.0.0.1', r));
  const tileBase = `http://127.0.0.1:${tiles.address().port}`;
  // The district policy with a 20 m far-from-household threshold: the phone's fix, about 33 m away, is flagged.
  const policyDir = mkdtempSync(join(tmpdir(), 'ruhu-policy-'));
  const policyFile = join(policyDir, 'policy.toml');
  const huaxi = readFileSync(new URL('../../core/data/policy-huaxi.toml', import.meta.url), 'utf8');
  const strict = huaxi.replace('[visit_review.far_from_household]\nvalue = 200', '[visit_review.far_from_household]\nvalue = 20');
  assert.notEqual(strict, huaxi);
  writeFileSync(policyFile, strict);
  const mapped = await launchServer(['--map-tiles', tileBase + '/tiles/{z}/{x}/{y}.png', '--map-tiles-datum', 'gcj02', '--policy', policyFile]);
  try {
    const [a] = await apiAs('qingyan.zuzhang', '/api/v1/assignments?status=assigned', mapped.url);
    const phone = await phoneVisit(mapped.url, 'qingyan.diaocha1', a.id);
    assert.equal(phone.merged, 1);
    await page.goto(`${mapped.url}/#/login`);
    await page.fill('input[name=username]', 'qingyan.zuzhang');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=who]');
    await page.goto(`${mapped.url}/#/review/${a.case_id}/${phone.submission_id}`);
    const map = page.locator('[data-testid=tile-map]');
    await map.waitFor();
    assert.equal(await map.getAttribute('data-datum'), 'gcj02');
    await page.waitForFunction(() => [...document.querySelectorAll('.tilemap img.tile')].some((i) => i.complete && i.naturalWidth > 0));
    assert.ok(asked.some((u) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(u)), 'tiles fetched from the provider: ' + asked.join(' '));
    assert.equal(await map.locator('.pin.home').count(), 1);
    assert.equal(await map.locator('.pin:not(.home)').count(), 1);
    assert.match(await page.textContent('main'), /坐标已换算为 GCJ-02 显示，存储为 WGS-84/);
    assert.equal(await page.$('svg.schematic'), null, 'no schematic when tiles are configured');
    assert.equal(await page.textContent('[data-testid=far-flag]'), '距登记住址超过 20 米');
    assert.match(await page.getAttribute('[data-testid=far-flag]', 'title'), /依据：花溪区工作设定/);
    await shot('15-review-tile-map');
  } finally {
    await stopServer(mapped.proc, mapped.dir);
    await new Promise((r) => tiles.close(r));
    rmSync(policyDir, { recursive: true, force: true });
  }
});

test('the case workflow: a reviewer closes the publicity and confirms with a reason; the district runs the sampler and sees its seed', async () => {
  // The district policy with a one-day 低保 publicity: the demo case, in publicity since two days ago, may be closed today.
  const policyDir = mkdtempSync(join(tmpdir(), 'ruhu-policy-'));
  const policyFile = join(policyDir, 'policy.toml');
  const huaxi = readFileSync(new URL('../../core/data/policy-huaxi.toml', import.meta.url), 'utf8');
  const short = huaxi.replace('[deadlines.dibao.publicity]\nvalue = 7', '[deadlines.dibao.publicity]\nvalue = 1');
  assert.notEqual(short, huaxi);
  writeFileSync(policyFile, short);
  const wf = await launchServer(['--policy', policyFile]);
  const mainBase = base;
  base = wf.url;
  try {
    const cases = await apiAs('qingyan.shenhe', '/api/v1/cases', wf.url);
    const inPublicity = cases.find((c) => c.step === 'publicity');
    assert.ok(inPublicity, 'the demo has a case in publicity');
    await login('qingyan.shenhe');
    await page.waitForSelector('[data-testid=who]');
    await page.goto(`${base}/#/cases/${inPublicity.id}`);
    await page.waitForSelector('[data-testid=workflow]');
    assert.equal(await page.textContent('[data-testid=wf-stage]'), '初审意见公示中');
    assert.match(await page.textContent('[data-testid=open-steps]'), /初审意见公示[^已]*已逾期/, 'the one-day publicity ended yesterday');
    const relatives = await page.textContent('[data-testid=near-relatives]');
    assert.match(relatives, /\*/, 'the near relative\'s ID is masked');
    assert.match(await page.textContent('[data-testid=publicity-notice]'), /公示/);
    await shot('16-case-workflow-publicity');

    await page.click('[data-action=close_publicity]');
    assert.equal(await page.textContent('dialog [data-testid=responsible]'), '将记录责任人：青岩审核员（演示）（乡镇审核确认人员）');
    await page.click('dialog button.primary');
    await page.waitForSelector('#flash.ok:not([hidden])');
    await page.waitForFunction(() => document.querySelector('[data-testid=wf-stage]')?.textContent === '待审核确认');

    await page.click('[data-action=confirm]');
    const amount = page.locator('dialog [data-testid=confirm-amount]');
    const suggested = await amount.inputValue();
    await amount.fill('388.00');
    if (suggested) {
      // A different amount than the suggestion needs a reason; without one the server refuses in zh-CN.
      await page.click('dialog button.primary');
      await page.waitForSelector('dialog [data-testid=dialog-error]:not(:empty)');
      assert.match(await page.textContent('dialog [data-testid=dialog-error]'), /[\u4e00-\u9fa5]/);
      await shot('17-confirm-needs-reason');
      await page.fill('dialog textarea[name=override_reason]', '家庭成员因病支出较大，按民主评议意见调整（测试）');
    }
    await page.click('dialog button.primary');
    await page.waitForSelector('#flash.ok:not([hidden])');
    await page.waitForFunction(() => /已确认/.test(document.querySelector('[data-testid=wf-stage]')?.textContent || ''));
    assert.match(await page.textContent('#flash'), /责任人：青岩审核员（演示）/);
    await shot('18-case-confirmed');

    // The same reviewer cannot take a district action: the server's refusal is shown as it is.
    const direct = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/cases/${id}/actions`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Ruhu-Protocol': '1',
        Authorization: 'Bearer ' + sessionStorage.getItem('ruhu.access') }, body: JSON.stringify({ action: 'record_filing', remarks: null }) });
      return { status: r.status, body: await r.json() };
    }, inPublicity.id);
    assert.equal(direct.status, 403);

    await logout();
    await login('qu.jianguan');
    await page.waitForSelector('[data-testid=who]');
    await page.goto(`${base}/#/workflow`);
    await page.waitForSelector('[data-testid=filings]');
    assert.match(await page.textContent('[data-testid=filings]'), new RegExp(inPublicity.case_no + '\\s*青岩镇\\s*给予救助'));

    // The district lifts the decision, decides it itself, and then may not file its own decision (separation of duties).
    await page.goto(`${base}/#/cases/${inPublicity.id}`);
    await page.click('[data-action=escalate]');
    assert.equal(await page.textContent('dialog [data-testid=responsible]'), '将记录责任人：区监管员（演示）（区级监管人员）');
    await page.fill('dialog textarea[name=reason]', '群众对救助金额有异议（测试）');
    await page.click('dialog button.primary');
    await page.waitForFunction(() => document.querySelector('[data-testid=wf-stage]')?.textContent === '提级至区民政局复核中');
    await page.click('[data-action=decide_escalation]');
    await page.selectOption('dialog select[name=outcome]', 'approve');
    await page.fill('dialog input[name=amount]', '400');
    await page.fill('dialog textarea[name=reasons]', '经区级复核，按补差计算给予救助（测试）');
    await page.click('dialog button.primary');
    await page.waitForFunction(() => /已确认/.test(document.querySelector('[data-testid=wf-stage]')?.textContent || ''));
    await page.click('[data-action=record_filing]');
    await page.click('dialog button.primary');
    await page.waitForSelector('dialog [data-testid=dialog-error]:not(:empty)');
    assert.equal(await page.textContent('dialog [data-testid=dialog-error]'),
      '您作出了本案的审核确认决定，不能再对同一决定备案监管或提级复核（确认与监管职能有效分离）');
    await shot('19a-separation-of-duties');
    await page.click('dialog button[type=button]');
    await page.goto(`${base}/#/workflow`);
    await page.waitForSelector('[data-testid=spot-check]');
    await page.fill('[data-testid=spot-check] input[name=seed]', 'huaxi-2026-console-test');
    await page.click('[data-testid=spot-check] button.primary');
    await page.waitForSelector('[data-testid=seed]');
    assert.equal(await page.textContent('[data-testid=seed]'), 'huaxi-2026-console-test');
    assert.match(await page.textContent('[data-testid=rounding]'), /[\u4e00-\u9fa5]/);
    await shot('19b-district-spot-check');
    // A near-relative declaration with a malformed ID number is refused in the server's words, nothing recorded.
    const before = await page.locator('[data-testid=near-relatives-list] tbody tr').count();
    await page.fill('[data-testid=near-relative-form] input[name=rid]', '12345');
    await page.click('[data-testid=near-relative-form] button.primary');
    await page.waitForSelector('[data-testid=relative-error]:not(:empty)');
    assert.match(await page.textContent('[data-testid=relative-error]'), /身份证/);
    assert.equal(await page.locator('[data-testid=near-relatives-list] tbody tr').count(), before);
  } finally {
    base = mainBase;
    await stopServer(wf.proc, wf.dir);
    rmSync(policyDir, { recursive: true, force: true });
  }
});

test('临时救助 from the case page: a real-name complaint answered, then 先行救助 paid first and its record completed', async () => {
  const seq = 100 + Math.floor(Math.random() * 800);
  const household = await apiCall('qingyan.jingban', 'POST', '/api/v1/households', {
    village_code: '520111101901', head_name: '急难测试户（演示）', address: '青岩镇示范一村（演示）急难组',
    members: [{ name: '急难测试户（演示）', resident_id: residentId('520111', '19800317', seq), relation: '户主' }],
  }, 201);
  const created = await apiCall('qingyan.jingban', 'POST', '/api/v1/cases', { household_id: household.id, assistance_type: 'linshi' }, 201);
  await freshLogin('qingyan.jingban');
  await page.waitForSelector('[data-testid=who]');
  await page.goto(`${base}/#/cases/${created.id}`);
  await page.waitForSelector('[data-testid=workflow]');
  assert.equal(await page.locator('[data-action=start_review]').count(), 0, 'no periodic review for 临时救助');

  // A real-name complaint: the reporter is owed feedback, which becomes an open step with its due date.
  await page.click('[data-action=record_complaint]');
  await page.check('dialog input[name=real_name]');
  await page.fill('dialog input[name=reporter_name]', '王举报（演示）');
  await page.fill('dialog textarea[name=summary]', '反映该户隐瞒经营收入（测试）');
  await page.click('dialog button.primary');
  await page.waitForSelector('[data-testid=complaints]');
  assert.match(await page.textContent('[data-testid=complaints]'), /反映该户隐瞒经营收入（测试）\s*是\s*待反馈/);
  assert.match(await page.textContent('[data-testid=open-steps]'), /向实名举报人反馈核查处理结果/);
  await page.click('[data-action=give_complaint_feedback]');
  await page.click('dialog button.primary');
  await page.waitForSelector('dialog [data-testid=dialog-error]:not(:empty)');
  assert.match(await page.textContent('dialog [data-testid=dialog-error]'), /[\u4e00-\u9fa5]/, 'an empty feedback is refused in Chinese');
  await page.fill('dialog textarea[name=feedback]', '经入户核查，未发现经营收入，已电话告知举报人（测试）');
  await page.click('dialog button.primary');
  await page.waitForFunction(() => /已电话告知举报人/.test(document.querySelector('[data-testid=complaints]')?.textContent || ''));
  assert.doesNotMatch(await page.textContent('[data-testid=open-steps]'), /向实名举报人反馈/);

  // 先行救助: paid first, named, then the record completed within its limit.
  await page.click('[data-action=grant_emergency_aid]');
  assert.equal(await page.textContent('dialog [data-testid=responsible]'), '将记录责任人：青岩经办员（演示）（乡镇经办人员）');
  await page.fill('dialog input[name=amount]', '1500');
  await page.fill('dialog textarea[name=reason]', '火灾致住房受损，基本生活陷入困境（测试）');
  await page.click('dialog button.primary');
  await page.waitForFunction(() => document.querySelector('[data-testid=wf-stage]')?.textContent === '已先行救助（待补齐手续）');
  assert.match(await page.textContent('[data-testid=open-steps]'), /[\u4e00-\u9fa5]+\s*\d{4}-\d{2}-\d{2}/, 'the record to complete has a due date');
  await shot('20-linshi-emergency-aid');
  await page.click('[data-action=complete_emergency_record]');
  await page.fill('dialog textarea[name=summary]', '补齐申请书、事由说明和发放凭证（测试）');
  await page.check('dialog input[name=staff_signed]');
  await page.check('dialog input[name=sealed]');
  await page.click('dialog button.primary');
  await page.waitForFunction(() => document.querySelector('[data-testid=wf-stage]')?.textContent === '已办结');
  const steps = await apiCall('qingyan.jingban', 'GET', `/api/v1/cases/${created.id}`);
  const kinds = steps.steps.map((x) => x.kind);
  for (const k of ['wf.record_complaint', 'wf.give_complaint_feedback', 'wf.grant_emergency_aid', 'wf.complete_emergency_record']) {
    assert.ok(kinds.includes(k), `${k} recorded: ${kinds.join(', ')}`);
  }
  await shot('21-linshi-closed');
});

test('at the counter a caseworker registers a household and its application in one form; an administrator adds a village', async () => {
  await freshLogin('qingyan.jingban');
  await page.waitForSelector('[data-testid=who]');
  await page.click('nav a[href="#/intake"]');
  const form = page.locator('[data-testid=intake]');
  await form.waitFor();
  await pick('[data-testid=intake] select[name=village]', '示范一村');
  await form.locator('input[name=address]').fill('青岩镇示范一村（演示）窗口组1号');
  const seq = 100 + Math.floor(Math.random() * 800);
  const rows = form.locator('[data-testid=intake-members] tbody tr');
  await rows.nth(0).locator('input[name=m_name]').fill('窗口登记户（演示）');
  await rows.nth(0).locator('input[name=m_id]').fill('52011119700101001X');
  await form.locator('[data-testid=add-member]').click();
  await rows.nth(1).locator('input[name=m_name]').fill('窗口登记配偶（演示）');
  await rows.nth(1).locator('input[name=m_id]').fill(residentId('520111', '19720304', seq + 1));
  await rows.nth(1).locator('input[name=m_relation]').fill('配偶');
  await form.locator('input[name=area][value=urban]').check();
  await shot('23-intake-form');
  // A mistyped ID number: refused in the server's words, nothing registered.
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('[data-testid=intake-error]:not(:empty)');
  assert.match(await page.textContent('[data-testid=intake-error]'), /身份证号/);
  await rows.nth(0).locator('input[name=m_id]').fill(residentId('520111', '19700101', seq));
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('[data-testid=wf-stage]');
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '已申请待受理');
  assert.match(await page.textContent('#flash'), /已登记 窗口登记户（演示） 的最低生活保障申请（QY-\d{4}-\d{6}），待受理/);
  assert.match(await page.textContent('main'), /窗口登记配偶（演示）/);

  await freshLogin('admin');
  await page.waitForSelector('[data-testid=who]');
  await page.goto(`${base}/#/admin`);
  const add = page.locator('[data-testid=new-village]');
  await add.waitFor();
  await pick('[data-testid=new-village] select[name=township]', '青岩镇');
  await add.locator('input[name=code]').fill('520111101209');
  await add.locator('input[name=name]').fill('龙井村（测试）');
  await add.locator('button[type=submit]').click();
  await page.waitForSelector('[data-testid=villages] tr[data-org="520111101209"]');
  assert.match(await page.textContent('[data-testid=villages] tr[data-org="520111101209"]'), /龙井村（测试）\s*青岩镇\s*在用/);
  await shot('24-admin-villages');
});

test('the procedure in the browser: investigation with named investigators, the checks, the initial opinion and its publicity', async () => {
  await freshLogin('qingyan.jingban');
  await page.waitForSelector('[data-testid=who]');
  const seq = 100 + Math.floor(Math.random() * 800);
  const household = await apiCall('qingyan.jingban', 'POST', '/api/v1/households', {
    village_code: '520111101902', head_name: '流程测试户（演示）', address: '青岩镇示范二村（演示）流程组',
    members: [{ name: '流程测试户（演示）', resident_id: residentId('520111', '19660705', seq), relation: '户主' }],
  }, 201);
  const created = await apiCall('qingyan.jingban', 'POST', '/api/v1/cases', { household_id: household.id, assistance_type: 'dibao' }, 201);
  await page.goto(`${base}/#/cases/${created.id}`);
  await page.waitForSelector('[data-testid=workflow]');
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '已申请待受理', 'a case starts as an application');

  /** Takes one action through its dialog and waits for the server's confirmation. */
  const act = async (kind, label, fillIn = async () => {}) => {
    await page.click(`[data-action=${kind}]`);
    await page.waitForSelector(`dialog [data-testid=action-${kind}]`);
    await fillIn();
    await page.click('dialog button.primary');
    await page.waitForFunction((l) => (document.querySelector('#flash.ok')?.textContent || '').includes(`已办理“${l}”`), label);
    await page.waitForSelector('[data-testid=workflow]');
  };
  const team = async () => {
    await page.check('dialog label:has-text("青岩调查员一（演示）") input');
    await page.check('dialog label:has-text("青岩调查员三（演示）") input');
  };
  // The application is incomplete: everything missing listed at once (一次性告知), then accepted when it arrives.
  await act('notice_missing', '一次性告知补正材料', async () => {
    await page.check('dialog label:has-text("户籍证明") input');
    await page.check('dialog label:has-text("残疾证明") input');
    await page.fill('dialog textarea[name=items]', '村委会出具的居住证明（测试）');
  });
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '已一次性告知补齐材料');
  await shot('22a-application-materials-missing');
  await act('accept', '受理');
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '已受理');
  const history = await apiAs('qingyan.shenhe', `/api/v1/cases/${created.id}`);
  const missingNotice = history.steps.find((s) => s.kind === "wf.notice_missing");
  assert.deepEqual(missingNotice.detail.input.items, ['户籍证明', '残疾证明', '村委会出具的居住证明（测试）']);
  assert.deepEqual(history.steps.map((s) => s.label).slice(0, 3), ['登记申请', '一次性告知需补齐的材料', '受理申请']);

  // One investigator is not enough: refused in the server's words, nothing recorded.
  await page.click('[data-action=start_investigation]');
  await page.check('dialog label:has-text("青岩调查员一（演示）") input');
  await page.click('dialog button.primary');
  await page.waitForSelector('dialog [data-testid=dialog-error]:not(:empty)');
  assert.match(await page.textContent('dialog [data-testid=dialog-error]'), /不少于2名调查人员/);
  await page.click('dialog button[type=button]');
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '已受理');

  await act('start_investigation', '开始调查核实', team);
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '调查核实中');
  await act('record_home_visit', '记录入户调查', team);
  await act('record_neighbour_visit', '记录邻里走访', () => page.fill('dialog textarea[name=summary]', '走访邻居两户，反映情况属实（测试）'));
  await act('request_information_check', '提请信息核对');
  await act('record_information_check', '记录信息核对结果', () => page.fill('dialog textarea[name=summary]', '未发现车辆、房产和工商登记（测试）'));
  await act('submit_initial_opinion', '提出初审意见', async () => {
    await page.fill('dialog input[name=amount]', '500');
    await page.fill('dialog textarea[name=reasons]', '家庭月人均收入低于当地低保标准（测试）');
  });
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '已提出初审意见');
  await act('start_publicity', '开始公示');
  assert.equal(await page.textContent('[data-testid=wf-stage]'), '初审意见公示中');
  assert.match(await page.textContent('[data-testid=open-steps]'), /初审意见公示\s*\d{4}-\d{2}-\d{2}/);
  const notice = await page.textContent('[data-testid=publicity-notice]');
  assert.match(notice, /流程测试户（演示）/);
  assert.match(notice, /¥500\.00/);
  assert.doesNotMatch(notice, /\d{17}[\dX]/, 'no full ID number in the publicity notice');
  await shot('22-procedure-in-publicity');
  const record = await apiCall('qingyan.jingban', 'GET', `/api/v1/cases/${created.id}`);
  const named = record.steps.filter((x) => x.kind.startsWith('wf.')).map((x) => [x.kind, x.actor?.display_name]);
  assert.ok(named.length >= 7 && named.every(([, who]) => who === '青岩经办员（演示）'), JSON.stringify(named));
});

test('the district assigns re-visits from its sample; a re-visitor\'s phone pushes; the case page compares it with the record', async () => {
  await freshLogin('qu.jianguan');
  await page.waitForSelector('[data-testid=who]');
  await page.goto(`${base}/#/workflow`);
  await page.waitForSelector('[data-testid=spot-check]');
  await page.fill('[data-testid=spot-check] input[name=seed]', 'console-revisit-seed');
  await page.click('[data-testid=spot-check] button.primary');
  await page.waitForSelector('[data-testid=sample]');
  assert.match(await page.textContent('[data-testid=sample]'), /100% 核查/, 'the near-relative household is always drawn');
  await page.fill('[data-testid=spot-check-result] input[name=due]', inTenDays());
  await page.click('[data-testid=spot-check-result] button:has-text("安排复查")');
  await page.waitForFunction(() => /已为抽中的家庭安排复查/.test(document.querySelector('#flash')?.textContent || ''));

  // The near-relative demo household (陈桂兰): its re-visit goes to district staff, never to its original investigators.
  const cases = await apiCall('qu.jianguan', 'GET', '/api/v1/cases?limit=500');
  const chen = cases.find((c) => c.head_name === '陈桂兰（演示）');
  const open = await apiCall('qu.jianguan', 'GET', '/api/v1/assignments?status=assigned');
  const revisit = open.find((a) => a.case_id === chen.id && a.form_id === 'district-revisit');
  assert.ok(revisit, 'a re-visit assignment for the near-relative household');
  const users = await apiCall('admin', 'GET', '/api/v1/users');
  const revisitor = users.find((u) => u.id === revisit.investigators[0].id);
  assert.equal(revisitor.org_unit_code, '520111', 'a district re-visitor');
  await page.goto(`${base}/#/cases/${chen.id}`);
  await page.waitForSelector('[data-testid=workflow]');
  assert.match(await page.textContent('[data-testid=workflow]'), /须由区级 100% 入户核查/);
  assert.equal(await page.locator('[data-testid=revisit-facts]').count(), 0, 'nothing to compare before the re-visit');

  const phone = await phoneVisit(base, revisitor.username, revisit.id);
  assert.equal(phone.merged, 1);
  await page.reload();
  await page.waitForSelector('[data-testid=revisit-facts]');
  const facts = await page.textContent('[data-testid=revisit-facts]');
  assert.match(facts, /共同生活家庭成员人数/, 'facts labelled from the form');
  assert.match(facts, /不一致/, 'the re-visit found differences');
  assert.doesNotMatch(await page.textContent('[data-testid=workflow]'), /须由区级 100% 入户核查/, 'the merged re-visit is the district visit');
  await shot('23-revisit-comparison');
  // The same comparison from the workflow page by case number.
  await page.goto(`${base}/#/workflow`);
  await page.fill('input[name=case_no]', chen.case_no);
  await page.click('form:has(input[name=case_no]) button');
  await page.waitForSelector('[data-testid=revisit-comparison] [data-testid=revisit-facts]');
});

test('in December the overview reminds the administrator of next year\'s holidays; loaded in the console, 暂定 becomes exact', async () => {
  // A server whose clock reads 14 December 2026 (a test build takes its day from RUHU_TEST_CLOCK): the demo case
  // accepted today has its 20-working-day procedure in January 2027, whose schedule is not loaded.
  const december = await launchServer([], { RUHU_TEST_CLOCK: `2026-12-14T10:00:00+08:00@${Math.floor(Date.now() / 1000)}` });
  const mainBase = base;
  base = december.url;
  try {
    const first = (await apiAs('qingyan.jingban', '/api/v1/cases', december.url)).find((c) => c.head_name === '王明德（演示）');
    await freshLogin('admin');
    const reminder = page.locator('[data-testid=calendar-reminder]');
    await reminder.waitFor();
    assert.match(await reminder.textContent(), /2027年的法定节假日安排尚未导入.*暂定/);
    await shot('17-overview-calendar-reminder');

    await page.goto(`${base}/#/cases/${first.id}`);
    const procedure = page.locator('[data-testid=open-steps] tr[data-step=procedure_devolved]');
    await procedure.waitFor();
    assert.match(await procedure.textContent(), /2027-01-12暂定/);
    assert.match(await page.textContent('[data-testid=provisional-note]'), /导入后自动重新计算/);
    await shot('17b-case-provisional-deadline');

    // The administrator loads 2027 (a test fixture, not the real schedule: 1–4 January off) in the console.
    await page.goto(`${base}/#/admin`);
    const form = page.locator('[data-testid=calendar-load]');
    await form.waitFor();
    await form.locator('textarea[name=file]').fill('format = "ruhu-work-calendar/1"\n[[years]]\nyear = 2027\nnotice = "测试用"\nsource = "console test"\n'
      + '[[years.holidays]]\nname = "元旦"\noff_from = 2027-01-01\noff_to = 2027-01-32\nworking = []\n');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('[data-testid=calendar-error]:not(:empty)');
    assert.match(await page.textContent('[data-testid=calendar-error]'), /节假日安排文件有误/, 'a malformed file is refused with the reason');
    await form.locator('textarea[name=file]').fill('format = "ruhu-work-calendar/1"\n[[years]]\nyear = 2027\nnotice = "测试用"\nsource = "console test"\n'
      + '[[years.holidays]]\nname = "元旦"\noff_from = 2027-01-01\noff_to = 2027-01-04\nworking = []\n');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('[data-testid=calendar-years] tr[data-year="2027"]');
    assert.match(await page.textContent('#flash'), /已导入节假日安排/);
    await shot('17c-admin-calendar-loaded');

    await page.goto(`${base}/#/`);
    await page.waitForSelector('[data-testid=cases-by-step]');
    assert.equal(await page.locator('[data-testid=calendar-reminder]').count(), 0, 'no reminder once 2027 is loaded');
    await page.goto(`${base}/#/cases/${first.id}`);
    await procedure.waitFor();
    assert.match(await procedure.textContent(), /2027-01-13/);
    assert.equal(await procedure.locator('[data-provisional]').count(), 0, 'exact once the year is loaded');
  } finally {
    base = mainBase;
    await stopServer(december.proc, december.dir);
  }
});

test('no script error and no content-security-policy violation on any page', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});
