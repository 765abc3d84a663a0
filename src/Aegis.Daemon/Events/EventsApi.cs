using System.Net.ServerSentEvents;
using System.Text.Json;
using Aegis.Core.Registry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Aegis.Daemon.Events;

internal static class EventsApi
{
    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/events", Stream).Produces<EventDto>(StatusCodes.Status200OK, "text/event-stream");
        return api;
    }

    /// <summary>Server-sent events; a client that reconnects with Last-Event-ID misses nothing.</summary>
    /// <remarks>The response starts at once, before the first event: a client waits for events, not for headers
    /// (famiglia-web's HTTP client gave up on a quiet aegisd after its 120 s timeout, and famiglia-web stopped).
    /// The framework's <c>TypedResults.ServerSentEvents</c> sends its headers with the first event.</remarks>
    private static async Task Stream(HttpContext context, EventHub hub, IOptions<JsonOptions> json, long? after, CancellationToken cancellationToken)
    {
        var from = after ?? (long.TryParse(context.Request.Headers["Last-Event-ID"], out var id) ? id : 0);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        await response.Body.FlushAsync(cancellationToken); // starts the response: the headers go out now

        var options = json.Value.SerializerOptions;
        try
        {
            await SseFormatter.WriteAsync(Items(hub, from, cancellationToken), response.Body, (item, writer) =>
            {
                using var jsonWriter = new Utf8JsonWriter(writer);
                JsonSerializer.Serialize(jsonWriter, item.Data, options);
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
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
