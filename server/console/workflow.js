// Ruhu web console: the case workflow (panel on the case page, deadlines, district supervision, near relatives).
// Loaded after app.js and uses its helpers (h, fill, table, get, post, attempt, dialog, flash, route …). The server
// decides every action; the lists below only choose which buttons a page shows.
'use strict';

// Mirrors ruhu_core::workflow::duties::PERMISSIONS for the actions offered here.
const WF_ROLES = {
  accept: ['township_caseworker', 'township_reviewer'],
  notice_missing: ['township_caseworker', 'township_reviewer'],
  resubmit_materials: ['township_caseworker', 'township_reviewer', 'village_assistant'],
  start_investigation: ['township_caseworker', 'township_reviewer', 'visit_supervisor'],
  record_home_visit: ['township_caseworker', 'township_reviewer', 'visit_supervisor', 'investigator', 'village_assistant'],
  record_neighbour_visit: ['township_caseworker', 'township_reviewer', 'investigator', 'village_assistant'],
  request_information_check: ['township_caseworker', 'township_reviewer'],
  record_information_check: ['township_caseworker', 'township_reviewer'],
  submit_initial_opinion: ['township_caseworker', 'township_reviewer'],
  start_publicity: ['township_caseworker', 'township_reviewer'],
  record_objection: ['township_caseworker', 'township_reviewer', 'village_assistant'],
  resolve_objection: ['township_caseworker', 'township_reviewer'],
  close_publicity: ['township_caseworker', 'township_reviewer'],
  extend: ['township_reviewer'],
  confirm: ['township_reviewer'],
  refuse: ['township_reviewer'],
  issue_notice: ['township_caseworker', 'township_reviewer'],
  record_filing: ['district_supervisor'],
  escalate: ['district_supervisor'],
  decide_escalation: ['district_supervisor'],
  grant_emergency_aid: ['township_caseworker', 'township_reviewer'],
  complete_emergency_record: ['township_caseworker', 'township_reviewer'],
  start_review: ['township_caseworker', 'township_reviewer', 'visit_supervisor'],
  record_review_outcome: ['township_reviewer'],
  record_complaint: ['township_caseworker', 'township_reviewer', 'district_supervisor'],
  give_complaint_feedback: ['township_caseworker', 'township_reviewer', 'district_supervisor'],
  record_district_visit: ['district_supervisor'],
};
// The actions that fit each stage (the server still checks every one).
const WF_BY_STAGE = {
  applied: ['accept', 'notice_missing', 'grant_emergency_aid'],
  materials_missing: ['accept', 'resubmit_materials'],
  accepted: ['start_investigation', 'grant_emergency_aid', 'extend'],
  emergency_aided: ['complete_emergency_record'],
  investigating: ['record_home_visit', 'record_neighbour_visit', 'request_information_check', 'record_information_check', 'submit_initial_opinion', 'extend'],
  opinion_given: ['start_publicity', 'confirm', 'refuse', 'extend'],
  publicity: ['record_objection', 'close_publicity', 'extend'],
  objection_review: ['resolve_objection', 'extend'],
  awaiting_confirmation: ['confirm', 'refuse', 'extend'],
  approved: ['issue_notice', 'record_filing', 'escalate'],
  refused: ['issue_notice', 'record_filing', 'escalate'],
  active: ['start_review', 'record_filing', 'escalate'],
  under_review: ['record_review_outcome'],
  adjusted: ['issue_notice', 'record_filing', 'escalate'],
  termination_publicity: ['record_objection', 'close_publicity'],
  stop_decided: ['issue_notice', 'record_filing', 'escalate'],
  stopped: ['record_filing', 'escalate'],
  closed: ['record_filing', 'escalate'],
  escalated: ['decide_escalation'],
};
// Offered whatever the stage, when the case calls for them (the server checks).
const WF_ANY_STAGE = ['record_complaint', 'give_complaint_feedback', 'record_district_visit'];
// Actions with their own endpoint rather than /actions.
const WF_ENDPOINTS = { record_complaint: 'complaints' };
const WF_LABELS = {
  accept: '受理', notice_missing: '一次性告知补正材料', resubmit_materials: '材料已补齐', start_investigation: '开始调查核实',
  record_home_visit: '记录入户调查', record_neighbour_visit: '记录邻里走访', request_information_check: '提请信息核对',
  record_information_check: '记录信息核对结果', submit_initial_opinion: '提出初审意见', start_publicity: '开始公示',
  record_objection: '登记公示异议', resolve_objection: '处理异议', close_publicity: '公示期满', extend: '延长办理期限',
  confirm: '审核确认', refuse: '不予确认', issue_notice: '送达告知', record_filing: '备案', escalate: '提级复核',
  decide_escalation: '作出提级复核决定', grant_emergency_aid: '先行救助', complete_emergency_record: '补齐先行救助手续',
  start_review: '启动定期核查', record_review_outcome: '作出核查结论', record_complaint: '登记举报',
  give_complaint_feedback: '向实名举报人反馈', record_district_visit: '登记区级入户核查',
};
const REVIEW_OUTCOMES = { keep: '维持（保障金额不变）', adjust: '调整保障金额', stop: '停发/终止' };
const CADENCES = { stable: '每年核查一次（经济状况短期内变化不大）', irregular: '每半年核查一次（收入不固定或有劳动能力）' };

