// Ruhu web console: a small single-page app over the same HTTP API and scoping as the phones.
// Every piece of data is put into the page with textContent / DOM nodes, never as HTML, so nothing a user typed can
// run as script. The access token lives in sessionStorage (gone when the tab closes); the browser's installation id
// lives in localStorage so the server sees one registered device per browser, revocable like a phone.
'use strict';

// ---------- labels ----------

const ROLE_LABELS = {
  district_supervisor: '区级监管人员',
  township_reviewer: '乡镇审核确认人员',
  township_caseworker: '乡镇经办人员',
  visit_supervisor: '入户调查组织人员',
  investigator: '调查人员',
  village_assistant: '村（居）协助人员',
  admin: '系统管理员',
};
// Mirrors ruhu_core::roles::Role::may_assign_visits / may_investigate; the server decides, this only shapes the page.
const ASSIGNERS = ['visit_supervisor', 'township_reviewer', 'district_supervisor'];
const INVESTIGATING = ['investigator', 'village_assistant', 'township_caseworker', 'district_supervisor'];
const DEVICE_MANAGERS = ['admin', 'district_supervisor', 'township_reviewer', 'visit_supervisor'];
// Who registers applications (the server decides; this only shapes the page).
const RECEIVERS = ['township_caseworker', 'township_reviewer', 'village_assistant'];
const ASSISTANCE_TYPES = { dibao: '最低生活保障', tekun: '特困人员救助供养', linshi: '临时救助', bianyuan: '低保边缘家庭认定' };
const VISIT_STATE_CLASS = { assigned: '', pulled: 'warn', in_progress: 'warn', synced: 'ok', incomplete_media: 'bad', conflict: 'bad', cancelled: '' };
const ASSIGNMENT_STATUS = { assigned: '待调查', completed: '已完成', cancelled: '已取消' };

// ---------- session ----------

const store = {
  get access() { return sessionStorage.getItem('ruhu.access'); },
  get refresh() { return sessionStorage.getItem('ruhu.refresh'); },
  get user() {
    try { return JSON.parse(sessionStorage.getItem('ruhu.user') || 'null'); } catch { return null; }
  },
  save(tokens) {
    sessionStorage.setItem('ruhu.access', tokens.access_token);
    sessionStorage.setItem('ruhu.refresh', tokens.refresh_token);
    sessionStorage.setItem('ruhu.user', JSON.stringify(tokens.user));
  },
  clear() {
    for (const k of ['ruhu.access', 'ruhu.refresh', 'ruhu.user']) sessionStorage.removeItem(k);
  },
};

function installationId() {
  let id = localStorage.getItem('ruhu.console.installation');
  if (!id) {
    id = 'web-' + crypto.randomUUID();
    localStorage.setItem('ruhu.console.installation', id);
  }
  return id;
}

function hasRole(list) {
  const u = store.user;
  return !!u && u.roles.some((r) => list.includes(r));
}

// ---------- API ----------

class ApiError extends Error {
  constructor(problem) {
    super(problem.message);
    this.code = problem.code;
    this.status = problem.status;
    this.field = problem.field;
  }
}

async function problemOf(res) {
  try {
    const body = await res.json();
    if (body && typeof body.message === 'string') return body;
  } catch { /* not JSON */ }
  return { status: res.status, code: 'http_' + res.status, message: `服务器返回错误（HTTP ${res.status}），请稍后重试` };
}

async function send(method, path, body, token) {
  const headers = { 'Ruhu-Protocol': '1' };
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: '无法连接服务器，请检查网络后重试' });
  }
}

let refreshing = null;
async function refreshTokens() {
  if (!refreshing) {
    refreshing = (async () => {
      const res = await send('POST', '/api/v1/auth/refresh', { refresh_token: store.refresh || '', device_id: installationId() });
      if (!res.ok) return false;
      store.save(await res.json());
      return true;
    })().finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  }
  return refreshing;
}

/** Calls the API; resolves to the parsed body (or a Blob with `blob`), rejects with an ApiError carrying the zh-CN message. */
async function api(method, path, body, { blob = false } = {}) {
  let res = await send(method, path, body, store.access);
  if (res.status === 401) {
    const p = await problemOf(res.clone());
    if (p.code === 'token_expired' && (await refreshTokens())) {
      res = await send(method, path, body, store.access);
    }
  }
  if (!res.ok) {
    const p = await problemOf(res);
    if (res.status === 401) {
      store.clear();
      flash(p.message, false, true);
      location.hash = '#/login';
    }
    throw new ApiError(p);
  }
  if (blob) return res.blob();
  if (res.status === 204) return null;
  return res.json();
}

const get = (path) => api('GET', path);
const post = (path, body) => api('POST', path, body);
const put = (path, body) => api('PUT', path, body);

// ---------- DOM helpers ----------

/** h('td', {class: 'x'}, 'text', node, ...) — strings become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's children; skips null/false entries (replaceChildren would print them as text). */
function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function table(headers, rows, attrs) {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, '暂无记录'))));
}

// A message normally goes away when the user moves to another page; `keep` carries it over one navigation (e.g.
// "已安排…" shown on the page the action leads to).
let keepFlashOnce = false;
function flash(message, ok = false, keep = false) {
  keepFlashOnce = keep;
  const el = document.getElementById('flash');
  el.textContent = message;
  el.className = ok ? 'ok' : '';
  el.hidden = false;
}
function clearFlash() {
  const el = document.getElementById('flash');
  el.hidden = true;
  el.textContent = '';
}

/** Runs an action, showing its API error (the server's zh-CN message) instead of losing it: in `where` (a line inside
 * an open dialog, which covers the page's message bar) or in the message bar. */
async function attempt(fn, where) {
  try {
    return await fn();
  } catch (e) {
    const message = e instanceof ApiError ? e.message : '页面出错：' + e.message;
    if (where) where.textContent = message;
    else flash(message);
    return undefined;
  }
}

const dialogError = () => h('p', { class: 'error', role: 'alert', 'data-testid': 'dialog-error' });

const pad = (n) => String(n).padStart(2, '0');
function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
// The server's clock minus the browser's, from the console settings: "today" is the server's day in China (UTC+8),
// whatever the browser's clock or time zone says.
let serverClockOffsetMs = 0;
function today() {
  return new Date(Date.now() + serverClockOffsetMs + 8 * 3600000).toISOString().slice(0, 10);
}
function daysBetween(a, b) {
  return Math.round((Date.parse(b) - Date.parse(a)) / 86400000);
}
const isOverdue = (a) => a.status === 'assigned' && a.due_date < today();
function statusBadge(a) {
  if (isOverdue(a)) return h('span', { class: 'badge bad' }, '已逾期');
  const cls = { assigned: 'warn', completed: 'ok', cancelled: '' }[a.status];
  return h('span', { class: 'badge ' + cls }, a.status_label || ASSIGNMENT_STATUS[a.status] || a.status);
}
const people = (list) => (list || []).map((p) => p.display_name).join('、');
function yuan(fen) {
  return typeof fen === 'number' ? (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2 }) + ' 元' : String(fen);
}

function dialog(...content) {
  const d = h('dialog', {}, ...content);
  document.body.append(d);
  d.addEventListener('close', () => d.remove());
  d.showModal();
  return d;
}

// ---------- shared data ----------

async function orgNames() {
  const units = await get('/api/v1/org-units');
  const names = {};
  for (const u of units) names[u.code] = u.name;
  return { units, names };
}

async function investigatorsWithLoad() {
  const [users, open] = await Promise.all([get('/api/v1/users'), get('/api/v1/assignments?status=assigned')]);
  const load = {};
  for (const a of open) for (const p of a.investigators) load[p.id] = (load[p.id] || 0) + 1;
  return users
    .filter((u) => u.enabled && u.roles.some((r) => INVESTIGATING.includes(r)))
    .map((u) => ({ ...u, load: load[u.id] || 0 }));
}

function investigatorSelect(name, list, selected) {
  return h('select', { name, required: true },
    h('option', { value: '' }, '请选择'),
    list.map((u) => h('option', { value: u.id, selected: u.id === selected }, `${u.display_name}（在办 ${u.load} 件）`)));
}

// ---------- pages ----------

function pageLogin(main) {
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').replaceChildren();
  const form = h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      clearFlash();
      const data = new FormData(form);
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        const res = await send('POST', '/api/v1/auth/login', {
          username: String(data.get('username') || ''),
          password: String(data.get('password') || ''),
          device_id: installationId(),
          device_name: '网页控制台（' + (navigator.userAgentData?.platform || navigator.platform || '浏览器') + '）',
          app_version: 'console-1',
        });
        if (!res.ok) throw new ApiError(await problemOf(res));
        store.save(await res.json());
        if (location.hash === '#/') route();
        else location.hash = '#/';
      } catch (e) {
        flash(e instanceof ApiError ? e.message : '登录失败：' + e.message);
      } finally {
        button.disabled = false;
      }
    },
  },
  h('label', {}, '用户名', h('input', { name: 'username', autocomplete: 'username', required: true })),
  h('label', {}, '密码', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
  h('button', { class: 'primary', type: 'submit' }, '登录'));
  fill(main, h('div', { class: 'login' }, h('h1', {}, '登录'), form,
    h('p', { class: 'muted' }, '首次在本浏览器登录时，本浏览器将登记为一台设备，管理员可随时停用。')));
}

