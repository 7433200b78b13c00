"""The prescriber form's server-side pieces: the login page and the catalogue search (by name, code or pinyin
initials, core.store.pinyin — the pharmacy desk's keys)."""
from __future__ import annotations

from html import escape
from typing import Iterable

from core.domain import Drug
from core.store.pinyin import normalise, pinyin_keys

HEAD = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<link rel="stylesheet" href="/prescriber/static/form.css"></head><body>"""
MAX_HITS = 20


def login_form(error: str = "", institution: str = "", user: str = "") -> str:
    err = f'<p class="error" role="alert" id="error">{escape(error)}</p>' if error else ""
    return HEAD.format(title="电子处方开具 登录 / prescriber login") + f"""
<main class="login"><h1>电子处方开具<br><small>E-prescription — doctor's log in</small></h1>{err}
<form method="post" action="/prescriber/login">
<label>机构编码 institution <input name="institution" id="institution" value="{escape(institution)}" required></label>
<label>用户名 user <input name="user" id="user" value="{escape(user)}" required></label>
<label>密码 password <input name="password" id="password" type="password" required></label>
<button type="submit" id="login">登录 log in</button></form></main></body></html>"""


def search_drugs(drugs: Iterable[Drug], query: str) -> list[dict]:
    q = normalise(query.strip())
    if not q:
        return []
    hits = []
    for d in drugs:
        keys = pinyin_keys(d.name)
        if (q in normalise(d.name) or q == d.key.lower() or (d.nhsa_code and q == d.nhsa_code.lower())
                or any(i.startswith(q) for i in keys.initials) or keys.full.startswith(q)):
            hits.append({"key": d.key, "name": d.name, "spec": d.spec, "pack_size": d.pack_size, "unit": d.unit,
                         "pack_unit": d.pack_unit, "strength_unit": d.strength_unit, "category": d.category,
                         "in_catalogue": d.in_catalogue})
        if len(hits) >= MAX_HITS:
            break
    return hits
