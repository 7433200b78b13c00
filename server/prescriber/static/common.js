"use strict";
// Shared by every prescriber page (loaded before the page's own script): values are always set as text, never as
// HTML, and a lapsed login sends the browser back to the sign-in page instead of failing silently.
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (k === "class") e.className = v; else e.setAttribute(k, v); }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k ?? "")));
  return e;
}

async function api(path, opts) {
  const r = await fetch("/prescriber/api/" + path, Object.assign({credentials: "same-origin"}, opts || {}));
  if (r.status === 401) { location.href = "/prescriber/login"; throw new Error("login"); }
  return [r.status, await r.json()];
}

function post(path, body) {
  return api(path, {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)});
}