function navFor() {
  const links = [['#/', '概览']];
  if (hasRole(RECEIVERS)) links.push(['#/intake', '受理登记']);
  links.push(['#/cases', '案件'], ['#/households', '家庭']);
  if (hasRole(ASSIGNERS)) links.push(['#/assign', '安排入户调查']);
  links.push(['#/visits', '调查进度']);
  links.push(['#/workflow', '审核流程']);
  if (hasRole(DEVICE_MANAGERS)) links.push(['#/admin', '系统管理']);
  const here = location.hash.split('?')[0] || '#/';
  return links.map(([href, text]) => {
    const active = href === '#/' ? here === '#/' || here === '' : here.startsWith(href);
    return h('a', { href, class: active ? 'active' : '' }, text);
  });
}

function renderChrome() {
  const u = store.user;
  document.getElementById('nav').replaceChildren(...navFor());
  document.getElementById('who').replaceChildren(
    h('span', { 'data-testid': 'who' }, `${u.display_name} · ${u.org_unit_name} · ${u.roles.map((r) => ROLE_LABELS[r] || r).join('、')}`),
    h('button', {
      onclick: async () => {
        await api('POST', '/api/v1/auth/logout').catch(() => {});
        store.clear();
        flash('已退出登录', true, true);
        location.hash = '#/login';
      },
    }, '退出'));
}

async function pageOverview(main) {
  const u = store.user;
  if (hasRole(['investigator', 'village_assistant']) && !hasRole(ASSIGNERS) && !hasRole(['township_reviewer', 'township_caseworker'])) {
    const mine = await get('/api/v1/assignments?mine=true');
    fill(main, h('h1', {}, '我的入户调查'), assignmentTable(mine, {}, false),
      h('p', { class: 'muted' }, '入户调查请在手机应用中完成。'));
    return;
  }
  const [cases, assignments, org] = await Promise.all([get('/api/v1/cases?limit=500'), get('/api/v1/assignments'), orgNames()]);
  const byStep = {};
  for (const c of cases) (byStep[c.step] ||= { label: c.step_label, n: 0 }).n++;
  const byStatus = { assigned: 0, completed: 0, cancelled: 0 };
  for (const a of assignments) byStatus[a.status] = (byStatus[a.status] || 0) + 1;
  const overdue = assignments.filter(isOverdue).sort((a, b) => a.due_date.localeCompare(b.due_date));
  const open = assignments.filter((a) => a.status === 'assigned').sort((a, b) => a.due_date.localeCompare(b.due_date));
  const caseById = Object.fromEntries(cases.map((c) => [c.id, c]));

  const parts = [h('h1', {}, `${u.org_unit_name} · 工作概览`)];
  if (hasRole(['admin', 'district_supervisor'])) {
    const calendar = await get('/api/v1/calendar');
    if (calendar.reminder) {
      parts.push(h('p', { class: 'notice warn', role: 'status', 'data-testid': 'calendar-reminder' }, calendar.reminder.message, ' ',
        hasRole(['admin']) ? h('a', { href: '#/admin' }, '去导入') : null));
    }
  }
  parts.push(h('h2', {}, '办理中的案件（按环节）'),
    h('div', { class: 'cards', 'data-testid': 'cases-by-step' },
      Object.entries(byStep).map(([step, s]) => h('div', { class: 'card' },
        h('a', { href: '#/cases?step=' + encodeURIComponent(step) }, h('div', { class: 'n' }, s.n), h('div', {}, s.label)))),
      Object.keys(byStep).length ? null : h('p', { class: 'muted' }, '暂无案件')));
  parts.push(h('h2', {}, '入户调查（按状态）'),
    h('div', { class: 'cards', 'data-testid': 'visits-by-state' },
      Object.entries(byStatus).map(([s, n]) => h('div', { class: 'card' }, h('a', { href: '#/visits?status=' + s },
        h('div', { class: 'n' }, n), h('div', {}, ASSIGNMENT_STATUS[s] || s)))),
      h('div', { class: 'card bad' }, h('a', { href: '#/visits?status=overdue' }, h('div', { class: 'n' }, overdue.length), h('div', {}, '已逾期')))));

  if (u.roles.includes('district_supervisor') || u.roles.includes('admin')) {
    const townships = org.units.filter((o) => o.level === 'township');
    const rows = townships.map((t) => {
      const inT = (path) => path === t.path || path.startsWith(t.path + '/');
      const tc = cases.filter((c) => inT(c.org_path));
      const ta = assignments.filter((a) => inT(a.org_path));
      return h('tr', {}, h('td', {}, t.name), h('td', {}, tc.length), h('td', {}, ta.filter((a) => a.status === 'assigned').length),
        h('td', {}, ta.filter(isOverdue).length));
    });
    parts.push(h('h2', {}, '各乡镇情况'), table(['乡镇', '案件', '待调查', '逾期'], rows, { 'data-testid': 'townships' }),
      h('p', {}, h('a', { href: '#/workflow' }, '备案、年度抽查与办理期限')));
  }

  const row = (a) => {
    const c = caseById[a.case_id];
    return h('tr', {}, h('td', {}, h('a', { href: '#/cases/' + a.case_id }, a.case_no)),
      h('td', {}, c ? c.head_name : ''), h('td', {}, c ? org.names[c.village_code] || c.village_code : ''),
      h('td', {}, people(a.investigators)), h('td', {}, a.due_date),
      h('td', {}, isOverdue(a) ? `逾期 ${daysBetween(a.due_date, today())} 天` : `剩余 ${daysBetween(today(), a.due_date)} 天`));
  };
  parts.push(h('h2', {}, '逾期事项'), table(['案件编号', '户主', '村（居）', '调查人员', '截止日期', ''], overdue.map(row), { 'data-testid': 'overdue' }));
  parts.push(h('h2', {}, '待完成的入户调查（按截止日期）'), table(['案件编号', '户主', '村（居）', '调查人员', '截止日期', ''], open.map(row)));
  fill(main, ...parts);
}

function queryOf() {
  const q = location.hash.split('?')[1] || '';
  return new URLSearchParams(q);
}

async function caseFilters(onChange, initial) {
  const org = await orgNames();
  const villages = org.units.filter((o) => o.level === 'village');
  const form = h('form', { class: 'filters', onchange: () => onChange(new FormData(form)), onsubmit: (e) => e.preventDefault() },
    h('label', {}, '村（居）', h('select', { name: 'village' }, h('option', { value: '' }, '全部'),
      villages.map((v) => h('option', { value: v.code, selected: initial.get('village') === v.code }, v.name)))),
    h('label', {}, '救助类型', h('select', { name: 'type' }, h('option', { value: '' }, '全部'),
      Object.entries(ASSISTANCE_TYPES).map(([k, v]) => h('option', { value: k, selected: initial.get('type') === k }, v)))),
    h('label', {}, '办理环节', h('select', { name: 'step' }, h('option', { value: '' }, '全部'),
      settingsCache.stages.map((st) => h('option', { value: st.key, selected: initial.get('step') === st.key }, st.label)))),
    h('label', {}, '期限不晚于', h('input', { type: 'date', name: 'due_before', value: initial.get('due_before') || '' })));
  return { form, org };
}

async function loadCases(f, { visits = false } = {}) {
  const params = new URLSearchParams({ limit: '500' });
  if (visits) params.set('visits', 'true');
  if (f.get('type')) params.set('assistance_type', f.get('type'));
  if (f.get('step')) params.set('step', f.get('step'));
  if (f.get('village')) params.set('village_code', f.get('village'));
  if (f.get('due_before')) params.set('due_before', f.get('due_before'));
  return get('/api/v1/cases?' + params);
}

async function pageCases(main) {
  const initial = queryOf();
  const holder = h('div');
  const show = async (f) => {
    const qs = new URLSearchParams();
    for (const k of ['village', 'type', 'step', 'due_before']) if (f.get(k)) qs.set(k, f.get(k));
    history.replaceState(null, '', '#/cases' + (qs.toString() ? '?' + qs : ''));
    const list = await attempt(() => loadCases(f));
    if (!list) return;
    fill(holder, table(['案件编号', '户主', '户主身份证号', '村（居）', '救助类型', '办理环节', '最近期限', '受理时间'],
      list.map((c) => h('tr', {}, h('td', {}, h('a', { href: '#/cases/' + c.id }, c.case_no)), h('td', {}, c.head_name),
        h('td', {}, c.head_resident_id_masked || '—'), h('td', {}, org.names[c.village_code] || c.village_code),
        h('td', {}, c.assistance_type_label), h('td', {}, c.step_label), h('td', {}, c.next_due_date || '—'), h('td', {}, fmtTime(c.created_at)))),
      { 'data-testid': 'case-list' }), h('p', { class: 'muted' }, `共 ${list.length} 件。列表中的身份证号已脱敏；打开案件查看完整记录将记入审计日志。`));
  };
  const { form, org } = await caseFilters((f) => show(f), initial);
  fill(main, h('h1', {}, '案件'), form, holder);
  await show(new FormData(form));
}

