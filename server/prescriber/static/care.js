"use strict";
// The doctor's 随访 page: every value shown is set as text (never as HTML); the centre checks every value.
let patient = null;
const NUMBERS = ["sbp", "dbp", "fpg", "rpg", "hba1c", "weight_kg", "height_cm"];
const TEXTS = ["visit_date", "place", "smoking", "adherence", "adverse", "assessment", "next_visit", "referral"];

function say(text, tone) {
  $("message").textContent = text; $("message").className = tone === "bad" ? "error" : "ok";
}

async function me() {
  const [, d] = await api("me");
  $("who").textContent = `${d.doctor}（${d.institution_name || d.institution}）`;
}

async function loadTimeline() {
  if (!patient) return;
  const [, d] = await api("care/timeline?psn=" + encodeURIComponent(patient.psn_no));
  if (!d.ok) { say(d.err_msg, "bad"); return; }
  const c = d.contract, s = d.schedule;
  $("contract").textContent = c ? `签约中：${c.team} ${c.doctor_name}（${c.sign_date} 起）` : "未签约 / no contract";
  $("schedule").textContent = `今年已随访 ${s.visits_this_year} 次（全年不少于 ${s.required_per_year} 次，本季度末应达 ` +
    `${s.expected_by_quarter_end} 次） · 下次随访 ${s.next_due} · ${s.status_name}`;
  $("schedule").className = s.status === "ok" ? "ok" : "error";
  $("timeline").tBodies[0].replaceChildren(...d.events.map((e) => el("tr", {"data-kind": e.kind},
    el("td", {}, e.date), el("td", {}, e.kind_name), el("td", {}, e.where), el("td", {}, e.summary))));
}

$("find").onclick = async () => {
  say("", "");
  const [status, d] = await api("person?q=" + encodeURIComponent($("certno").value.trim()));
  if (status !== 200) { patient = null; $("patient").textContent = ""; say(d.error, "bad"); return; }
  patient = d;
  $("patient").textContent = `${d.name}　${d.gend === "2" ? "女" : "男"}　${d.age}岁　${d.psn_no}`;
  await loadTimeline();
};

$("sign").onclick = async () => {
  if (!patient) { say("请先查找患者 / find the patient first", "bad"); return; }
  const [, d] = await post("care/sign", {psn_no: patient.psn_no, team: $("team").value, tel: $("tel").value,
                                        sign_date: $("sign_date").value});
  if (!d.ok) { say(d.err_msg, "bad"); return; }
  say(`已签约：${d.contract.team} ${d.contract.doctor_name}`, "ok");
  await loadTimeline();
};

$("end").onclick = async () => {
  if (!patient) { say("请先查找患者 / find the patient first", "bad"); return; }
  const [, d] = await post("care/end", {psn_no: patient.psn_no, end_date: new Date().toLocaleDateString("sv"),
                                       reason: $("end_reason").value});
  if (!d.ok) { say(d.err_msg, "bad"); return; }
  say("已解约", "ok");
  await loadTimeline();
};

$("save").onclick = async () => {
  if (!patient) { say("请先查找患者 / find the patient first", "bad"); return; }
  const body = {psn_no: patient.psn_no};
  for (const k of [...NUMBERS, ...TEXTS]) body[k] = $(k).value.trim();
  const [, d] = await post("care/visit", body);
  if (!d.ok) { say(d.err_msg, "bad"); return; }
  say(`随访已保存：${d.visit.visit_date}，今年第 ${d.schedule.visits_this_year} 次`, "ok");
  for (const k of NUMBERS) $(k).value = "";
  await loadTimeline();
};

me();
