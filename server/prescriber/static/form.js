"use strict";
// The prescriber form: every value shown is set as text (never as HTML), the centre's answer decides everything.
let patient = null, rxno = "", lines = [], lineIds = 0;
let library = {sections: {}, classes: []};  // the lifestyle prescription library (/api/lifestyle)

async function newRx() {
  const [, d] = await api("rxno");
  rxno = d.hosp_rxno; $("hosp_rxno").textContent = rxno;
  lines = []; drawLines(); $("result").replaceChildren(); $("print-sheet").replaceChildren();
  drawLifestyle();  // the template's own text again: edits belonged to the last prescription
}

// ---- the lifestyle half of a 双处方: a template of the library, each part editable ----
function template(id) {
  for (const c of library.classes) for (const t of c.templates) if (t.id === id) return t;
  return null;
}

async function loadLibrary() {
  const [status, d] = await api("lifestyle");
  if (status !== 200) return;
  library = d;
  $("lifestyle").replaceChildren(el("option", {value: ""}, "不附 none"), ...d.classes.map((c) =>
    Object.assign(el("optgroup", {}, ...c.templates.map((t) => el("option", {value: t.id}, t.title))), {label: c.name})));
}

function drawLifestyle() {
  const t = template($("lifestyle").value), box = $("ls-sections");
  if (!t) { box.replaceChildren(); return; }
  const area = (key, name, text) => {
    const a = el("textarea", {rows: "2", "data-section": key, "data-template": text});
    a.value = text;
    return el("label", {}, el("b", {}, name), el("br"), a);
  };
  box.replaceChildren(area("short", "要点（印于小票）short form", t.short),
    ...Object.entries(t.sections).map(([key, text]) => area(key, library.sections[key].zh, text.zh)));
}

function preselectLifestyle(registrations) {
  const codes = registrations.map((r) => String(r.code || "").toUpperCase());
  const cls = library.classes.find((c) => codes.some((code) => code === c.code || c.diseases.includes(code)));
  $("lifestyle").value = cls ? cls.templates[0].id : "";
  drawLifestyle();
}

function lifestyleOf() {
  const id = $("lifestyle").value;
  if (!id) return null;
  const out = {template_id: id, sections: {}};
  for (const a of document.querySelectorAll("#ls-sections textarea")) {
    if (a.value.trim() === a.dataset.template.trim()) continue;  // only what the doctor changed travels
    if (a.dataset.section === "short") out.short = a.value.trim(); else out.sections[a.dataset.section] = a.value;
  }
  return out;
}
$("lifestyle").onchange = drawLifestyle;

async function me() {
  const [, d] = await api("me");
  $("who").textContent = `${d.doctor}（${d.institution_name || d.institution}）`;
}

$("find").onclick = async () => {
  $("person-error").textContent = ""; $("patient").textContent = "";
  const [status, d] = await api("person?q=" + encodeURIComponent($("certno").value.trim()));
  if (status !== 200) { patient = null; $("person-error").textContent = d.error; return; }
  patient = d;
  const regs = d.registrations.map((r) => `${r.scheme === "MT" ? "慢特病" : "两病"}·${r.name}`).join("，") || "无备案";
  $("patient").textContent = `${d.name}　${d.gend === "2" ? "女" : "男"}　${d.age}岁　${d.psn_no}　备案：${regs}`;
  $("patient").dataset.psn = d.psn_no;
  preselectLifestyle(d.registrations);
};

let searchTimer = null;
$("drug-q").oninput = () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = $("drug-q").value.trim(), box = $("suggest");
    if (!q) { box.hidden = true; return; }
    const [, d] = await api("drugs?q=" + encodeURIComponent(q));
    box.replaceChildren(...d.drugs.map((x) => {
      const row = el("div", {"data-key": x.key}, `${x.name}　${x.spec || ""}　${x.pack_size}${x.unit}/${x.pack_unit}　${x.key}`);
      row.onclick = () => { addLine(x); box.hidden = true; box.replaceChildren(); $("drug-q").value = ""; };
      return row;
    }));
    box.hidden = d.drugs.length === 0;
  }, 150);
};