async function pageHouseholds(main) {
  const initial = queryOf();
  const org = await orgNames();
  const villages = org.units.filter((o) => o.level === 'village');
  const holder = h('div');
  const show = async (village) => {
    history.replaceState(null, '', '#/households' + (village ? '?village=' + encodeURIComponent(village) : ''));
    const list = await attempt(() => get('/api/v1/households?limit=500' + (village ? '&village_code=' + encodeURIComponent(village) : '')));
    if (!list) return;
    fill(holder, table(['户主', '住址', '村（居）', '家庭成员（身份证号已脱敏）', '登记时间'], list.map((x) => h('tr', {},
      h('td', {}, h('a', { href: '#/households/' + x.id }, x.head_name)), h('td', {}, x.address),
      h('td', {}, org.names[x.village_code] || x.village_code),
      h('td', {}, x.members.map((m) => h('div', {}, `${m.name}（${m.relation}）${m.resident_id_masked}`))),
      h('td', {}, fmtTime(x.created_at)))), { 'data-testid': 'household-list' }),
    h('p', { class: 'muted' }, `共 ${list.length} 户。打开家庭查看完整身份证号将记入审计日志。`));
  };
  const picker = h('select', { name: 'village', onchange: (e) => show(e.target.value) }, h('option', { value: '' }, '全部'),
    villages.map((v) => h('option', { value: v.code, selected: initial.get('village') === v.code }, v.name)));
  fill(main, h('h1', {}, '家庭'), h('div', { class: 'filters' }, h('label', {}, '村（居）', picker)), holder);
  await show(picker.value);
}

async function pageHousehold(main, id) {
  const [x, cases] = await Promise.all([get('/api/v1/households/' + encodeURIComponent(id)), get('/api/v1/cases?limit=500')]);
  const own = cases.filter((c) => c.household_id === x.id);
  fill(main, h('h1', {}, `家庭：${x.head_name}`),
    h('p', { class: 'muted' }, '您查看的是完整记录，本次查看已记入审计日志。'),
    h('dl', { class: 'kv' },
      h('dt', {}, '所在地'), h('dd', {}, x.location_name),
      h('dt', {}, '住址'), h('dd', {}, x.address),
      h('dt', {}, '位置'), h('dd', {}, x.location ? `${x.location.lat.toFixed(5)}, ${x.location.lon.toFixed(5)}（WGS-84）` : '未登记'),
      h('dt', {}, '登记人'), h('dd', {}, `${x.created_by.display_name}（${fmtTime(x.created_at)}）`)),
    h('h2', {}, '家庭成员'),
    table(['姓名', '与户主关系', '身份证号'], x.members.map((m) => h('tr', {}, h('td', {}, m.name), h('td', {}, m.relation), h('td', {}, m.resident_id)))),
    h('h2', {}, '案件'),
    table(['案件编号', '救助类型', '办理环节', '受理时间'], own.map((c) => h('tr', {}, h('td', {}, h('a', { href: '#/cases/' + c.id }, c.case_no)),
      h('td', {}, c.assistance_type_label), h('td', {}, c.step_label), h('td', {}, fmtTime(c.created_at))))));
}

function factValue(v) {
  if (typeof v === 'boolean') return v ? '是' : '否';
  // Rows of a repeat group (household members) read as their count and names, never their full records (ID numbers).
  if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
    const names = v.map((r) => (r && (r.member_name || r.name)) || '').filter(Boolean);
    return names.length ? `${v.length} 条：${names.join('、')}` : `${v.length} 条`;
  }
  if (Array.isArray(v)) return v.join('、');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The questions of every form the case's visits used, by the fact they feed (labels and units for the facts table);
 * the newest form's question wins where two forms feed the same fact. */
async function questionsByFact(c) {
  const versions = [...new Map(c.assignments.map((a) => [`${a.form_id}/${a.form_version}`, a])).values()];
  const forms = await Promise.all(versions.map((a) => get(`/api/v1/forms/${encodeURIComponent(a.form_id)}/${a.form_version}`).catch(() => null)));
  const out = {};
  const walk = (qs) => { for (const q of qs || []) { if (q.fact) out[q.fact] = q; walk(q.questions); } };
  for (const form of forms) walk(form?.questions);
  return out;
}

async function pageCase(main, id) {
  const c = await get('/api/v1/cases/' + encodeURIComponent(id));
  const hh = c.household;
  const byFact = await questionsByFact(c);
  const canAssign = hasRole(ASSIGNERS);
  const parts = [
    h('h1', {}, `案件 ${c.case_no}`),
    h('p', { class: 'muted' }, '您查看的是完整记录，本次查看已记入审计日志。'),
    h('dl', { class: 'kv', 'data-testid': 'case-info' },
      h('dt', {}, '救助类型'), h('dd', {}, c.assistance_type_label),
      h('dt', {}, '办理环节'), h('dd', {}, c.step_label),
      h('dt', {}, '所在地'), h('dd', {}, c.location_name),
      h('dt', {}, '受理人'), h('dd', {}, `${c.created_by.display_name}（${fmtTime(c.created_at)}）`),
      h('dt', {}, '户主'), h('dd', {}, h('a', { href: '#/households/' + hh.id }, hh.head_name)),
      h('dt', {}, '住址'), h('dd', {}, hh.address),
      h('dt', {}, '位置'), h('dd', {}, hh.location ? `${hh.location.lat.toFixed(5)}, ${hh.location.lon.toFixed(5)}（WGS-84）` : '未登记')),
    h('h2', {}, '家庭成员'),
    table(['姓名', '与户主关系', '身份证号'], hh.members.map((m) => h('tr', {}, h('td', {}, m.name), h('td', {}, m.relation), h('td', {}, m.resident_id)))),
    h('h2', {}, '家庭情况（事实及来源）'),
    table(['项目', '内容', '来源', '更新时间'], Object.entries(c.facts).map(([k, f]) => h('tr', {}, h('td', { title: k }, byFact[k]?.label || k),
      h('td', {}, byFact[k] ? answerText(byFact[k], f.value) : factValue(f.value)),
      h('td', {}, f.source_submission ? h('a', { href: `#/review/${c.id}/${f.source_submission}` }, '入户调查') : '申请材料（窗口录入）'),
      h('td', {}, fmtTime(f.updated_at))))),
    h('h2', {}, '入户调查安排'),
    assignmentTable(c.assignments, { [c.id]: { head_name: hh.head_name } }, canAssign),
    canAssign && !c.assignments.some((a) => a.status === 'assigned')
      ? h('p', {}, h('a', { href: '#/assign?case=' + c.id }, '为本案件安排入户调查')) : null,
    h('h2', {}, '入户调查结果'),
    table(['提交人', '完成时间', '接收时间', '状态', ''], c.visits.map((v) => h('tr', {}, h('td', {}, v.submitted_by.display_name),
      h('td', {}, fmtTime(v.finalized_at)), h('td', {}, fmtTime(v.received_at)),
      h('td', {}, v.completeness.complete ? h('span', { class: 'badge ok' }, '已同步') : h('span', { class: 'badge warn' }, `缺少 ${v.completeness.missing_media.length} 个文件`)),
      h('td', {}, h('a', { href: `#/review/${c.id}/${v.submission_id}` }, '查看调查结果'))))),
  ];
  if (c.conflicts.length) {
    parts.push(h('h2', {}, '待核实的数据冲突'),
      h('p', { class: 'muted' }, '两次入户调查从同一基础改成了不同的值。请逐项选择采用哪个值并说明理由；处理人和理由记入办理记录和审计日志。'),
      ...c.conflicts.map((x) => conflictForm(c, x, byFact, visitNames(c))));
  }
  parts.push(await workflowPanel(c.id));
  parts.push(h('h2', {}, '办理记录'),
    table(['时间', '事项', '办理人', '截止日期'], c.steps.map((s) => h('tr', {}, h('td', {}, fmtTime(s.at)), h('td', {}, s.label, s.detail?.reason ? `（理由：${s.detail.reason}）` : ''),
      h('td', {}, s.actor ? s.actor.display_name : '系统'), h('td', {}, s.due_date || '')))));
  fill(main, ...parts);
}

/** Who submitted each visit of the case, by submission id (the conflict's sources). */
function visitNames(c) {
  return Object.fromEntries(c.visits.map((v) => [v.submission_id, `${v.submitted_by.display_name} ${fmtTime(v.finalized_at)} 的入户调查`]));
}

