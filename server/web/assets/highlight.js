// A small offline syntax highlighter for the generated code: comments,
// strings, numbers, keywords and called names, for the languages codeloom
// trains on. It works on text that is still streaming in, so unfinished
// strings or comments simply run to the end.
"use strict";
const Highlight = (() => {
  const keywords = new Set(("and as assert async await break case catch class const continue def default defer del do elif else " +
    "enum except export extends final finally fn for from func function go if impl import in interface is lambda let " +
    "match mut namespace new nil none not null or package pass private protected pub public raise return self static " +
    "struct super switch template this throw try type typedef union unsafe use using var void while with yield true false " +
    "True False None int float double char bool string").split(" "));
  const token = /(\/\/[^\n]*|#[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|("""[\s\S]*?(?:"""|$)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?|`[^`]*`?)|\b(\d+(?:\.\d+)?(?:e[+-]?\d+)?|0x[0-9a-f]+)\b|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/gi;
  const esc = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c]));
  function html(src) {
    let out = "", last = 0;
    for (const m of src.matchAll(token)) {
      out += esc(src.slice(last, m.index));
      last = m.index + m[0].length;
      if (m[1]) out += `<span class="tok-com">${esc(m[1])}</span>`;
      else if (m[2]) out += `<span class="tok-str">${esc(m[2])}</span>`;
      else if (m[3]) out += `<span class="tok-num">${esc(m[3])}</span>`;
      else if (keywords.has(m[4])) out += `<span class="tok-kw">${m[4]}</span>${m[5] || ""}`;
      else if (m[5]) out += `<span class="tok-fn">${m[4]}</span>${m[5]}`;
      else out += m[4];
    }
    return out + esc(src.slice(last));
  }
  return { html };
})();
