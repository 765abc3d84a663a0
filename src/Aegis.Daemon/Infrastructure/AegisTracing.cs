using System.Diagnostics;

namespace Aegis.Daemon.Infrastructure;

/// <summary>
/// aegisd's spans (ActivitySource <c>Aegis.Daemon</c>): ensure and the boot steps inside it, pause, resume, terminate
/// and the snapshot it saves, and the router's wake waits. Tags carry ids, names and outcomes only: never an app's
/// environment or secrets (a failed step records its exception, whose messages name no secret values).
/// </summary>
internal static class AegisTracing
{
    public const string SourceName = "Aegis.Daemon";

    public const string AppId = "aegis.app.id";
    public const string InstanceId = "aegis.instance.id";
    public const string ReleaseId = "aegis.release.id";
    public const string Kit = "aegis.kit";
    public const string EnsurePath = "aegis.ensure.path";
    public const string Outcome = "aegis.outcome";
    public const string Reason = "aegis.reason";
    public const string HealthCheck = "aegis.health.check";
    public const string Backend = "aegis.backend";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span for one step; null (and no cost beyond the check) when nothing listens or the sampler declines.</summary>
    public static Activity? Start(string name) => Source.StartActivity(name, ActivityKind.Internal);

    /// <summary>Marks the span failed: error status with the exception's message, outcome <c>error</c> and an exception event.</summary>
    public static void Failed(this Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(Outcome, exception is OperationCanceledException ? "cancelled" : "error");
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }

    /// <summary>Runs one step of a larger operation in its own span.</summary>
    public static async Task<T> StepAsync<T>(string name, Func<Task<T>> step, string? instanceId = null, string? tag = null, object? value = null)
    {
        using var activity = Start(name);
        activity?.SetTag(InstanceId, instanceId);
        if (tag is not null)
        {
            activity?.SetTag(tag, value);
        }

        try
        {
            return await step();
        }
        catch (Exception ex)
        {
            activity.Failed(ex);
            throw;
        }
    }
}