/** One conflict side by side: the value the case holds and the proposed one, each with its source; choose and say why. */
function conflictForm(c, x, byFact, names) {
  const q = byFact[x.fact_key];
  const show = (v) => (q ? answerText(q, v) : factValue(v));
  const source = (id) => (id ? h('a', { href: `#/review/${c.id}/${id}` }, names[id] || '入户调查') : '申请材料（窗口录入）');
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'conflict-error' });
  const side = (value, title, v, src) => h('label', { class: 'side' },
    h('input', { type: 'radio', name: 'choice', value, required: true }), h('strong', {}, title),
    h('div', { class: 'value', 'data-testid': 'conflict-' + value }, show(v)), h('div', { class: 'muted' }, '来源：', source(src)));
  const form = h('form', {
    class: 'conflict', 'data-testid': 'conflict-' + x.fact_key,
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const data = new FormData(form);
      const done = await attempt(() => post(`/api/v1/conflicts/${x.id}/resolve`,
        { choice: data.get('choice') || '', reason: String(data.get('reason') || '') }), err);
      if (done) { flash(`已处理“${q?.label || x.fact_key}”：${show(done.value)}`, true); route(); }
    },
  },
  h('h3', {}, q?.label || x.fact_key, h('span', { class: 'muted' }, `（发现于 ${fmtTime(x.created_at)}）`)),
  h('div', { class: 'sides' }, side('current', '保留现值', x.current_value, x.current_source), side('proposed', '采用新提交的值', x.proposed_value, x.proposed_source)),
  h('label', {}, '理由', h('input', { name: 'reason', maxlength: 500, placeholder: '例如：已电话核实户主，以第二次调查为准' })),
  err,
  h('div', { class: 'row' }, h('span', { class: 'muted' }, `将记录处理人：${store.user?.display_name || ''}`), h('button', { class: 'primary', type: 'submit' }, '确认处理')));
  // The reason is checked by the server (so its message is the one shown), not by the browser's own bubble.
  form.noValidate = true;
  return form;
}

function assignmentTable(list, caseInfo, withActions) {
  return table(['案件编号', '户主', '调查人员', '截止日期', '状态', '调查结果', withActions ? '操作' : ''],
    list.map((a) => h('tr', { 'data-assignment': a.id },
      h('td', {}, h('a', { href: '#/cases/' + a.case_id }, a.case_no)),
      h('td', {}, caseInfo[a.case_id]?.head_name || ''),
      h('td', {}, people(a.investigators)),
      h('td', {}, a.due_date),
      h('td', {}, statusBadge(a), a.cancel_reason ? h('div', { class: 'muted' }, '取消原因：' + a.cancel_reason) : null),
      h('td', {}, a.completed_submission ? h('a', { href: `#/review/${a.case_id}/${a.completed_submission}` }, '已同步，查看') : '—'),
      h('td', {}, withActions && a.status === 'assigned' ? [
        h('button', { onclick: () => reassignDialog(a) }, '调整人员'), ' ',
        h('button', { class: 'danger', onclick: () => cancelDialog(a) }, '取消'),
      ] : null))),
    { 'data-testid': 'assignments' });
}

async function reassignDialog(a) {
  const list = await attempt(investigatorsWithLoad);
  if (!list) return;
  const err = dialogError();
  const form = h('form', {
    method: 'dialog',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const body = { investigator_ids: [f.get('i1'), f.get('i2')], reason: String(f.get('reason') || '') || null };
      if (f.get('due')) body.due_date = f.get('due');
      const done = await attempt(() => post(`/api/v1/assignments/${a.id}/reassign`, body), err);
      if (done) { d.close(); flash(`已调整 ${a.case_no} 的调查人员`, true); route(); }
    },
  },
  h('h2', {}, `调整调查人员：${a.case_no}`),
  h('label', {}, '调查人员一', investigatorSelect('i1', list, a.investigators[0]?.id)),
  h('label', {}, '调查人员二', investigatorSelect('i2', list, a.investigators[1]?.id)),
  h('label', {}, '新的截止日期（不改可留空）', h('input', { type: 'date', name: 'due' })),
  h('label', {}, '调整原因', h('input', { name: 'reason' })),
  err,
  h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => d.close() }, '返回'), h('button', { class: 'primary' }, '确认调整')));
  const d = dialog(form);
}

function cancelDialog(a) {
  const err = dialogError();
  const form = h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const reason = String(new FormData(form).get('reason') || '');
      const done = await attempt(() => post(`/api/v1/assignments/${a.id}/cancel`, { reason }), err);
      if (done) { d.close(); flash(`已取消 ${a.case_no} 的入户调查`, true); route(); }
    },
  },
  h('h2', {}, `取消入户调查：${a.case_no}`),
  h('p', {}, '取消后，两位调查人员手机上的该任务及其本地数据将被删除。'),
  h('label', {}, '取消原因', h('textarea', { name: 'reason', rows: 3 })),
  err,
  h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => d.close() }, '返回'), h('button', { class: 'danger' }, '确认取消')));
  const d = dialog(form);
}

async function pageAssign(main) {
  const initial = queryOf();
  const [investigators, open] = await Promise.all([investigatorsWithLoad(), get('/api/v1/assignments?status=assigned')]);
  const busy = new Set(open.map((a) => a.case_id));
  let chosen = initial.get('case') || '';
  const casesHolder = h('div');
  const showCases = async (f) => {
    const list = await attempt(() => loadCases(f, { visits: true }));
    if (!list) return;
    const free = list.filter((c) => !busy.has(c.id));
    fill(casesHolder, table(['', '案件编号', '户主', '村（居）', '救助类型', '办理环节', '最近期限'],
      free.map((c) => h('tr', {},
        h('td', {}, h('input', { type: 'radio', name: 'case', value: c.id, checked: c.id === chosen, form: 'assign-form', 'aria-label': c.case_no,
          onchange: () => { chosen = c.id; } })),
        h('td', {}, c.case_no), h('td', {}, c.head_name), h('td', {}, org.names[c.village_code] || c.village_code),
        h('td', {}, c.assistance_type_label), h('td', {}, c.step_label), h('td', {}, c.next_due_date || '—'))),
      { 'data-testid': 'assignable-cases' }),
    h('p', { class: 'muted' }, '列出已受理、调查核实中、公示异议处理中和定期核查中的案件；尚未受理的申请须先受理。已有待完成入户调查的案件不在此列，可在“调查进度”中调整人员或取消。'));
  };
  const { form: filters, org } = await caseFilters((f) => showCases(f), initial);
  const form = h('form', {
    id: 'assign-form', class: 'form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      clearFlash();
      const f = new FormData(form);
      if (!chosen) { flash('请先在上方选择一个案件'); return; }
      const body = { case_id: chosen, investigator_ids: [f.get('i1'), f.get('i2')], due_date: f.get('due') };
      const done = await attempt(() => post('/api/v1/assignments', body));
      if (done) {
        flash(`已为 ${done.case_no} 安排入户调查：${people(done.investigators)}，截止 ${done.due_date}`, true, true);
        location.hash = '#/visits';
      }
    },
  },
  h('label', {}, '调查人员一', investigatorSelect('i1', investigators)),
  h('label', {}, '调查人员二', investigatorSelect('i2', investigators)),
  h('label', {}, '截止日期', h('input', { type: 'date', name: 'due', required: true })),
  h('button', { class: 'primary', type: 'submit' }, '安排入户调查'));
  fill(main, h('h1', {}, '安排入户调查'),
    h('h2', {}, '1. 选择案件'), filters, casesHolder,
    h('h2', {}, '2. 选择两名调查人员和截止日期'), form,
    h('p', { class: 'muted' }, '两名调查人员不能是同一人，也不能是该户成员已备案的近亲属（由系统核对）。'),
    h('h2', {}, '调查人员工作量'),
    table(['调查人员', '所属单位', '在办入户调查'], investigators.map((u) => h('tr', {}, h('td', {}, u.display_name), h('td', {}, u.org_unit_name), h('td', {}, u.load))),
      { 'data-testid': 'investigator-load' }));
  await showCases(new FormData(filters));
}