/** Whether `kind` fits this case beyond its stage: its type, its open complaints, the district's owed visit. */
function fitsCase(kind, wf) {
  const type = wf.state.assistance_type;
  switch (kind) {
    case 'grant_emergency_aid': return type === 'linshi';
    case 'start_review': return type !== 'linshi';
    case 'give_complaint_feedback': return openComplaints(wf).length > 0;
    case 'record_district_visit': return wf.district_visit_outstanding;
    default: return true;
  }
}

/** Real-name complaints still owed feedback, with their index in the case's list (what the action names). */
const openComplaints = (wf) => (wf.state.complaints || []).map((c, i) => ({ ...c, index: i })).filter((c) => c.real_name && !c.feedback_on);
const DECISION_LABELS = { approve: '给予救助', refuse: '不予救助', adjust: '调整救助金额', stop: '停发/终止', emergency_aid: '先行救助' };
const OUTCOME_LABELS = { dibao: '符合低保条件（预审）', bianyuan: '符合低保边缘家庭条件（预审）', tekun: '符合特困人员认定条件（预审）', not_eligible: '不符合条件（预审）', unknown: '无法判断' };
const RELATION_LABELS = {
  spouse: '配偶', parents: '父母', children: '子女', siblings: '兄弟姐妹', paternal_grandparents: '祖父母',
  maternal_grandparents: '外祖父母', grandchildren: '孙子女', maternal_grandchildren: '外孙子女',
};

const STRATUM_GROUPS = { newly_added: '当年新增', exited: '当年退出', tekun_confirmed: '当年确认的特困人员' };
/** "3/25" → "12%" (the sampler's exact ratios). */
const ratioPercent = (rate) => {
  const [n, d] = String(rate || '').split('/').map(Number);
  return n >= 0 && d > 0 ? `${Math.round((n / d) * 10000) / 100}%` : '';
};
const lines = (text) => String(text || '').split(/\n|；|;/).map((s) => s.trim()).filter(Boolean);
const fenOf = (yuanText) => Math.round(Number(String(yuanText).trim()) * 100);

/** Overdue / due soon as the server classifies it (working days from the policy's reminders); a step the deadline
 * list does not carry is still overdue after its due day. */
function dueBadge(step, todayIso, urgency) {
  const u = urgency || (step.due < todayIso ? 'overdue' : 'on_time');
  if (u === 'overdue') return h('span', { class: 'badge bad' }, '已逾期');
  if (u === 'due_soon') return h('span', { class: 'badge warn' }, '即将到期');
  return h('span', { class: 'badge ok' }, '未到期');
}

function responsibleLine() {
  const u = store.user;
  const role = u.roles.find((r) => r !== 'admin') || u.roles[0];
  return h('p', { class: 'responsible', 'data-testid': 'responsible' }, `将记录责任人：${u.display_name}（${ROLE_LABELS[role] || role}）`);
}

