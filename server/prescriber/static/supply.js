"use strict";
// The supply list: every value shown is set as text (never as HTML); the centre computes it (2580).
const SOURCES = {followup: "随访", prescription: "处方"};
const STOCK = {centre: "库存取自本机构上报", request: "库存由请求给出", none: "本机构未上报库存：仅列需求"};

async function load() {
  const [, d] = await api("supply?days=" + encodeURIComponent($("days").value || "30"));
  if (!d.ok) { $("message").textContent = d.err_msg || d.detail; return; }
  $("message").textContent = "";
  $("title").textContent = `${d.month} 用药需求 / supply for ${d.days} days`;
  $("summary").textContent = `在管患者 ${d.patients} 人，其中有用药记录 ${d.patients_with_drugs} 人；${STOCK[d.stock_source] || d.stock_source}`;
  $("supply").tBodies[0].replaceChildren(...d.items.map((i) => el("tr", {"data-drug": i.drug_key},
    el("td", {}, i.drug_name), el("td", {}, i.spec), el("td", {}, i.patients), el("td", {}, i.demand_packs),
    el("td", {}, i.stock_packs ?? "—"), el("td", {class: "suggest"}, el("b", {}, i.suggest_packs)),
    el("td", {}, i.sources.map((s) => SOURCES[s] || s).join("、") + (i.assumed_doses ? `（${i.assumed_doses} 条剂量未能识别，按每日1单位估）` : "")))));
}

async function me() {
  const r = await fetch("/prescriber/api/me", {credentials: "same-origin"});
  if (r.status !== 200) return;
  const d = await r.json();
  $("who").textContent = `${d.doctor}（${d.institution_name || d.institution}）`;
}

$("go").onclick = load;
me(); load();