async function pageVisits(main) {
  const initial = queryOf();
  const status = initial.get('status') || '';
  const [list, cases] = await Promise.all([
    get('/api/v1/assignments' + (status && status !== 'overdue' ? '?status=' + status : (status === 'overdue' ? '?status=assigned' : ''))),
    get('/api/v1/cases?limit=500'),
  ]);
  const shown = status === 'overdue' ? list.filter(isOverdue) : list;
  const caseInfo = Object.fromEntries(cases.map((c) => [c.id, c]));
  const picker = h('select', { name: 'status', onchange: (e) => { location.hash = '#/visits' + (e.target.value ? '?status=' + e.target.value : ''); } },
    h('option', { value: '' }, '全部'), Object.entries({ ...ASSIGNMENT_STATUS, overdue: '已逾期' }).map(([k, v]) => h('option', { value: k, selected: k === status }, v)));
  const parts = [h('h1', {}, '入户调查进度'), h('div', { class: 'filters' }, h('label', {}, '状态', picker)),
    assignmentTable(shown, caseInfo, hasRole(ASSIGNERS))];
  if (hasRole([...ASSIGNERS, 'township_caseworker', 'village_assistant', 'admin'])) {
    const progress = await get('/api/v1/visits/progress');
    const lastOf = (p, key) => p.investigators.flatMap((i) => i.devices).map((d) => d[key]).filter(Boolean).sort().pop();
    const deviceLines = (i) => (i.devices.length ? i.devices.map((d) => h('div', {},
      `${i.person.display_name} · ${d.name || '设备'}：下载 ${fmtTime(d.last_pull_at)}，上传 ${fmtTime(d.last_push_at)}`))
      : h('div', {}, `${i.person.display_name}：未登录任何设备`));
    parts.push(h('h2', {}, '调查状态与设备同步'),
      table(['案件编号', '户主', '村（居）', '截止日期', '调查状态', '最近下载', '最近上传', '各设备同步时间'], progress.map((p) => h('tr', { 'data-case': p.case_no },
        h('td', {}, h('a', { href: '#/cases/' + p.case_id }, p.case_no)), h('td', {}, p.head_name), h('td', {}, p.village_name), h('td', {}, p.due_date),
        h('td', {}, h('span', { class: 'badge ' + (VISIT_STATE_CLASS[p.state] || ''), 'data-testid': 'visit-state' }, p.state_label)),
        h('td', {}, fmtTime(lastOf(p, 'last_pull_at'))), h('td', {}, fmtTime(lastOf(p, 'last_push_at'))),
        h('td', { class: 'muted' }, p.investigators.map(deviceLines)))), { 'data-testid': 'visit-progress' }),
      h('p', { class: 'muted' }, '“下载”“上传”为调查人员手机最近一次同步安排、提交调查结果的时间（服务器记录）。'));
  }
  fill(main, ...parts);
}

// ---------- review ----------

const blobUrls = [];
async function mediaImage(sha, attrs) {
  const img = h('img', { alt: '加载中', ...attrs });
  try {
    const blob = await api('GET', '/api/v1/media/' + encodeURIComponent(sha), undefined, { blob: true });
    const url = URL.createObjectURL(blob);
    blobUrls.push(url);
    img.src = url;
    img.alt = attrs.alt || '';
  } catch (e) {
    img.alt = e.message;
    img.title = e.message;
  }
  return img;
}

