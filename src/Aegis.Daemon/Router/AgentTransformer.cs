using Yarp.ReverseProxy.Forwarder;

namespace Aegis.Daemon.Router;

/// <summary>
/// Shapes a routed request: the <c>/agent/{appId}</c> prefix goes, the query stays, and the caller's credentials
/// (Authorization, Cookie) stay on the host. Responses of a <c>ui: true</c> port get the framing policy.
/// </summary>
internal sealed class AgentTransformer(string? frameAncestors) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Authorization = null;
        proxyRequest.Headers.ProxyAuthorization = null;
        proxyRequest.Headers.Remove("Cookie");

        var prefix = new PathString("/agent/" + (string)httpContext.GetRouteValue("appId")!);
        httpContext.Request.Path.StartsWithSegments(prefix, StringComparison.Ordinal, out var rest);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, rest, httpContext.Request.QueryString);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (frameAncestors is not null)
        {
            // Appended, not set: an app's own policy still applies, and every policy present is enforced.
            httpContext.Response.Headers.Append("Content-Security-Policy", $"frame-ancestors {frameAncestors}");
            httpContext.Response.Headers.XContentTypeOptions = "nosniff";
        }

        return proceed;
    }
}
