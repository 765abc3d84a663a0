using System.Net.ServerSentEvents;
using Aegis.Core.Registry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Aegis.Daemon.Events;

internal static class EventsApi
{
    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/events", Stream);
        return api;
    }

    /// <summary>Server-sent events; a client that reconnects with Last-Event-ID misses nothing.</summary>
    private static ServerSentEventsResult<EventDto> Stream(HttpRequest request, EventHub hub, long? after, CancellationToken cancellationToken)
    {
        var from = after ?? (long.TryParse(request.Headers["Last-Event-ID"], out var id) ? id : 0);
        return TypedResults.ServerSentEvents(Items(hub, from, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<EventDto>> Items(EventHub hub, long from, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in hub.SubscribeAsync(from, cancellationToken))
        {
            yield return new SseItem<EventDto>(EventDto.From(e), e.Type) { EventId = e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }
    }
}

/// <summary>An event as the API shows it.</summary>
public sealed record EventDto(long Id, DateTimeOffset Time, string Type, string? AppId, string? InstanceId, string? Message)
{
    internal static EventDto From(EventEntity e) => new(e.Id, e.Time, e.Type, e.AppId, e.InstanceId, e.Message);
}