function answerText(q, v) {
  if (v === undefined || v === null || v === '') return '（未填）';
  switch (q.kind) {
    case 'money': return yuan(v);
    case 'yes_no': return v ? '是' : '否';
    case 'select_one': return (q.choices.find((c) => c.value === v) || { label: v }).label;
    case 'select_multiple': return (Array.isArray(v) ? v : [v]).map((x) => (q.choices.find((c) => c.value === x) || { label: x }).label).join('、');
    case 'geopoint': return v && typeof v.lat === 'number' ? `${v.lat.toFixed(6)}, ${v.lon.toFixed(6)}` : JSON.stringify(v);
    // A repeat group (the household members) reads as its row count and each row's first text answer (the name).
    case 'repeat': {
      if (!Array.isArray(v)) return JSON.stringify(v);
      const first = (q.questions || []).find((x) => x.kind === 'text');
      const names = first ? v.map((r) => (r && r[first.id]) || '').filter(Boolean) : [];
      return names.length ? `${v.length} 条：${names.join('、')}` : `${v.length} 条`;
    }
    default: return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

function answerRows(questions, answers, visit, depth) {
  const rows = [];
  for (const q of questions) {
    if (q.kind === 'note') continue;
    // Indentation by class: the console's CSP (style-src 'self') refuses inline style attributes.
    const label = h('td', { class: depth ? `depth-${depth}` : null }, q.label);
    if (q.kind === 'photo') {
      const media = visit.media.filter((m) => m.question_id === q.id);
      const cell = h('td', { class: 'thumbs', 'data-testid': 'photos-' + q.id });
      for (const m of media) {
        if (!m.received) { cell.append(h('span', { class: 'badge warn' }, '照片尚未上传')); continue; }
        mediaImage(m.sha256, { alt: q.label, title: '拍摄于 ' + fmtTime(m.taken_at) }).then((img) => {
          img.addEventListener('click', () => dialog(h('img', { class: 'full', src: img.src, alt: q.label }),
            h('div', { class: 'row' }, h('button', { onclick: (e) => e.target.closest('dialog').close() }, '关闭'))));
          cell.append(img);
        });
      }
      if (!media.length) cell.append('（无）');
      rows.push(h('tr', {}, label, cell));
    } else if (q.kind === 'signature') {
      const s = visit.signatures.find((x) => x.role === q.signer);
      rows.push(h('tr', {}, label, h('td', {}, s ? `${s.signer_name}（见下方签名）` : '（未签）')));
    } else if (q.kind === 'repeat') {
      const list = Array.isArray(answers[q.id]) ? answers[q.id] : [];
      rows.push(h('tr', {}, label, h('td', {}, `${list.length} 条`)));
      list.forEach((row, i) => {
        rows.push(h('tr', {}, h('td', { class: `depth-${depth + 1}` }, `第 ${i + 1} 条`), h('td', {})));
        rows.push(...answerRows(q.questions || [], row || {}, visit, depth + 2));
      });
    } else {
      rows.push(h('tr', {}, label, h('td', {}, answerText(q, answers[q.id]))));
    }
  }
  return rows;
}

/** A plain schematic (no map tiles): the household at the centre, the fixes at their true bearing and distance. */
function schematic(gps) {
  const W = 420, H = 320, cx = W / 2, cy = H / 2;
  const home = gps.household_location;
  const root = svg('svg', { class: 'schematic', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': '定位示意图' });
  if (!home) {
    root.append(svg('text', { x: 20, y: 40 }, '该户未登记位置，无法比较距离'));
    return root;
  }
  const offset = (p) => {
    const dy = (p.lat - home.lat) * 111320;
    const dx = (p.lon - home.lon) * 111320 * Math.cos((home.lat * Math.PI) / 180);
    return [dx, dy];
  };
  const far = Math.max(50, ...gps.fixes.map((f) => Math.hypot(...offset(f)) + f.accuracy_m));
  const scale = (Math.min(W, H) / 2 - 30) / far;
  root.append(svg('line', { x1: 30, y1: 40, x2: 30, y2: 14, stroke: '#333', 'stroke-width': 2 }), svg('text', { x: 24, y: 56 }, '北'));
  for (const f of gps.fixes) {
    const [dx, dy] = offset(f);
    const x = cx + dx * scale, y = cy - dy * scale;
    const best = gps.best_fix && f.taken_at === gps.best_fix.taken_at && f.lat === gps.best_fix.lat;
    root.append(svg('circle', { cx: x, cy: y, r: Math.max(3, f.accuracy_m * scale), fill: f.mock ? '#b3261e33' : '#0b5cad22', stroke: f.mock ? '#b3261e' : '#0b5cad' }));
    root.append(svg('circle', { cx: x, cy: y, r: 4, fill: f.mock ? '#b3261e' : '#0b5cad' }));
    if (best) {
      root.append(svg('line', { x1: cx, y1: cy, x2: x, y2: y, stroke: '#555', 'stroke-dasharray': '4 3' }));
      root.append(svg('text', { x: (cx + x) / 2 + 6, y: (cy + y) / 2 - 6 }, `${Math.round(gps.distance_m)} 米`));
    }
  }
  root.append(svg('rect', { x: cx - 6, y: cy - 6, width: 12, height: 12, fill: '#a61b1b' }), svg('text', { x: cx + 10, y: cy + 18 }, '登记住址'));
  const bar = 100 / scale >= 1 ? Math.pow(10, Math.floor(Math.log10(far))) : 10;
  root.append(svg('line', { x1: 20, y1: H - 20, x2: 20 + bar * scale, y2: H - 20, stroke: '#333', 'stroke-width': 2 }),
    svg('text', { x: 20, y: H - 26 }, `${bar} 米`));
  return root;
}

let settingsCache = null;
async function consoleSettings() {
  if (!settingsCache) {
    settingsCache = await get('/api/v1/console/settings');
    serverClockOffsetMs = Date.parse(settingsCache.now) - Date.now();
  }
  return settingsCache;
}

/** Web Mercator pixel position at zoom z (256-px tiles). */
function mercatorPx(p, z) {
  const size = 256 * 2 ** z;
  const lat = (Math.max(-85, Math.min(85, p.lat)) * Math.PI) / 180;
  return [((p.lon + 180) / 360) * size, ((1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2) * size];
}

/** The configured provider's tiles with the household and the fixes on top; positions are converted by the server into
 * the provider's datum (GCJ-02 where it needs it). */
async function tileMap(gps, map) {
  const W = 420, H = 320;
  const wgs = [gps.household_location, ...gps.fixes].filter(Boolean);
  const { points } = await post('/api/v1/console/map/points', { points: wgs });
  const home = gps.household_location ? points[0] : null;
  const fixes = gps.household_location ? points.slice(1) : points;
  const centre = home || fixes[0];
  const root = h('div', { class: 'tilemap', role: 'img', 'aria-label': '定位地图', 'data-testid': 'tile-map', 'data-datum': map.datum });
  if (!centre) return root;
  let z = 18;
  while (z > 3) {
    const [cx, cy] = mercatorPx(centre, z);
    if (points.every((p) => { const [x, y] = mercatorPx(p, z); return Math.abs(x - cx) < W / 2 - 20 && Math.abs(y - cy) < H / 2 - 20; })) break;
    z -= 1;
  }
  const [cx, cy] = mercatorPx(centre, z);
  const left = cx - W / 2, top = cy - H / 2;
  for (let tx = Math.floor(left / 256); tx <= Math.floor((left + W) / 256); tx++) {
    for (let ty = Math.floor(top / 256); ty <= Math.floor((top + H) / 256); ty++) {
      const img = h('img', { class: 'tile', alt: '', src: map.tiles_url_template.replace('{z}', z).replace('{x}', tx).replace('{y}', ty) });
      img.style.left = `${tx * 256 - left}px`;
      img.style.top = `${ty * 256 - top}px`;
      root.append(img);
    }
  }
  const pin = (p, cls, title) => {
    const [x, y] = mercatorPx(p, z);
    const el = h('div', { class: 'pin ' + cls, title });
    el.style.left = `${x - left}px`;
    el.style.top = `${y - top}px`;
    root.append(el);
  };
  fixes.forEach((p, i) => pin(p, gps.fixes[i].mock ? 'mock' : '', `定位 ${fmtTime(gps.fixes[i].taken_at)}，精度 ${Math.round(gps.fixes[i].accuracy_m)} 米`));
  if (home) pin(home, 'home', '登记住址');
  root.append(h('div', { class: 'credit' }, `地图服务（${map.datum === 'gcj02' ? 'GCJ-02' : 'WGS-84'}），缩放 ${z}`));
  return root;
}

async function pageReview(main, caseId, submissionId) {
  const c = await get('/api/v1/cases/' + encodeURIComponent(caseId));
  const v = c.visits.find((x) => x.submission_id === submissionId);
  if (!v) throw new ApiError({ status: 404, code: 'not_found', message: '该入户调查结果不存在' });
  const form = await get(`/api/v1/forms/${encodeURIComponent(v.form_id)}/${v.form_version}`);
  const g = v.gps;
  const settings = await consoleSettings();
  const map = settings.map;
  const picture = map.tiles_url_template ? await tileMap(g, map) : schematic(g);
  const minutes = Math.round((Date.parse(v.finalized_at) - Date.parse(v.started_at)) / 60000);
  const outside = v.media.filter((m) => m.taken_at && (m.taken_at < v.started_at || m.taken_at > v.finalized_at));
  const flags = [];
  const far = settings.far_from_household;
  if (g.distance_m != null && g.distance_m > far.metres) {
    flags.push(h('span', { class: 'badge bad', title: '依据：' + far.source, 'data-testid': 'far-flag' }, `距登记住址超过 ${far.metres} 米`));
  }
  if (g.any_mock) flags.push(h('span', { class: 'badge bad' }, '存在模拟定位'));
  if (!g.best_fix) flags.push(h('span', { class: 'badge bad' }, '没有定位记录'));
  if (!g.household_location) flags.push(h('span', { class: 'badge warn' }, '该户未登记位置'));
  if (outside.length) flags.push(h('span', { class: 'badge bad' }, `${outside.length} 张照片拍摄于调查时段之外`));
  if (!v.completeness.complete) flags.push(h('span', { class: 'badge warn' }, `缺少 ${v.completeness.missing_media.length} 个文件`));
  if (!flags.length) flags.push(h('span', { class: 'badge ok' }, '未发现异常'));

  const sigs = h('div', { class: 'thumbs sig' });
  for (const s of v.signatures) {
    const box = h('div', {}, h('div', {}, `${s.role_label}：${s.signer_name}`), h('div', { class: 'muted' }, fmtTime(s.signed_at)));
    if (s.received) mediaImage(s.media_sha256, { alt: `${s.role_label}签名` }).then((img) => box.prepend(img));
    else box.prepend(h('span', { class: 'badge warn' }, '签名尚未上传'));
    sigs.append(box);
  }

  fill(main, 
    h('h1', {}, `入户调查结果：${c.case_no} · ${c.household.head_name}`),
    h('p', {}, h('a', { href: '#/cases/' + c.id }, '返回案件')),
    h('dl', { class: 'kv', 'data-testid': 'visit-info' },
      h('dt', {}, '调查表'), h('dd', {}, `${form.title}（第 ${form.version} 版）`),
      h('dt', {}, '调查人员'), h('dd', {}, people(v.investigators)),
      h('dt', {}, '提交人'), h('dd', {}, v.submitted_by.display_name),
      h('dt', {}, '开始 / 完成'), h('dd', {}, `${fmtTime(v.started_at)} / ${fmtTime(v.finalized_at)}（在户约 ${minutes} 分钟）`),
      h('dt', {}, '服务器接收'), h('dd', {}, fmtTime(v.received_at)),
      h('dt', {}, '设备'), h('dd', {}, `${v.device_id}（应用 ${v.app_version}）`),
      h('dt', {}, '提示'), h('dd', { 'data-testid': 'flags' }, flags)),
    h('h2', {}, '定位核对'),
    h('div', { class: 'grid2' },
      h('dl', { class: 'kv', 'data-testid': 'gps' },
        h('dt', {}, '与登记住址距离'), h('dd', { 'data-testid': 'distance' }, g.distance_m == null ? '无法计算' : `${Math.round(g.distance_m)} 米`),
        h('dt', {}, '采用的定位'), h('dd', {}, g.best_fix ? `${g.best_fix.lat.toFixed(6)}, ${g.best_fix.lon.toFixed(6)}（精度 ${Math.round(g.best_fix.accuracy_m)} 米，${g.best_fix.provider}）` : '—'),
        h('dt', {}, '登记住址位置'), h('dd', {}, g.household_location ? `${g.household_location.lat.toFixed(6)}, ${g.household_location.lon.toFixed(6)}` : '未登记'),
        h('dt', {}, '定位次数'), h('dd', {}, String(g.fixes.length)),
        h('dt', {}, '地图'), h('dd', { class: 'muted' }, map.tiles_url_template
          ? `地图服务（${map.datum === 'gcj02' ? '坐标已换算为 GCJ-02 显示，存储为 WGS-84' : 'WGS-84'}）` : '未配置地图服务，显示示意图（坐标为 WGS-84）')),
      picture),
    table(['时间', '纬度', '经度', '精度', '来源', '模拟定位'], g.fixes.map((f) => h('tr', {}, h('td', {}, fmtTime(f.taken_at)), h('td', {}, f.lat.toFixed(6)),
      h('td', {}, f.lon.toFixed(6)), h('td', {}, `${Math.round(f.accuracy_m)} 米`), h('td', {}, f.provider),
      h('td', {}, f.mock ? h('span', { class: 'badge bad' }, '是') : '否')))),
    h('h2', {}, '调查内容'),
    table(['项目', '回答'], answerRows(form.questions, v.answers, v, 0), { 'data-testid': 'answers' }),
    h('h2', {}, '签名'), sigs);
}

async function pageAdmin(main) {
  const isAdmin = hasRole(['admin']);
  const [devices, users, org, calendar, policy] = await Promise.all([
    get('/api/v1/devices'), get('/api/v1/users'), orgNames(), get('/api/v1/calendar'), get('/api/v1/policy'),
  ]);
  const revoke = (d) => {
    const err = dialogError();
    const form = h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const done = await attempt(() => post(`/api/v1/devices/${d.id}/revoke`), err);
        if (done) { dlg.close(); flash(`已停用 ${d.display_name} 的设备“${d.name || d.installation_id}”`, true); route(); }
      },
    }, h('h2', {}, '停用设备'), h('p', {}, `停用 ${d.display_name} 的设备“${d.name || d.installation_id}”？该设备下次联网时将清除本机数据。`), err,
    h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => dlg.close() }, '返回'), h('button', { class: 'danger' }, '确认停用')));
    const dlg = dialog(form);
  };
  fill(main, h('h1', {}, '系统管理'),
    h('h2', {}, '设备'),
    table(['用户', '设备', '应用版本', '登记时间', '最近联网', '状态', '操作'], devices.map((d) => h('tr', {},
      h('td', {}, `${d.display_name}（${d.username}）`), h('td', {}, d.name || d.installation_id), h('td', {}, d.app_version || '—'),
      h('td', {}, fmtTime(d.registered_at)), h('td', {}, fmtTime(d.last_seen_at)),
      h('td', {}, d.revoked_at ? h('span', { class: 'badge bad' }, '已停用 ' + fmtTime(d.revoked_at)) : h('span', { class: 'badge ok' }, '正常')),
      h('td', {}, d.revoked_at ? '' : h('button', { class: 'danger', onclick: () => revoke(d) }, '停用'))))),
    h('h2', {}, '用户'),
    table(['用户名', '姓名', '单位', '角色', '状态', isAdmin ? '操作' : ''], users.map((u) => h('tr', { 'data-user': u.username }, h('td', {}, u.username), h('td', {}, u.display_name),
      h('td', {}, u.org_unit_name), h('td', {}, u.roles.map((r) => ROLE_LABELS[r] || r).join('、')),
      h('td', {}, u.enabled ? '启用' : h('span', { class: 'badge bad' }, '停用')),
      h('td', {}, isAdmin ? h('button', { 'data-edit': u.username, onclick: () => editUser(u, org.units) }, '修改') : '',
        isAdmin && u.id !== store.user?.id ? (u.enabled ? h('button', { class: 'danger', onclick: () => disableUser(u) }, '停用账号')
          : h('button', { onclick: async () => { if (await attempt(() => post(`/api/v1/users/${u.id}/enable`))) { flash(`已启用 ${u.display_name}`, true); route(); } } }, '启用账号')) : '')))),
    isAdmin ? newUserForm(org.units) : null,
    h('h2', {}, '组织机构'),
    table(['代码', '名称', '层级'], org.units.filter((o) => o.level !== 'village').map((o) => h('tr', {}, h('td', {}, o.code), h('td', {}, o.name), h('td', {}, o.level_label)))),
    isAdmin ? orgUnitsSection(org.units) : table(['代码', '名称', '层级'], org.units.filter((o) => o.level === 'village').map((o) => h('tr', {}, h('td', {}, o.code),
      h('td', {}, o.name, o.demo ? [' ', h('span', { class: 'badge' }, '演示')] : null, o.retired ? [' ', h('span', { class: 'badge bad' }, '已撤销')] : null), h('td', {}, o.level_label)))),
    h('h2', {}, '工作日历'),
    calendar.reminder ? h('p', { class: 'notice warn' }, calendar.reminder.message) : null,
    table(['年份', '依据', '来源', '导入时间'], calendar.years.map((y) => h('tr', { 'data-year': y.year }, h('td', {}, String(y.year)), h('td', {}, y.notice),
      h('td', {}, y.origin === 'bundled' ? '随系统发布' : '管理员导入'), h('td', {}, fmtTime(y.loaded_at)))), { 'data-testid': 'calendar-years' }),
    h('p', { class: 'muted' }, calendar.unloaded_years === 'refuse'
      ? '未导入年份的工作日期限不予计算（截止日期待定），导入后即可计算。'
      : '未导入年份的工作日期限按周末和法定节假日暂定计算（标“暂定”），导入后自动重新计算。'),
    isAdmin ? calendarForm() : null,
    h('h2', {}, `政策参数（${policy.district_name}）`),
    h('p', { class: 'muted' }, '服务器启动时读取的区级政策文件，只读；标“演示”的数值须由区民政局确定后替换。'),
    table(['参数', '取值', '依据', '说明'], policy.settings.map((x) => h('tr', { 'data-setting': x.key }, h('td', {}, x.key),
      h('td', {}, x.value_zh || '—', x.demo ? [' ', h('span', { class: 'badge warn' }, '演示')] : null), h('td', {}, x.source), h('td', { class: 'muted' }, x.note || ''))),
    { 'data-testid': 'policy' }));
}