function addLine(drug) {
  const ln = {id: String(++lineIds), drug: drug.key, name: drug.name, spec: drug.spec || "", cnt: "1", days: "28", dose: "", freq: "qd", way: "口服", stock: "查询库存…"};
  lines.push(ln);
  drawLines();
  // the answer fills the line's stock note in place: redrawing the table would take the focus from a typing doctor
  const show = () => { const e = document.querySelector(`[data-stock-id="${ln.id}"]`); if (e) e.textContent = ln.stock; };
  api("stock?drug=" + encodeURIComponent(drug.key)).then(([status, d]) => {
    if (status !== 200) { ln.stock = ""; show(); return; }
    const fmt = (r) => `${r.fixmedins_name || r.fixmedins_code} ${r.inv_cnt}盒`;
    ln.stock = d.pharmacies.length ? "有货：" + d.pharmacies.map(fmt).join("，") : "暂无定点药店有货";
    if (!d.pharmacies.length && d.other_strengths.length)
      ln.stock += "；同通用名其他规格：" + d.other_strengths.map((r) => `${r.spec} ${fmt(r)}`).join("，");
    show();
  });
}

function drawLines() {
  const body = $("lines").tBodies[0];
  body.replaceChildren(...lines.map((ln, i) => {
    const input = (field, size) => {
      const e = el("input", {size: String(size), "data-field": field, "data-line": String(i + 1)});
      e.value = ln[field]; e.oninput = () => { ln[field] = e.value; };
      return el("td", {}, e);
    };
    const del = el("button", {}, "删除"); del.onclick = () => { lines.splice(i, 1); drawLines(); };
    return el("tr", {}, el("td", {}, i + 1),
              el("td", {}, ln.name, el("div", {class: "muted stock", "data-stock": ln.drug, "data-stock-id": ln.id}, ln.stock || "")),
              el("td", {}, ln.spec), input("cnt", 3),
              input("days", 3), input("dose", 8), input("freq", 8), input("way", 6), el("td", {}, del));
  }));
}

async function submit(ack) {
  const body = {
    hosp_rxno: rxno, psn_no: patient ? patient.psn_no : "", med_type: $("med_type").value, rx_type: $("rx_type").value,
    dise_codg: $("dise_codg").value.trim(), dise_name: $("dise_name").value.trim(), dept: $("dept").value.trim(),
    prsc_time: $("prsc_time").value, valid_days: Number($("valid_days").value || 3),
    lines: lines.map((l) => ({drug: l.drug, cnt: l.cnt, days: Number(l.days), dose: l.dose, freq: l.freq, way: l.way})),
    ack: ack || [],
    lifestyle: lifestyleOf(),
  };
  const [, d] = await api("upload", {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)});
  showResult(d);
}

function hitList(hits) {
  return el("ul", {class: "hits"}, ...hits.map((h) => el("li", {class: "hit", "data-rule": h.rule},
    el("span", {class: "rule"}, h.rule), ` ${h.rule_name}`, h.line ? `　第${h.line}行 ${h.drug_name}` : "",
    el("br"), `${h.zh}`, el("br"), el("span", {class: "muted"}, h.en))));
}

// The printed prescription (双处方): the drug lines and, under them, the lifestyle prescription as the doctor
// left it — what the patient takes home. Shown only when printing (form.css @media print).
function printSheet(d, t) {
  const sheet = $("print-sheet"), who = $("who").textContent;
  const rows = lines.map((l, i) => el("p", {}, `${i + 1}. ${l.name} ${l.spec}　${l.cnt}盒　${l.days}天　` +
                                               `${l.dose} ${l.freq} ${l.way}`));
  const life = [];
  if (t) {
    life.push(el("h2", {}, `生活方式处方：${t.title}`));
    for (const a of document.querySelectorAll("#ls-sections textarea")) {
      const name = a.dataset.section === "short" ? "要点" : library.sections[a.dataset.section].zh;
      life.push(el("p", {}, el("b", {}, `${name}：`), a.value.trim()));
    }
  }
  sheet.replaceChildren(el("h1", {}, "电子处方 / E-prescription"),
    el("p", {}, `开方：${who}　处方号 ${d.hi_rxno}　取药码 ${d.rx_trace_code}　有效期至 ${d.valid_end_date}`),
    d.rx_stas === "review" ? el("p", {}, el("b", {}, "待上级医院远程审方，审核通过后方可取药 / valid once the remote review approves it")) : "",
    el("p", {}, `患者：${$("patient").textContent}`),
    el("p", {}, `诊断：${$("dise_codg").value} ${$("dise_name").value}`),
    el("h2", {}, "药品 Rp"), ...rows, ...life);
}

