namespace Famiglia.Web.Agents;

/// <summary>How famiglia-web reaches aegisd (section <c>Famiglia:Aegis</c>).</summary>
public sealed record AegisOptions
{
    /// <summary>aegisd's management API.</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:8080");

    /// <summary>The file holding aegisd's bearer token (aegisd writes <c>&lt;data&gt;/token</c>).</summary>
    public string? TokenFile { get; init; }

    /// <summary>The router's origin as browsers reach it, for canvas iframes (a different origin from famiglia-web).</summary>
    public Uri PublicUrl { get; init; } = new("http://localhost:8080");

    /// <summary>The kit agents are created with.</summary>
    public string Kit { get; init; } = "famiglia";

    /// <summary>How long a request to aegisd may take (for the event stream: until its headers arrive).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Off: agents cannot be created or started (the UI says so).</summary>
    public bool Enabled { get; init; } = true;
}