/** Administrators load a year's holiday schedule (the calendar file, docs/policy.md): pasted or picked from disk. */
function calendarForm() {
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'calendar-error' });
  const text = h('textarea', { name: 'file', rows: 8, placeholder: 'format = "ruhu-work-calendar/1"\n[[years]]\nyear = …' });
  const picker = h('input', { type: 'file', accept: '.toml,text/plain', onchange: async () => { const f = picker.files[0]; if (f) text.value = await f.text(); } });
  const form = h('form', {
    'data-testid': 'calendar-load',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const replace = new FormData(form).get('replace') === 'on';
      const done = await attempt(() => post('/api/v1/calendar', { file: text.value, replace }), err);
      if (done) { flash(`已导入节假日安排，已载入年份：${done.covered_years.join('、')}；相关期限已重新计算`, true); route(); }
    },
  }, h('h3', {}, '导入节假日安排'),
  h('p', { class: 'muted' }, '按国务院办公厅公布的通知填写的工作日历文件（格式见 docs/policy.md）；导入记入审计日志。'),
  h('label', {}, '选择文件', picker), h('label', {}, '文件内容', text),
  h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'replace' }), '更正已导入的年份（替换）'),
  h('button', { class: 'primary', type: 'submit' }, '导入'), err);
  return form;
}

function editUser(u, units) {
  const err = dialogError();
  const form = h('form', {
    'data-testid': 'edit-user',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const d = new FormData(form);
      const body = { display_name: String(d.get('display_name') || '').trim(), org_unit_code: String(d.get('org') || ''), roles: d.getAll('roles').map(String) };
      const done = await attempt(() => put(`/api/v1/users/${u.id}`, body), err);
      if (done) { dlg.close(); flash(`已修改 ${done.display_name}（${done.username}）：${done.roles.map((r) => ROLE_LABELS[r] || r).join('、')}`, true); route(); }
    },
  }, h('h2', {}, `修改用户 ${u.username}`),
  h('label', {}, '姓名', h('input', { name: 'display_name', value: u.display_name })),
  h('label', {}, '所属单位', h('select', { name: 'org' }, units.map((o) => h('option', { value: o.code, selected: o.code === u.org_unit_code }, o.name)))),
  h('fieldset', {}, h('legend', {}, '角色'), Object.entries(ROLE_LABELS).map(([k, v]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'roles', value: k, checked: u.roles.includes(k) }), v))),
  err,
  h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => dlg.close() }, '返回'), h('button', { class: 'primary' }, '保存')));
  const dlg = dialog(form);
}

function disableUser(u) {
  const err = dialogError();
  const form = h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      const done = await attempt(() => post(`/api/v1/users/${u.id}/disable`, { reason: String(new FormData(form).get('reason') || '') }), err);
      if (done) { dlg.close(); flash(`已停用 ${u.display_name} 的账号`, true); route(); }
    },
  }, h('h2', {}, '停用账号'), h('p', {}, `停用 ${u.display_name}（${u.username}）？其手机下次联网时将清除本机数据。`),
  h('label', {}, '原因', h('input', { name: 'reason', placeholder: '例如：调离' })), err,
  h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => dlg.close() }, '返回'), h('button', { class: 'danger' }, '确认停用')));
  const dlg = dialog(form);
}

function newUserForm(units) {
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'new-user-error' });
  const form = h('form', {
    class: 'inline', 'data-testid': 'new-user',
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const d = new FormData(form);
      const body = {
        username: String(d.get('username') || '').trim(), display_name: String(d.get('display_name') || '').trim(),
        password: String(d.get('password') || ''), org_unit_code: String(d.get('org') || ''), roles: d.getAll('roles').map(String),
      };
      const done = await attempt(() => post('/api/v1/users', body), err);
      if (done) { flash(`已新增用户 ${done.display_name}（${done.username}）`, true); route(); }
    },
  },
  h('label', {}, '用户名', h('input', { name: 'username', autocomplete: 'off' })),
  h('label', {}, '姓名', h('input', { name: 'display_name' })),
  h('label', {}, '初始密码', h('input', { name: 'password', type: 'password', autocomplete: 'new-password' })),
  h('label', {}, '所属单位', h('select', { name: 'org' }, units.map((o) => h('option', { value: o.code }, o.name)))),
  h('fieldset', {}, h('legend', {}, '角色'), Object.entries(ROLE_LABELS).map(([k, v]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'roles', value: k }), v))),
  h('button', { class: 'primary', type: 'submit' }, '新增用户'), err);
  return [h('h2', {}, '新增用户'), form];
}

