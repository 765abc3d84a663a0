namespace Aegis.Daemon.Router;

internal static class RouterApi
{
    /// <summary>The router (the kit's <c>routing.scheme</c>). No bearer token: it is the canvas URL users load in an iframe.</summary>
    public static IEndpointRouteBuilder MapRouter(this IEndpointRouteBuilder routes)
    {
        routes.Map("/agent/{appId}/{**path}", context => context.RequestServices.GetRequiredService<AgentRouter>().ForwardAsync(context));
        return routes;
    }
}