/** The fields a dialog asks for, and how they become the action's body. */
function actionFields(kind, wf, investigators) {
  const text = (name, label, attrs = {}) => h('label', {}, label, h('textarea', { name, rows: 3, ...attrs }));
  const input = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, ...attrs }));
  const sug = wf.gap_suggestion;
  switch (kind) {
    case 'notice_missing': {
      // The materials a single-household file holds (seed 五), ticked; anything else one per line.
      const list = h('fieldset', {}, h('legend', {}, '需补正的材料（一次性告知全部）'),
        (wf.application_materials || []).map((m) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'item', value: m }), m)));
      return {
        fields: [list, text('items', '其他需补正的材料（每行一项）')],
        body: (d) => ({ items: [...d.getAll('item').map(String), ...lines(d.get('items'))] }),
      };
    }
    case 'start_investigation':
    case 'record_home_visit': {
      const pick = h('fieldset', {}, h('legend', {}, '调查人员（至少两人）'),
        investigators.map((u) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'inv', value: u.id }), u.display_name)));
      const extra = kind === 'record_home_visit'
        ? [input('visited_on', '入户日期', { type: 'date', value: today() }), h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'family_signed', checked: true }), '家庭成员已签字')]
        : [];
      return {
        fields: [pick, ...extra],
        body: (d) => (kind === 'start_investigation'
          ? { investigators: d.getAll('inv').map(String) }
          : { investigators: d.getAll('inv').map(String), visited_on: String(d.get('visited_on') || ''), family_signed: d.get('family_signed') === 'on' }),
      };
    }
    case 'record_neighbour_visit':
      return { fields: [text('summary', '走访情况')], body: (d) => ({ summary: String(d.get('summary') || '') }) };
    case 'record_information_check':
      return { fields: [text('summary', '核对结果')], body: (d) => ({ summary: String(d.get('summary') || '') }) };
    case 'submit_initial_opinion':
      return {
        fields: [
          h('label', {}, '初审意见', h('select', { name: 'recommendation' }, h('option', { value: 'approve' }, '拟给予救助'), h('option', { value: 'refuse' }, '拟不予救助'))),
          input('amount', '拟救助金额（元/月）', { type: 'number', step: '0.01', min: '0', value: sug ? (sug.suggested_fen / 100).toFixed(2) : '' }),
          text('reasons', '理由（每行一项）'),
        ],
        body: (d) => {
          const rec = String(d.get('recommendation'));
          const amount = String(d.get('amount') || '').trim();
          return { recommendation: rec, amount_fen: rec === 'approve' && amount ? fenOf(amount) : null, reasons: lines(d.get('reasons')) };
        },
      };
    case 'record_objection':
      return { fields: [text('summary', '异议内容')], body: (d) => ({ summary: String(d.get('summary') || '') }) };
    case 'resolve_objection':
      return {
        fields: [h('label', {}, '处理方式', h('select', { name: 'method' }, h('option', { value: 'reinvestigation' }, '重新调查核实'), h('option', { value: 'democratic_appraisal' }, '民主评议'))),
          text('finding', '处理结果')],
        body: (d) => ({ method: String(d.get('method')), finding: String(d.get('finding') || '') }),
      };
    case 'extend':
      return { fields: [text('reason', '延期原因')], body: (d) => ({ reason: String(d.get('reason') || '') }) };
    case 'confirm': {
      const suggested = sug ? (sug.suggested_fen / 100).toFixed(2) : '';
      const reason = h('label', { hidden: true }, '与建议金额不同的理由', h('textarea', { name: 'override_reason', rows: 2 }));
      const amount = h('input', {
        name: 'amount', type: 'number', step: '0.01', min: '0', value: suggested, 'data-testid': 'confirm-amount',
        oninput: () => { reason.hidden = !sug || amount.value === suggested; },
      });
      return {
        fields: [sug ? h('p', { class: 'muted' }, `补差建议：${yuan(sug.suggested_fen)}（${sug.explanation_zh}）`) : null,
          h('label', {}, '救助金额（元/月）', amount), reason],
        body: (d) => {
          const a = String(d.get('amount') || '').trim();
          const over = String(d.get('override_reason') || '').trim();
          return { amount_fen: a ? fenOf(a) : null, override_reason: over || null };
        },
      };
    }
    case 'refuse':
      return { fields: [text('reasons', '不予确认的理由（每行一项）')], body: (d) => ({ reasons: lines(d.get('reasons')) }) };
    case 'record_filing':
      return { fields: [text('remarks', '备注（可不填）')], body: (d) => ({ remarks: String(d.get('remarks') || '').trim() || null }) };
    case 'decide_escalation':
      return {
        fields: [
          h('label', {}, '复核决定', h('select', { name: 'outcome' }, h('option', { value: 'uphold' }, '维持原审核确认结果'),
            h('option', { value: 'approve' }, '区级决定给予救助'), h('option', { value: 'refuse' }, '区级决定不予救助'))),
          input('amount', '救助金额（元/月，给予救助时填写）', { type: 'number', step: '0.01', min: '0' }),
          text('reasons', '决定的理由'),
        ],
        body: (d) => {
          const o = String(d.get('outcome'));
          const reasons = String(d.get('reasons') || '');
          const amount = String(d.get('amount') || '').trim();
          const outcome = o === 'approve' ? { outcome: o, amount_fen: amount ? fenOf(amount) : null }
            : o === 'refuse' ? { outcome: o, reasons: lines(reasons) } : { outcome: o };
          return { outcome, reasons };
        },
      };
    case 'escalate':
      return { fields: [text('reason', '提级复核的理由')], body: (d) => ({ reason: String(d.get('reason') || '') }) };
    case 'grant_emergency_aid':
      return {
        fields: [h('p', { class: 'muted' }, '急难情形先行救助：先救助，后在规定期限内补齐审核手续。'),
          input('amount', '救助金额（元）', { type: 'number', step: '0.01', min: '0' }), text('reason', '急难情形（先行救助事由）')],
        body: (d) => ({ amount_fen: fenOf(d.get('amount') || '0'), reason: String(d.get('reason') || '') }),
      };
    case 'complete_emergency_record':
      return {
        fields: [text('summary', '补齐的手续（救助对象、事由、金额等）'),
          h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'staff_signed' }), '经办人员已签字'),
          h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'sealed' }), '已加盖公章')],
        body: (d) => ({ summary: String(d.get('summary') || ''), staff_signed: d.get('staff_signed') === 'on', sealed: d.get('sealed') === 'on' }),
      };
    case 'record_review_outcome': {
      const p = wf.review_proposal;
      const o = p && p.outcome;
      const choice = h('select', { name: 'outcome', 'data-testid': 'review-outcome' },
        Object.entries(REVIEW_OUTCOMES).map(([k, v]) => h('option', { value: k, selected: o ? o.outcome === k : k === 'keep' }, v)));
      const amount = o && o.outcome === 'adjust' ? (o.amount_fen / 100).toFixed(2) : '';
      const reason = o && o.outcome === 'adjust' ? o.reason : o && o.outcome === 'stop' ? o.reasons.join('\n') : (p && p.reason) || '';
      return {
        fields: [
          p ? h('div', { class: 'notice', 'data-testid': 'review-proposal' },
            h('strong', {}, `核查意见：${p.recommendation_zh}`),
            h('p', {}, p.reason ? `理由：${p.reason}` : ''),
            p.current_fen != null ? h('p', {}, `现发金额：${yuan(p.current_fen)}/月`) : null,
            h('p', { class: 'muted' }, p.note_zh, '（已按核查表预填，请核实后确认）'))
            : h('p', { class: 'muted' }, '定期核查入户尚未同步，请核实后填写。'),
          h('label', {}, '核查结论', choice),
          input('amount', '调整后的金额（元/月，调整时填写）', { type: 'number', step: '0.01', min: '0', value: amount }),
          h('label', {}, '调整或停发的理由（停发可每行一项）', h('textarea', { name: 'reason', rows: 3 }, reason)),
          h('label', {}, '下次核查周期', h('select', { name: 'cadence' },
            Object.entries(CADENCES).map(([k, v]) => h('option', { value: k, selected: (p ? p.cadence : wf.state.review_cadence) === k }, v)))),
        ],
        body: (d) => {
          const kind = String(d.get('outcome'));
          const why = String(d.get('reason') || '');
          const outcome = kind === 'adjust' ? { outcome: kind, amount_fen: fenOf(d.get('amount') || '0'), reason: why }
            : kind === 'stop' ? { outcome: kind, reasons: lines(why) } : { outcome: kind };
          return { outcome, cadence: String(d.get('cadence')) };
        },
      };
    }
    case 'record_complaint':
      return {
        fields: [input('received_on', '收到日期', { type: 'date', value: today() }),
          h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'real_name' }), '实名举报（须向举报人反馈核查处理结果）'),
          input('reporter_name', '举报人姓名（实名时填写）', { autocomplete: 'off' }), text('summary', '举报、反映的内容')],
        body: (d) => ({
          received_on: String(d.get('received_on') || '') || null, real_name: d.get('real_name') === 'on',
          reporter_name: String(d.get('reporter_name') || '').trim() || null, summary: String(d.get('summary') || ''),
        }),
      };
    case 'give_complaint_feedback':
      return {
        fields: [h('label', {}, '举报', h('select', { name: 'complaint' }, openComplaints(wf).map((c) => h('option', { value: String(c.index) }, `${c.received_on}：${c.summary}`)))),
          text('feedback', '向举报人反馈的核查处理结果')],
        body: (d) => ({ complaint: Number(d.get('complaint')), feedback: String(d.get('feedback') || '') }),
      };
    case 'record_district_visit':
      return {
        fields: [input('visited_on', '入户核查日期', { type: 'date', value: today() }), text('finding', '入户核查情况')],
        body: (d) => ({ visited_on: String(d.get('visited_on') || ''), finding: String(d.get('finding') || '') }),
      };
    default:
      return { fields: [], body: () => ({}) };
  }
}

