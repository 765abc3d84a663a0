namespace Aegis.Core.Registry;

/// <summary>Something that happened: a state change, a crash, a failed health check. Kept and streamed.</summary>
public sealed class EventEntity
{
    /// <summary>Increasing id; SSE clients resume with it (Last-Event-ID).</summary>
    public long Id { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset Time { get; set; }

    /// <summary>e.g. <c>instance.running</c>, <c>instance.error</c>, <c>app.created</c>.</summary>
    public required string Type { get; set; }

    /// <summary>The app concerned.</summary>
    public string? AppId { get; set; }

    /// <summary>The instance concerned.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Details for people (never a secret).</summary>
    public string? Message { get; set; }
}
