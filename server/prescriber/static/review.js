"use strict";
// The reviewing pharmacist's page: every value shown is set as text (never as HTML); the centre decides.

function say(text, tone) {
  const m = $("message");
  m.textContent = text; m.className = tone === "bad" ? "error" : "ok";
}

async function me() {
  const [, d] = await api("me");
  $("who").textContent = `${d.doctor}（${d.institution_name || d.institution}）`;
}

async function loadQueue() {
  const [, d] = await api("review/queue");
  if (!d.ok) { say(d.err_msg || d.detail, "bad"); return; }
  $("queue-note").textContent = d.items.length ? `${d.items.length} 张待审` : "没有待审处方 / nothing to review";
  $("queue").tBodies[0].replaceChildren(...d.items.map((it) => {
    const reason = el("input", {size: "18", placeholder: "退回理由 reason", "data-reason": it.hi_rxno});
    const ok = el("button", {class: "primary", "data-approve": it.hi_rxno}, "通过 approve");
    const back = el("button", {"data-return": it.hi_rxno}, "退回 return");
    ok.onclick = () => decide(it.hi_rxno, "approve", "");
    back.onclick = () => decide(it.hi_rxno, "return", reason.value);
    const drugs = it.drugs.map((x) => el("div", {}, `${x.drug_name || x.medins_list_codg} ×${x.cnt}　${x.prd_days || ""}天　` +
                                         `${x.sin_dos_dscr || ""} ${x.used_frqu_dscr || ""}`));
    return el("tr", {"data-rx": it.hi_rxno, class: it.overdue ? "overdue" : ""},
      el("td", {}, el("b", {}, it.hi_rxno), el("br"), it.fixmedins_name || it.fixmedins_code, el("br"),
         el("span", {class: "muted"}, `医师 ${it.prsc_dr_name}`)),
      el("td", {}, it.psn_no, el("br"), [...new Set([it.dise_codg, ...(it.diag_codes || [])].filter(Boolean))].join(" ")),
      el("td", {}, ...drugs),
      el("td", {}, it.lifestyle || "—"),
      el("td", {}, it.deadline, it.overdue ? el("div", {class: "error"}, "已超时 overdue") : ""),
      el("td", {}, ok, " ", reason, " ", back));
  }));
}

async function decide(rx, decision, reason) {
  const [, d] = await api("review/decide", {method: "POST", headers: {"content-type": "application/json"},
                                            body: JSON.stringify({hi_rxno: rx, decision, reason})});
  if (!d.ok) { say(`${rx}：${d.err_msg}`, "bad"); return; }
  say(decision === "approve" ? `${rx} 已通过，处方开始流转 / approved: circulating`
                             : `${rx} 已退回诊所：${d.review.reason} / returned to the clinic`, "ok");
  await loadQueue();
  await loadRate();
}

async function loadRate() {
  const q = `since=${encodeURIComponent($("since").value)}&until=${encodeURIComponent($("until").value)}`;
  const [, d] = await api("review/rate?" + q);
  if (!d.ok) { say(d.err_msg, "bad"); return; }
  $("rate").tBodies[0].replaceChildren(...d.clinics.map((c) => el("tr", {"data-clinic": c.fixmedins_code},
    el("td", {}, c.fixmedins_name || c.fixmedins_code), el("td", {}, c.reviewed), el("td", {}, c.approved),
    el("td", {}, c.returned), el("td", {}, c.pending), el("td", {}, c.pending_overdue), el("td", {}, c.decided_late),
    el("td", {class: "rate"}, c.pass_rate === null ? "—" : `${c.pass_rate}%`))));
}

$("rate-go").onclick = loadRate;
me(); loadQueue(); loadRate();