function actionDialog(wf, kind, investigators, caseId) {
  const err = dialogError();
  const { fields, body } = actionFields(kind, wf, investigators);
  const form = h('form', {
    'data-testid': 'action-' + kind,
    onsubmit: async (ev) => {
      ev.preventDefault();
      const endpoint = WF_ENDPOINTS[kind];
      const payload = endpoint ? body(new FormData(form)) : { action: kind, ...body(new FormData(form)) };
      const done = await attempt(() => post(`/api/v1/cases/${encodeURIComponent(caseId)}/${endpoint || 'actions'}`, payload), err);
      if (done) {
        dlg.close();
        flash(`已办理“${WF_LABELS[kind]}”，案件现为“${done.stage_label}”；责任人：${done.transition.responsible.name}`, true);
        route();
      }
    },
  }, h('h2', {}, WF_LABELS[kind]), responsibleLine(), fields, err,
  h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => dlg.close() }, '返回'), h('button', { class: 'primary' }, '确认办理')));
  const dlg = dialog(form);
}

function eligibilityBlock(e) {
  if (!e) return null;
  const cls = { dibao: 'ok', bianyuan: 'warn', tekun: 'ok', not_eligible: 'bad' }[e.outcome] || '';
  return h('div', { class: 'eligibility', 'data-testid': 'eligibility' },
    h('h3', {}, '资格预审 ', h('span', { class: 'badge ' + cls }, OUTCOME_LABELS[e.outcome] || e.outcome)),
    e.per_capita_income_fen != null ? h('p', {}, `家庭月人均收入：${yuan(e.per_capita_income_fen)}`) : null,
    h('ul', {}, e.findings.map((f) => h('li', {},
      h('span', { class: 'badge ' + (f.met === true ? 'ok' : f.met === false ? 'bad' : '') }, f.met === true ? '符合' : f.met === false ? '不符合' : '未核'), ' ', f.explanation))),
    h('p', { class: 'note', 'data-testid': 'eligibility-note' }, e.note));
}