function showResult(d) {
  const box = $("result");
  if (d.ok) {
    const pre = d.preaudit || {};
    const ack = pre.ack ? `　医生已确认警示 ${pre.ack.rules.join("、")}（${pre.ack.by} ${pre.ack.at}）` : "";
    // a clinic whose prescriptions the county hospital reviews (远程审方): held until a pharmacist approves it
    const held = d.rx_stas === "review";
    const t = template($("lifestyle").value);
    box.replaceChildren(el("div", {class: "verdict OK", id: "verdict", "data-verdict": pre.verdict || "PASS",
                                   "data-status": d.rx_stas || "uploaded"},
      el("h2", {}, held ? "处方已通过事前审核，待上级医院远程审方后流转 / held for remote review: circulates once approved"
                        : "处方已通过事前审核并流转 / circulating"),
      el("p", {}, `电子处方号 `, el("b", {id: "hi-rxno"}, d.hi_rxno), `　取药码 `, el("b", {id: "pickup"}, d.rx_trace_code),
         `　有效期至 ${d.valid_end_date}　审核结果 ${pre.verdict}${ack}`),
      t ? el("p", {id: "rx-lifestyle"}, `附生活方式处方：${t.title}`) : "",
      Object.assign(el("button", {id: "print"}, "打印处方（含生活方式处方）print"), {onclick: () => window.print()})));
    printSheet(d, t);
    return;
  }
  const pre = d.preaudit;
  if (pre && pre.verdict === "BLOCK") {
    const blocks = pre.hits.filter((h) => h.severity === "BLOCK");
    box.replaceChildren(el("div", {class: "verdict BLOCK", id: "verdict", "data-verdict": "BLOCK"},
      el("h2", {}, `事前审核未通过：处方不能流转（${blocks.length} 项禁止）/ blocked: not circulated`),
      el("p", {}, "请按以下原因修改处方后重新提交；药店看不到这张处方。"), hitList(pre.hits)));
    return;
  }
  if (pre && pre.unacknowledged) {
    const warn = pre.hits.filter((h) => pre.unacknowledged.includes(h.rule));
    const boxes = pre.unacknowledged.map((r) => el("label", {}, Object.assign(el("input", {type: "checkbox", "data-ack": r})), ` 已知晓 ${r}`));
    const go = el("button", {class: "primary", id: "ack-submit", disabled: ""}, "确认警示并开具 acknowledge and circulate");
    const check = () => { go.disabled = !boxes.every((b) => b.querySelector("input").checked); };
    boxes.forEach((b) => { b.querySelector("input").onchange = check; });
    go.onclick = () => submit(pre.unacknowledged);
    box.replaceChildren(el("div", {class: "verdict WARN", id: "verdict", "data-verdict": "WARN"},
      el("h2", {}, "事前审核警示：需医生逐项确认 / warnings to acknowledge"), hitList(warn), el("p", {}, ...boxes), go));
    return;
  }
  box.replaceChildren(el("div", {class: "verdict BLOCK", id: "verdict", "data-verdict": "REFUSED"},
    el("h2", {}, "处方未保存 / refused"), el("p", {id: "refusal"}, d.err_msg || "")));
}

$("submit").onclick = () => submit([]);
$("new").onclick = newRx;
me(); loadLibrary().then(newRx);
