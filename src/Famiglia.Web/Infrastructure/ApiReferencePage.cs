namespace Famiglia.Web.Infrastructure;

/// <summary>
/// A browsable reference at <c>/openapi</c>: a self-contained page that renders <c>/openapi/v1.json</c>
/// (no CDN: famiglia-web runs where nothing may be fetched from outside).
/// </summary>
internal static class ApiReferencePage
{
    public static IEndpointConventionBuilder MapApiReference(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/openapi", () => TypedResults.Content(Html, "text/html; charset=utf-8")).ExcludeFromDescription();

    private const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Famiglia Agent Data API</title>
        <style>
          body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222 }
          code, pre { font: 13px ui-monospace, monospace } pre { background: #f5f5f5; padding: .75rem; overflow: auto }
          .op { border: 1px solid #ddd; border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem }
          .verb { font-weight: bold; color: #0a6 } .param { color: #555 }
        </style></head>
        <body><h1 id="title">Famiglia Agent Data API</h1><p id="description"></p>
        <p>Send <code>Authorization: Bearer {FAMIGLIA_API_KEY}</code>. Lists take <code>limit</code> (default 50, max 200)
        and <code>offset</code> and answer <code>{"data": [...], "total": N, "hasMore": b}</code>.
        The raw document is at <a href="/openapi/v1.json">/openapi/v1.json</a>.</p>
        <div id="ops"></div>
        <script>
        fetch('/openapi/v1.json').then(r => r.json()).then(doc => {
          document.getElementById('title').textContent = doc.info.title;
          document.getElementById('description').textContent = doc.info.description || '';
          const ops = document.getElementById('ops');
          for (const [path, item] of Object.entries(doc.paths)) {
            for (const [verb, op] of Object.entries(item)) {
              if (typeof op !== 'object' || !op.responses) continue;
              const div = document.createElement('div'); div.className = 'op';
              const h = document.createElement('h3');
              h.innerHTML = '<span class="verb"></span> <code></code>';
              h.querySelector('.verb').textContent = verb.toUpperCase(); h.querySelector('code').textContent = path;
              div.appendChild(h);
              const p = document.createElement('p'); p.textContent = op.summary || ''; div.appendChild(p);
              for (const param of op.parameters || []) {
                const q = document.createElement('div'); q.className = 'param';
                q.textContent = param.in + ' ' + param.name + (param.required ? ' (required)' : '');
                div.appendChild(q);
              }
              const codes = document.createElement('p'); codes.textContent = 'Responses: ' + Object.keys(op.responses).join(', ');
              div.appendChild(codes);
              ops.appendChild(div);
            }
          }
        });
        </script></body></html>
        """;
}