/** The workflow panel of the case page. */
async function workflowPanel(caseId) {
  const isDistrict = store.user.roles.includes('district_supervisor');
  const [wf, notices, deadlines, revisit] = await Promise.all([
    get(`/api/v1/cases/${encodeURIComponent(caseId)}/workflow`),
    get(`/api/v1/cases/${encodeURIComponent(caseId)}/notices`).catch(() => null),
    get('/api/v1/deadlines').catch(() => ({ items: [] })),
    // Only the district compares; "no re-visit yet" is the usual answer.
    isDistrict ? get(`/api/v1/cases/${encodeURIComponent(caseId)}/revisit-comparison`).catch(() => null) : null,
  ]);
  const urgency = Object.fromEntries(deadlines.items.filter((i) => i.case_id === caseId).map((i) => [i.step.key, i.urgency]));
  const now = today();
  const roles = store.user.roles;
  const offered = [...(WF_BY_STAGE[wf.stage] || []), ...WF_ANY_STAGE]
    .filter((k) => (WF_ROLES[k] || []).some((r) => roles.includes(r)) && fitsCase(k, wf));
  let investigators = [];
  if (offered.some((k) => k === 'start_investigation' || k === 'record_home_visit')) investigators = await investigatorsWithLoad().catch(() => []);
  const sug = wf.gap_suggestion;
  const box = h('section', { class: 'workflow', 'data-testid': 'workflow' },
    h('h2', {}, '审核流程'),
    h('dl', { class: 'kv' },
      h('dt', {}, '当前阶段'), h('dd', { 'data-testid': 'wf-stage' }, wf.stage_label),
      h('dt', {}, '补差建议'), h('dd', { 'data-testid': 'gap' }, sug ? `${yuan(sug.suggested_fen)}/月：${sug.explanation_zh}` : '暂无（缺少家庭人数或收入，或非低保案件）'),
      wf.district_visit_outstanding ? [h('dt', {}, '提示'), h('dd', {}, h('span', { class: 'badge bad' }, '须由区级 100% 入户核查'))] : null),
    h('h3', {}, '待办事项及期限'),
    table(['事项', '起算日', '截止日期', '依据', '状态'], [
      ...wf.open_steps.map((s) => h('tr', { 'data-step': s.key },
        h('td', {}, s.label_zh), h('td', {}, s.from), h('td', {}, s.due, s.provisional ? provisionalMark() : null), h('td', { class: 'muted' }, s.rule_zh),
        h('td', {}, dueBadge(s, now, urgency[s.key])))),
      ...wf.undated_steps.map((s) => h('tr', { 'data-step': s.key },
        h('td', {}, s.label_zh), h('td', {}, s.from), h('td', {}, h('span', { class: 'badge warn' }, '截止日期待定')), h('td', { class: 'muted' }, s.rule_zh),
        h('td', { class: 'muted' }, s.reason_zh))),
    ], { 'data-testid': 'open-steps' }),
    wf.open_steps.some((s) => s.provisional) ? h('p', { class: 'muted', 'data-testid': 'provisional-note' }, PROVISIONAL_NOTE) : null,
    eligibilityBlock(wf.eligibility),
    (wf.state.complaints || []).length ? [h('h3', {}, '举报、反映'),
      table(['收到日期', '内容', '实名', '反馈'], wf.state.complaints.map((c) => h('tr', {}, h('td', {}, c.received_on), h('td', {}, c.summary),
        h('td', {}, c.real_name ? '是' : '否'), h('td', {}, c.feedback_on ? `${c.feedback_on}：${c.feedback}` : c.real_name ? h('span', { class: 'badge warn' }, '待反馈') : '—'))),
      { 'data-testid': 'complaints' })] : null,
    wf.near_relatives.length ? [h('h3', {}, '近亲属备案（须回避）'),
      table(['家庭成员', '身份证号', '关系'], wf.near_relatives.map((r) => h('tr', {}, h('td', {}, r.member_name), h('td', {}, r.member_resident_id_masked),
        h('td', {}, RELATION_LABELS[r.relation] || r.relation))), { 'data-testid': 'near-relatives' })] : null,
    h('div', { class: 'actions', 'data-testid': 'wf-actions' },
      offered.length ? offered.map((k) => h('button', { class: k === 'refuse' || k === 'escalate' ? 'danger' : 'primary', 'data-action': k,
        onclick: () => actionDialog(wf, k, investigators, caseId) }, WF_LABELS[k]))
        : h('p', { class: 'muted' }, '当前阶段没有您可以办理的事项。')));
  if (revisit) box.append(h('h3', {}, '区级抽查复核比对'), ...revisitComparison(revisit));
  if (notices && (notices.publicity || notices.refusal_text || notices.adjustment_or_stop_text)) {
    box.append(h('h3', {}, '告知与公示'));
    if (notices.publicity) {
      const p = notices.publicity;
      box.append(h('div', { class: 'notice', 'data-testid': 'publicity-notice' }, h('strong', {}, p.title), h('p', { class: 'muted' }, `${p.place}，${p.from} 至 ${p.to}`),
        h('pre', {}, p.text_zh)));
    }
    if (notices.refusal_text) box.append(h('div', { class: 'notice', 'data-testid': 'refusal-notice' }, h('pre', {}, notices.refusal_text)));
    if (notices.adjustment_or_stop_text) box.append(h('div', { class: 'notice' }, h('pre', {}, notices.adjustment_or_stop_text)));
  }
  return box;
}

