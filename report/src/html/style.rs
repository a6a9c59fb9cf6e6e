//! The page's stylesheet, inlined into `<style>`: readable tables, charts scaled to the width.

/// CSS of the report page.
pub(crate) const CSS: &str = "\
:root{color-scheme:light}\
body{margin:0;background:#f6f6f4;color:#1d1d1d;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}\
main{max-width:1080px;margin:0 auto;padding:24px 28px 48px;background:#fff}\
h1{font-size:26px;margin:0 0 4px}\
h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #e2e2e2;padding-bottom:4px}\
p.desc{margin:0 0 8px;color:#333}\
dl.meta{display:flex;flex-wrap:wrap;gap:4px 20px;margin:8px 0 0;font-size:13px;color:#555}\
dl.meta div{display:flex;gap:6px}dl.meta dt{font-weight:600}dl.meta dd{margin:0}\
table.summary{border-collapse:collapse;font-size:13px;margin:8px 0;min-width:60%}\
table.summary th,table.summary td{padding:3px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}\
table.summary th:first-child,table.summary td:first-child{text-align:left}\
table.summary thead th{border-bottom:2px solid #ccc;vertical-align:bottom}\
table.summary td.unit{color:#777;text-align:left}\
table.summary td.sub{padding-left:26px;color:#444}\
.swatch{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;vertical-align:baseline}\
details{margin:12px 0;border:1px solid #e2e2e2;border-radius:4px;padding:6px 10px;background:#fafafa}\
summary{cursor:pointer;font-weight:600}\
pre{font:12px/1.4 ui-monospace,'DejaVu Sans Mono',monospace;overflow-x:auto;margin:8px 0 0}\
figure{margin:12px 0 28px}\
figure .chart svg,figure .chart img{display:block;max-width:100%;height:auto;border:1px solid #eee}\
p.caption{font-size:13px;color:#444;margin:4px 0}\
div.scroll{overflow-x:auto}\
table.grid{width:100%;min-width:0}\
table.grid th,table.grid td{white-space:normal;overflow-wrap:break-word;font-variant-numeric:tabular-nums}\
table.grid th{font-size:12px}\
table.grid th,table.grid td{padding:3px 6px}\
table.grid tr.better td:last-child{color:#1b7a3a;font-weight:600}\
table.grid tr.worse td:last-child{color:#c01e2e;font-weight:600}\
figcaption{font-size:13px;color:#444;margin-top:6px}\
ul.notes{font-size:13px;color:#555}\
footer{margin-top:40px;font-size:12px;color:#888}\
section.headline{margin:16px 0 8px;padding:12px 16px 4px;border-left:4px solid #4e79a7;background:#f4f7fb}\
section.headline p{margin:0 0 8px;font-size:16px}\
section.headline p span{display:inline-block;min-width:76px;font-weight:700;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#4e79a7}\
section.headline p.answer{font-weight:500;color:#111}\
section.headline figure{margin:8px 0}\
section.headline figure h2{display:none}\
";
