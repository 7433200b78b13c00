"""Server-rendered pages: login and the drill-downs (institution, person, drug). Plain HTML on the big screen's
dark style, every value escaped; charts only on the big screen itself (static/index.html)."""
from __future__ import annotations

from html import escape

HEAD = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<link rel="stylesheet" href="/supervision/static/screen.css"></head><body class="page">"""


def page(title: str, body: str, *, viewer: str = "") -> str:
    nav = ('<nav><a href="/supervision/">← 监管大屏 big screen</a>'
           + (f'<span class="who">{escape(viewer)}</span>' if viewer else "")
           + ('<form method="post" action="/supervision/logout"><button>退出 log out</button></form>' if viewer else "")
           + "</nav>")
    return HEAD.format(title=escape(title)) + nav + f"<h1>{escape(title)}</h1>" + body + "</body></html>"


def login_form(error: str = "", institution: str = "", user: str = "") -> str:
    err = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return HEAD.format(title="智慧监管 登录 / supervision login") + f"""
<main class="login"><h1>门诊慢特病智能监管平台<br><small>Chronic-disease supervision — log in</small></h1>{err}
<form method="post" action="/supervision/login">
<label>机构编码 institution <input name="institution" id="institution" value="{escape(institution)}" required></label>
<label>用户名 user <input name="user" id="user" value="{escape(user)}" required></label>
<label>密码 password <input name="password" id="password" type="password" required></label>
<button type="submit" id="login">登录 log in</button></form></main></body></html>"""


def table(header: list[str], rows: list[list], *, cls: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body or ""}</tbody></table>' + (
        "" if rows else '<p class="empty">暂无数据 no data</p>')


def a(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(str(text))}</a>'


def e(value) -> str:
    return escape(str(value))


def alerts_table(alerts: list[dict]) -> str:
    return table(["规则 rule", "级别 severity", "时间 at", "内容 detail", "状态 status"],
                 [[e(x["rule"]), f'<span class="sev-{e(x["severity"])}">{e(x["severity"])}</span>', e(x["at"]),
                   a(x["link"], x["title_zh"]) + f'<br><small>{e(x["title_en"])}</small>',
                   e(x["status"]) + (f' → {e(x["assignee"])}' if x["assignee"] else "")] for x in alerts])


def alert_list(alerts: list[dict], viewer: str, status: str | None, error: str = "") -> str:
    tabs = " · ".join(a(f"/supervision/alerts{'?status=' + s if s else ''}", label)
                      for s, label in (("", "全部 all"), ("open", "待处理 open"), ("assigned", "已分派 assigned"),
                                       ("acknowledged", "已确认 acknowledged")))
    rows = []
    for x in alerts:
        form = (f'<form method="post" action="/supervision/alerts/{x["id"]}" class="act">'
                f'<input name="assignee" placeholder="处理人 assignee" value="{e(x["assignee"])}">'
                f'<input name="note" placeholder="备注 note">'
                '<button name="action" value="assign">分派 assign</button>'
                '<button name="action" value="acknowledge">确认 acknowledge</button></form>')
        rows.append([e(x["id"]), e(x["rule"]), f'<span class="sev-{e(x["severity"])}">{e(x["severity"])}</span>',
                     e(x["at"]), a(x["link"], x["title_zh"]) + f'<br><small>{e(x["title_en"])}</small>',
                     e(x["status"]) + (f' → {e(x["assignee"])}' if x["assignee"] else "")
                     + (f'<br><small>{e(x["handled_by"])}</small>' if x["handled_by"] else ""), form])
    err = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    body = (f"<p>{tabs} · 导出 export {a('/supervision/export/alerts.xlsx', 'alerts.xlsx')} "
            f"{a('/supervision/export/alerts.csv', 'alerts.csv')}</p>{err}"
            + table(["编号 id", "规则 rule", "级别 severity", "时间 at", "内容 detail", "状态 status", "处理 handle"], rows))
    return page("预警处理 alerts" + (f" · {status}" if status else ""), body, viewer=viewer)


def institution(d: dict, viewer: str) -> str:
    body = (f'<p class="facts">{e(d["code"])} · {e(d["kind"])} · {e(d["level"])} · 统筹区 area {e(d["area"])}</p>'
            "<h2>近30天 last 30 days</h2>"
            + table(["日期 day", "服务人次 services", "结算 settlements", "基金 fund", "个人 personal"],
                    [[e(x["day"]), e(x["services"]), e(x["settlements"]), e(f'{x["fund"]:.2f}'),
                      e(f'{x["personal"]:.2f}')] for x in d["days"]])
            + "<h2>本月药品 top drugs this month</h2>"
            + table(["药品 drug", "盒数 boxes", "有码盒数 coded", "供药天数 supply days"],
                    [[a(f'/supervision/drug/{x["key"]}', x["name"]), e(x["boxes"]), e(x["coded_boxes"]),
                      e(x["supply_days"])] for x in d["drugs"]])
            + "<h2>库存（机构上报） stock as reported</h2>"
            + (table(["药品 drug", "批次 batch", "生产批号 lot", "有效期至 expires", "在库盒数 boxes", "更新 updated"],
                     [[a(f'/supervision/drug/{x["key"]}', x["name"]), e(x["batch"]), e(x["lot"]), e(x["expires"]),
                       e(f'{x["boxes"]:g}'), e(x["updated"])] for x in d["stock"]])
               if d["stock"] else '<p class="facts">未上报库存 / no stock uploaded (3501–3504)</p>')
            + "<h2>预警 alerts</h2>" + alerts_table(d["alerts"]))
    return page(f'机构 {d["name"]}', body, viewer=viewer)


def person(d: dict, viewer: str) -> str:
    body = (f'<p class="facts">参保人 person {e(d["person_no"])} · {e(d["name"])} · 证件号 ID {e(d["id_masked"])} · '
            f'{e(d["birth_year"] or "")} · {e(d["status"])}</p>'
            '<p class="note">本次查看已记入日志 / this view is recorded in the journal</p>'
            "<h2>结算 settlements</h2>"
            + table(["结算号 setl_id", "时间 at", "机构 institution", "险种 scheme", "总额 total", "基金 fund",
                     "个人 personal", "冲正 reversed"],
                    [[e(s["setl_id"]), e(f'{s["date"]} {s["time"]}'), a(f'/supervision/institution/{s["facility"]}',
                                                                       s["facility"]),
                      e(s["scheme"]), e(f'{s["total"]:.2f}'), e(f'{s["fund"]:.2f}'), e(f'{s["personal"]:.2f}'),
                      "是 yes" if s["reversed"] else ""] for s in d["settlements"]])
            + "<h2>供药时间线 supply timeline</h2>"
            + table(["时间 at", "机构 institution", "药品 drug", "盒数 boxes", "供药天数 days"],
                    [[e(x["at"]), e(x["facility"]), e(x["drug"]) + (" (已冲正 reversed)" if x["reversed"] else ""),
                      e(f'{x["boxes"]:g}'), e(x["supply_days"])] for x in d["supply"]])
            + "<h2>预警 alerts</h2>" + alerts_table(d["alerts"]))
    return page(f'参保人 {d["person_no"]}', body, viewer=viewer)


def drug(d: dict, viewer: str) -> str:
    body = (f'<p class="facts">{e(d["key"])} · {e(d["spec"])} · ATC {e(d["atc"])} {e(d["class"])}</p>'
            "<h2>本月调剂机构 where dispensed this month</h2>"
            + table(["机构 institution", "盒数 boxes", "有码盒数 coded", "处方行 lines"],
                    [[a(f'/supervision/institution/{x["code"]}', x["name"]), e(x["boxes"]), e(x["coded_boxes"]),
                      e(x["lines"])] for x in d["institutions"]])
            + "<h2>近30天发药 dispensed to (last 30 days)</h2>"
            + table(["时间 at", "机构 institution", "参保人 person", "盒数 boxes"],
                    [[e(x["at"]), e(x["facility"]), a(f'/supervision/person/{x["person_no"]}', x["person_no"]),
                      e(f'{x["boxes"]:g}')] for x in d["recent"]])
            + "<h2>预警 alerts</h2>" + alerts_table(d["alerts"]))
    return page(f'药品 {d["name"]}', body, viewer=viewer)