// A due date computed without the year's official holiday schedule (not loaded yet): weekends and statutory holidays.
const PROVISIONAL_NOTE = '标“暂定”的截止日期所在年份的法定节假日安排尚未导入，系按周末和法定节假日推算（未计调休），导入后自动重新计算。';
function provisionalMark() {
  return h('span', { class: 'badge warn', title: PROVISIONAL_NOTE, 'data-provisional': '1' }, '暂定');
}

// ---------- the 审核流程 page: deadlines, district supervision, near relatives ----------

async function pageWorkflow(main) {
  const isDistrict = hasRole(['district_supervisor']);
  const [deadlines, org] = await Promise.all([get('/api/v1/deadlines'), orgNames()]);
  const parts = [h('h1', {}, '审核流程'), h('h2', {}, '办理期限（逾期与即将到期）'),
    h('p', { class: 'muted' }, `今天：${deadlines.today}；剩余不超过 ${deadlines.due_soon_working_days} 个工作日为“即将到期”。${isDistrict ? '区级可查看全部乡镇。' : ''}`)];
  const items = deadlines.items.filter((i) => i.urgency !== 'on_time');
  const byTownship = {};
  for (const i of items) (byTownship[i.township_code] ||= []).push(i);
  if (!items.length) parts.push(h('p', { class: 'muted', 'data-testid': 'deadlines-empty' }, '没有逾期或即将到期的事项。'));
  for (const [code, list] of Object.entries(byTownship)) {
    parts.push(h('h3', {}, org.names[code] || code),
      table(['案件', '阶段', '事项', '截止日期', '状态'], list.map((i) => h('tr', {},
        h('td', {}, h('a', { href: '#/cases/' + i.case_id }, i.case_no)), h('td', {}, i.stage_label), h('td', {}, i.step.label_zh),
        h('td', {}, i.step.due, i.step.provisional ? provisionalMark() : null),
        h('td', {}, h('span', { class: 'badge ' + (i.urgency === 'overdue' ? 'bad' : 'warn') }, i.urgency_label)))), { 'data-testid': 'deadlines-' + code }));
  }
  if (items.some((i) => i.step.provisional)) parts.push(h('p', { class: 'muted' }, PROVISIONAL_NOTE));
  if (deadlines.problems.length) {
    parts.push(h('h3', {}, '截止日期待定的事项'), table(['案件', '事项', '原因'], deadlines.problems.map((p) => h('tr', {},
      h('td', {}, h('a', { href: '#/cases/' + p.case_id }, p.case_no)), h('td', {}, p.step.label_zh), h('td', {}, p.message))), { 'data-testid': 'deadline-problems' }));
  }
  if (isDistrict) parts.push(...(await districtSections(org)));
  parts.push(...(await nearRelativeSection()));
  fill(main, ...parts);
}