/** The counter: a household seen for the first time and its application, in one form (all or nothing). */
async function pageIntake(main) {
  const org = await orgNames();
  const villages = org.units.filter((o) => o.level === 'village' && !o.retired);
  const onBehalf = hasRole(['village_assistant']) && !hasRole(['township_caseworker', 'township_reviewer']);
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'intake-error' });
  const members = h('tbody');
  const memberRow = (relation = '') => h('tr', {},
    h('td', {}, h('input', { name: 'm_name', 'aria-label': '姓名' })),
    h('td', {}, h('input', { name: 'm_id', 'aria-label': '身份证号', maxlength: 18, autocomplete: 'off' })),
    h('td', {}, h('input', { name: 'm_relation', 'aria-label': '与户主关系', value: relation, placeholder: '户主、配偶、子女……' })),
    h('td', {}, h('button', { type: 'button', onclick: (ev) => ev.target.closest('tr').remove() }, '删除')));
  members.append(memberRow('户主'));
  const form = h('form', {
    class: 'intake', 'data-testid': 'intake',
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const d = new FormData(form);
      const rows = [...members.querySelectorAll('tr')].map((tr) => ({
        name: tr.querySelector('[name=m_name]').value.trim(), resident_id: tr.querySelector('[name=m_id]').value.trim().toUpperCase(),
        relation: tr.querySelector('[name=m_relation]').value.trim(),
      })).filter((m) => m.name || m.resident_id);
      const body = {
        household: {
          village_code: String(d.get('village') || ''), head_name: rows[0] ? rows[0].name : '', address: String(d.get('address') || '').trim(),
          members: rows,
        },
        application: {
          assistance_type: String(d.get('type') || ''), area: String(d.get('area') || 'rural'), received_on: String(d.get('received_on') || '') || null,
          channel: onBehalf ? 'village_on_behalf' : String(d.get('channel') || 'counter'),
        },
      };
      const done = await attempt(() => post('/api/v1/applications', body), err);
      if (done) {
        flash(`已登记 ${done.household.head_name} 的${done.case.assistance_type_label}申请（${done.case.case_no}），待受理`, true, true);
        location.hash = '#/cases/' + done.case.id;
      }
    },
  },
  h('fieldset', { class: 'section' }, h('legend', {}, '家庭'),
    h('div', { class: 'row' },
      h('label', {}, '村（社区）', h('select', { name: 'village' }, villages.map((v) => h('option', { value: v.code }, v.name)))),
      h('label', {}, '住址', h('input', { name: 'address', placeholder: '组、门牌号' })),
      h('fieldset', {}, h('legend', {}, '城乡'),
        h('label', { class: 'check' }, h('input', { type: 'radio', name: 'area', value: 'rural', checked: true }), '农村'),
        h('label', { class: 'check' }, h('input', { type: 'radio', name: 'area', value: 'urban' }), '城市'))),
    h('p', { class: 'muted' }, '共同生活家庭成员（第一行为户主）'),
    h('table', { class: 'members', 'data-testid': 'intake-members' }, h('thead', {}, h('tr', {}, ...['姓名', '身份证号', '与户主关系', ''].map((t) => h('th', {}, t)))), members),
    h('button', { type: 'button', 'data-testid': 'add-member', onclick: () => members.append(memberRow()) }, '添加成员')),
  h('fieldset', { class: 'section' }, h('legend', {}, '申请'),
    h('div', { class: 'row' },
      h('label', {}, '救助类型', h('select', { name: 'type' }, Object.entries(ASSISTANCE_TYPES).map(([k, v]) => h('option', { value: k }, v)))),
      h('label', {}, '收到申请日期', h('input', { name: 'received_on', type: 'date', value: today(), max: today() })),
      onBehalf
        ? h('p', { class: 'muted' }, '由村（居）委会代为申请，登记后由乡镇（街道）受理。')
        : h('fieldset', {}, h('legend', {}, '申请方式'),
          h('label', { class: 'check' }, h('input', { type: 'radio', name: 'channel', value: 'counter', checked: true }), '到乡镇（街道）申请'),
          h('label', { class: 'check' }, h('input', { type: 'radio', name: 'channel', value: 'village_on_behalf' }), '村（居）委会代为申请')))),
  h('p', { class: 'muted' }, '登记后案件为“已申请待受理”：材料齐全即受理，不齐的一次性告知需补正的全部材料。身份证号仅在完整记录中显示。'),
  h('button', { class: 'primary', type: 'submit' }, '登记申请'), err);
  fill(main, h('h1', {}, '受理登记'), form);
}

/** Administrators: the villages and communities under their townships (add, rename, retire). */
function orgUnitsSection(units) {
  const townships = units.filter((o) => o.level === 'township');
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'org-error' });
  const rename = (o) => {
    const e = dialogError();
    const f = h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const done = await attempt(() => put(`/api/v1/org-units/${o.code}`, { name: String(new FormData(f).get('name') || '') }), e);
        if (done) { dlg.close(); flash(`已更名为“${done.name}”`, true); route(); }
      },
    }, h('h2', {}, `更名：${o.name}`), h('label', {}, '新名称', h('input', { name: 'name', value: o.name })), e,
    h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => dlg.close() }, '返回'), h('button', { class: 'primary' }, '保存')));
    const dlg = dialog(f);
  };
  const retire = (o) => {
    const e = dialogError();
    const f = h('form', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        const done = await attempt(() => post(`/api/v1/org-units/${o.code}/retire`, { reason: String(new FormData(f).get('reason') || '') }), e);
        if (done) { dlg.close(); flash(`已撤销“${done.name}”`, true); route(); }
      },
    }, h('h2', {}, `撤销：${o.name}`), h('p', {}, '撤销后该村（社区）的家庭和案件保留，不能再登记新的家庭。'),
    h('label', {}, '原因', h('input', { name: 'reason', placeholder: '例如：并入某村（文件号）' })), e,
    h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => dlg.close() }, '返回'), h('button', { class: 'danger' }, '确认撤销')));
    const dlg = dialog(f);
  };
  const add = h('form', {
    class: 'inline', 'data-testid': 'new-village',
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const d = new FormData(add);
      const body = { township_code: String(d.get('township') || ''), code: String(d.get('code') || '').trim(), name: String(d.get('name') || '').trim() };
      const done = await attempt(() => post('/api/v1/org-units', body), err);
      if (done) { flash(`已新增村（社区）“${done.name}”`, true); route(); }
    },
  },
  h('label', {}, '所属乡镇（街道）', h('select', { name: 'township' }, townships.map((t) => h('option', { value: t.code }, t.name)))),
  h('label', {}, '区划代码（12位）', h('input', { name: 'code', maxlength: 12, autocomplete: 'off' })),
  h('label', {}, '名称', h('input', { name: 'name', placeholder: '某某村、某某社区' })),
  h('button', { class: 'primary', type: 'submit' }, '新增村（社区）'), err);
  return [h('h3', {}, '村（社区）'),
    table(['代码', '名称', '所属', '状态', '操作'], units.filter((o) => o.level === 'village').map((o) => h('tr', { 'data-org': o.code },
      h('td', {}, o.code), h('td', {}, o.name, o.demo ? [' ', h('span', { class: 'badge' }, '演示')] : null),
      h('td', {}, (units.find((t) => t.code === o.parent_code) || {}).name || ''),
      h('td', {}, o.retired ? h('span', { class: 'badge bad' }, '已撤销') : '在用'),
      h('td', {}, o.retired ? '' : [h('button', { onclick: () => rename(o) }, '更名'), ' ', h('button', { class: 'danger', onclick: () => retire(o) }, '撤销')]))),
    { 'data-testid': 'villages' }), add];
}

// ---------- router ----------

async function route() {
  const main = document.getElementById('main');
  for (const u of blobUrls.splice(0)) URL.revokeObjectURL(u);
  const path = (location.hash.replace(/^#/, '').split('?')[0] || '/').split('/').filter(Boolean);
  if (!store.access || path[0] === 'login') {
    if (store.access && path[0] === 'login') { location.hash = '#/'; return; }
    pageLogin(main);
    return;
  }
  renderChrome();
  fill(main, h('p', { class: 'muted' }, '正在加载……'));
  try {
    await consoleSettings();
    switch (path[0]) {
      case undefined: await pageOverview(main); break;
      case 'cases': path[1] ? await pageCase(main, path[1]) : await pageCases(main); break;
      case 'households': path[1] ? await pageHousehold(main, path[1]) : await pageHouseholds(main); break;
      case 'assign': await pageAssign(main); break;
      case 'visits': await pageVisits(main); break;
      case 'review': await pageReview(main, path[1], path[2]); break;
      case 'workflow': await pageWorkflow(main); break;
      case 'admin': await pageAdmin(main); break;
      case 'intake': await pageIntake(main); break;
      default: fill(main, h('h1', {}, '页面不存在'), h('p', {}, h('a', { href: '#/' }, '返回概览')));
    }
  } catch (e) {
    // A 401 has already sent the user to the login page with the server's message.
    if (e instanceof ApiError && e.status === 401) return;
    const message = e instanceof ApiError ? e.message : '页面出错：' + e.message;
    fill(main, h('h1', {}, '无法打开'), h('p', { class: 'error', 'data-code': e.code || 'script_error', 'data-testid': 'page-error' }, message),
      h('p', {}, h('a', { href: '#/' }, '返回概览')));
    flash(message);
  }
}

window.addEventListener('hashchange', () => {
  if (keepFlashOnce) keepFlashOnce = false;
  else clearFlash();
  route();
});
document.addEventListener('DOMContentLoaded', route);
