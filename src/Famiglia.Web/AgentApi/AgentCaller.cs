using System.Reflection;

namespace Famiglia.Web.AgentApi;

/// <summary>The agent behind the request, put on the request by <see cref="AgentApiMiddleware"/> and bound into handlers.</summary>
internal sealed record AgentCaller(string AgentConfigId, string AgentName, string ApiKeyId, string GroupId, string RoomId)
{
    public static ValueTask<AgentCaller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<AgentCaller?>(context.Features.Get<AgentCaller>()
            ?? throw new InvalidOperationException("Agent Data API endpoint reached without AgentApiMiddleware."));
}