async function districtSections(org) {
  const filings = await get('/api/v1/filings?status=pending');
  const out = [h('h2', {}, '待备案的决定'),
    table(['案件', '乡镇', '决定', '决定人', '决定日期', '操作'], filings.map((f) => h('tr', {},
      h('td', {}, h('a', { href: '#/cases/' + f.case_id }, f.case_no)), h('td', {}, org.names[f.township_code] || f.township_code), h('td', {}, DECISION_LABELS[f.kind] || f.kind),
      h('td', {}, f.decided_by.display_name), h('td', {}, f.decided_on),
      h('td', {}, h('button', { onclick: () => actionDialog({}, 'record_filing', [], f.case_id) }, '备案')))), { 'data-testid': 'filings' })];
  const runBox = h('div', { 'data-testid': 'spot-check-result' });
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'spot-check-error' });
  const form = h('form', {
    class: 'inline', 'data-testid': 'spot-check',
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const d = new FormData(form);
      const seed = String(d.get('seed') || '').trim();
      const run = await attempt(() => post('/api/v1/spot-checks', { year: Number(d.get('year')), seed: seed || null }), err);
      if (run) fill(runBox, spotCheckRun(run, org));
    },
  }, h('label', {}, '年度', h('input', { name: 'year', type: 'number', value: new Date().getFullYear() })),
  h('label', {}, '随机种子（可不填，由系统生成并记录）', h('input', { name: 'seed' })),
  h('button', { class: 'primary' }, '运行年度抽查'), err);
  out.push(h('h2', {}, '年度抽查'), form, runBox, h('h2', {}, '复查结果比对'), revisitComparisonForm());
  return out;
}

function spotCheckRun(run, org) {
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'revisit-error' });
  const due = h('input', { name: 'due', type: 'date', value: today() });
  return h('div', {},
    h('dl', { class: 'kv' },
      h('dt', {}, '年度'), h('dd', {}, String(run.year)),
      h('dt', {}, '随机种子'), h('dd', { 'data-testid': 'seed' }, run.seed),
      h('dt', {}, '抽查比例'), h('dd', {}, run.rate),
      h('dt', {}, '取整规则'), h('dd', { 'data-testid': 'rounding' }, run.rounding_zh),
      run.revisit_error ? [h('dt', {}, '复查人员'), h('dd', { class: 'error' }, run.revisit_error)] : null),
    table(['乡镇', '组别', '比例', '总户数', '抽取户数'], run.strata.map((s) => h('tr', {}, h('td', {}, org.names[s.township_code] || s.township_code),
      h('td', {}, STRATUM_GROUPS[s.group] || s.group), h('td', {}, ratioPercent(s.rate)), h('td', {}, String(s.population)),
      h('td', {}, String(s.sample_size)))), { 'data-testid': 'strata' }),
    table(['乡镇', '家庭', '抽中原因'], run.households.map((x) => h('tr', {}, h('td', {}, org.names[x.township_code] || x.township_code),
      h('td', {}, h('a', { href: '#/households/' + x.household_id }, x.household_id.slice(0, 8))),
      h('td', {}, x.reasons.map((r) => (r.reason === 'random' ? `随机抽取（第 ${r.rank} 位）` : '100% 核查')).join('、')))), { 'data-testid': 'sample' }),
    h('form', {
      class: 'inline',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const done = await attempt(() => post(`/api/v1/spot-checks/${run.id}/revisits`, { due_date: due.value }), err);
        if (done) flash('已为抽中的家庭安排复查', true);
      },
    }, h('label', {}, '复查截止日期', due), h('button', {}, '安排复查'), err));
}

/** A merged re-visit beside the record it checked: who went, fact by fact, and the re-visit's verdict. */
function revisitComparison(c) {
  // Money facts are kept in fen; a fact the other side never recorded reads as such, not as a value.
  const shown = (key, v) => (v === null || v === undefined ? '（无记录）'
    : key.endsWith('_fen') && typeof v === 'number' ? yuan(v) : factValue(v));
  const row = (f) => h('tr', {}, h('td', {}, f.label_zh || f.key), h('td', {}, shown(f.key, f.original)), h('td', {}, shown(f.key, f.revisit)),
    h('td', {}, f.differs ? h('span', { class: 'badge bad' }, '不一致') : h('span', { class: 'badge ok' }, '一致')));
  return [h('p', {}, `复查人员：${people(c.revisited_by)}；原调查人员：${people(c.original_investigators)}；复查时间：${fmtTime(c.revisited_at)}`),
    table(['事项', '原记录', '复查结果', ''], (c.facts || []).map(row), { 'data-testid': 'revisit-facts' })];
}

function revisitComparisonForm() {
  const out = h('div', { 'data-testid': 'revisit-comparison' });
  const err = h('p', { class: 'error', role: 'alert' });
  const form = h('form', {
    class: 'inline',
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      const no = String(new FormData(form).get('case_no') || '').trim();
      const found = await attempt(() => get('/api/v1/cases?case_no=' + encodeURIComponent(no)), err);
      if (!found) return;
      if (!found.length) { err.textContent = `没有找到案件 ${no}（或不在您的管辖范围内）`; return; }
      const c = await attempt(() => get(`/api/v1/cases/${encodeURIComponent(found[0].id)}/revisit-comparison`), err);
      if (c) fill(out, h('p', {}, h('a', { href: '#/cases/' + found[0].id }, found[0].case_no), ' ', found[0].head_name), revisitComparison(c));
    },
  }, h('label', {}, '案件编号', h('input', { name: 'case_no', placeholder: '例如 QY-2026-000001' })), h('button', {}, '查看比对'), err);
  return [form, out];
}

async function nearRelativeSection() {
  const list = await get('/api/v1/near-relatives');
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'relative-error' });
  const form = h('form', {
    class: 'inline', 'data-testid': 'near-relative-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const d = new FormData(form);
      const done = await attempt(() => post('/api/v1/near-relatives', { relative_resident_id: String(d.get('rid') || '').trim(), relation: String(d.get('relation')) }), err);
      if (done) { flash('已登记近亲属备案', true); route(); }
    },
  }, h('label', {}, '近亲属身份证号', h('input', { name: 'rid', autocomplete: 'off' })),
  h('label', {}, '关系', h('select', { name: 'relation' }, Object.entries(RELATION_LABELS).map(([k, v]) => h('option', { value: k }, v)))),
  h('button', { class: 'primary' }, '登记本人近亲属'), err);
  return [h('h2', {}, '近亲属备案'),
    h('p', { class: 'muted' }, '工作人员及村（居）委会成员的近亲属申请救助时须回避；列表中的身份证号已隐去部分数字。'),
    table(['备案人', '近亲属身份证号', '关系', '备案时间'], list.map((x) => h('tr', {}, h('td', {}, x.declarant.display_name),
      h('td', {}, x.relative_resident_id_masked), h('td', {}, x.relation_label), h('td', {}, fmtTime(x.declared_at)))), { 'data-testid': 'near-relatives-list' }),
    form];
}
